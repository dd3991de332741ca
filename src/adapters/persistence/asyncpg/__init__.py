"""adapters.persistence.asyncpg."""
