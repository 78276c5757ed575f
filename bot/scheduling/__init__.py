"""The deadline engine: APScheduler in memory, re-armed from the database at every start."""
