"""application.chat."""
