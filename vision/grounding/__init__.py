"""Grounding: asking where things are, reading boxes and points from answers, taking them back
to the original image through the exact preparation, and scoring them (docs/grounding.md)."""
