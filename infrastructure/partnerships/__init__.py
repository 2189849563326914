"""The catalogue read model in SQL."""
