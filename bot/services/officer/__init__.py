"""The security officer's desk (issue #29): every block a case, the sender's report of a false
positive, the officer's decision (upheld, or released once), the daily digest. Metadata only: the
officer decides on who, when, where, which rule and level and which file — never on the content."""
