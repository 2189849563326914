"""Organisations and the partnerships between them: milestones, corrections."""
