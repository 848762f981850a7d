"""What leaves the app: runs as JSON, Markdown and CSV, and the code that asks a run again."""
