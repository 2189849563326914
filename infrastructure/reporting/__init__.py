"""The reports' read model in SQL: tables, projection, rebuild, queries."""
