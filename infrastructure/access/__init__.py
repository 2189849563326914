"""API keys and contact persons in SQL."""
