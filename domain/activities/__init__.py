"""The lab's activities: speed-dating, events and forums, consulting, trainings, funding."""
