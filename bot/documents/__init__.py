"""Documents to passages: loading per format, cleaning, structure, metadata."""
