"""API keys, roles and contact persons (with their erasure)."""
