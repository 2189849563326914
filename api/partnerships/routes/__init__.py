"""Routers of organisations and partnerships."""
