"""One module per tag."""
