"""Reports of a scored batch: one self-contained HTML file."""
