"""Training domain (pure: no I/O): programmes, people, completion records, groups and kept statements."""

from shared.contract import events

# What this service publishes (checked against the code by tests/unit/test_architecture.py).
PUBLISHES: tuple[type[events.Event], ...] = (events.TrainingCompleted, events.RetrainingScheduled)
SOURCE = "urn:mutu:training"
