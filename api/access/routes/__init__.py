"""Routers of API keys and contact persons."""
