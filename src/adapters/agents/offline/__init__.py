"""The embedded offline assistant: a deterministic parser of task commands that calls the
same tools (``agent.OfflineChatAgent``)."""
