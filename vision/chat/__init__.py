"""Asking models: compare, preflight, conversations, live answers and the plan of a Send."""
