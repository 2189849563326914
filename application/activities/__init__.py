"""Use cases of the lab's activities: speed-dating, events, consulting, trainings, funding."""
