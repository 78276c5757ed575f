"""People around a consultation: the roster, membership of the coordination group."""
