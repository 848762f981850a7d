"""The app's three pages: Playground, Batch and History."""
