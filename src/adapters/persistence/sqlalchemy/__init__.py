"""adapters.persistence.sqlalchemy."""
