"""`python -m bot ...` is `consult ...`."""

from bot.cli import main

main()
