"""Repositories: the SQL for one noun each, taking a transaction handle (`Tx`)."""
