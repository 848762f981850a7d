"""Kept originals outside the database: the blob store's interface, its folder and S3-compatible
implementations, the setting that picks one, and the move of an older history's bytes out of
its rows."""
