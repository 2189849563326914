"""The audit routes and schemas."""
