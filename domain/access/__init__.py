"""Who may call the service (API keys) and the people organisations are represented by."""
