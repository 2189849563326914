"""Routers of reports and projection status."""
