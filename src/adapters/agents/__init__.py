"""Chat agents: ``offline`` (embedded) and ``openai`` (a language model)."""
