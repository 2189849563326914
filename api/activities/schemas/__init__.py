"""Schemas of the lab's activities."""
