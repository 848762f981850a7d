"""Image URLs: which may be fetched, fetching them safely, and how each travels to a model."""
