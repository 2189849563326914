"""Histories, time travel, lineage and tamper evidence over the event log."""
