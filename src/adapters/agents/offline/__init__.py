"""adapters.agents.offline."""
