"""Media: what an uploaded file really is, decided from its own bytes, and what it holds."""
