"""The built-in PostgreSQL storage backend: constant SQL on an asyncpg pool (``backend.backend``)."""
