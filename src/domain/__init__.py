"""The pure model of Todo Chatbot: entities, value objects and their rules (stdlib only)."""
