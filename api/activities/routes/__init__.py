"""Routers of the lab's activities."""
