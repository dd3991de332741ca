"""The chat use cases: a turn (``send``), conversations and their history."""
