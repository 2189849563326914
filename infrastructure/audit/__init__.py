"""Chained recorders, the audit trail in SQL, and the signing of tree heads."""
