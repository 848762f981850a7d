"""The exit codes of `python -m vision`: 0 done, 1 an error said in a sentence, 2 a usage error,
130 interrupted."""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
