"""adapters.persistence.schema."""
