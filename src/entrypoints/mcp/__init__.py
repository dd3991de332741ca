"""entrypoints/mcp."""
