"""entrypoints/http."""
