"""HTTP routes and schemas of organisations and partnerships."""
