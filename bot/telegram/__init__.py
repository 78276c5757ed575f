"""The python-telegram-bot wiring: handlers, the sender and polling."""

import os

# Opt in now to python-telegram-bot's coming behaviour (durations such as RetryAfter.retry_after
# as timedelta); bot.telegram.ratelimit.seconds_of reads either form.
os.environ.setdefault("PTB_TIMEDELTA", "1")
