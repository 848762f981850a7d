"""Benchmarks: `python -m bench` prints speed, memory and size figures measured in one run."""
