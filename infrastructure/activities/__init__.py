"""The activities' read model in SQL and the processors that keep it."""
