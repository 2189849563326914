"""Tamper evidence an outside auditor can check: an RFC 9162 Merkle log and its tree heads."""
