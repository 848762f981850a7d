"""Judging answers: checks against expected answers, pass rates, blind votes."""
