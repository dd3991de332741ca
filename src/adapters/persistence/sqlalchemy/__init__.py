"""Storage on SQLAlchemy Core: the built-in SQLite backend and the base of other SQL databases
(``backend.SqlBackend``, ``dialect.SqlDialect``)."""
