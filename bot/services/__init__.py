"""Use cases: one function per thing a user can do, taking the context and returning what to send."""
