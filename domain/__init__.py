"""Partnerlab's domain: organisations and the partnerships between them.

Pure Python plus ``eventsourcing.domain``; nothing here knows about HTTP, SQL or pydantic.
"""
