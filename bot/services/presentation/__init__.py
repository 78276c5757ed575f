"""What people read: texts, cards, keyboards, times and errors, in the reader's language."""
