"""adapters.agents.openai."""
