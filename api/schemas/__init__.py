"""Pydantic schemas of the HTTP API: ``XCreate`` / ``XUpdate`` in, ``XPublic`` out."""
