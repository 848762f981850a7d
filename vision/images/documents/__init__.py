"""Documents and videos as images: PDF and TIFF pages, video and animation frames, SVG drawings."""
