"""A MariaDB / MySQL storage backend for Todo Chatbot: SQLAlchemy Core on ``asyncmy``,
registered under the ``todo_chatbot.storage`` entry points (see README.md)."""
