"""The command line: `python -m vision check|ask|models|echo|eval`, one module per command."""
