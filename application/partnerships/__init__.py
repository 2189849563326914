"""Use cases of organisations and partnerships, and the catalogue they are listed from."""
