"""HTTP routes, schemas and printable pages of the lab's activities."""
