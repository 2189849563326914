"""What the service promised before a change and must keep: its API, and logs written earlier."""
