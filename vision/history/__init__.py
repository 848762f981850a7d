"""What is kept: the store and its schema, saved records, replay and exports."""
