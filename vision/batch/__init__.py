"""Many items × several models: the runner, its inputs, and a batch on a worker thread."""
