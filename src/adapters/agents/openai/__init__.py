"""The chat agent on a language model through the ``openai`` client (Responses or Chat
Completions; ``agent.create_openai_agent``)."""
