"""The schema the SQL backends share: table definitions, row mapping and the Alembic runner."""
