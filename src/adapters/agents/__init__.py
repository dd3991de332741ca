"""adapters/agents."""
