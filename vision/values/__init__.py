"""The values that travel between stages: requests, results, prepared images, runs, batches."""
