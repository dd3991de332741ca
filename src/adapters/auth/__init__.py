"""adapters/auth."""
