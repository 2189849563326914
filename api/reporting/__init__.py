"""Reports over HTTP: JSON, CSV and the dashboard."""
