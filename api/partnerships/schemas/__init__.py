"""Schemas of organisations and partnerships."""
