"""API keys and contact persons over HTTP."""
