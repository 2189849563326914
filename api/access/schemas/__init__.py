"""Schemas of API keys and contact persons."""
