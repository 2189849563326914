"""Schemas of reports and projection status."""
