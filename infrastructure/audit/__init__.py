"""Chained recorders and the audit trail in SQL."""
