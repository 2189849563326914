"""Adapters: settings, SQLite and PostgreSQL read models, the projection follower."""
