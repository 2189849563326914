"""Use cases of the lab: the one door the API and the CLI go through."""
