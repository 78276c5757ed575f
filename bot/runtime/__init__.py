"""Running the bot: connect, publish commands, then poll and send until told to stop.

The running bot's half of the composition root (bot/composition.py builds the commands' context).
`runner` starts and stops the parts in named steps; each step's work lives in a module of its own:
`preflight` (what is refused or prepared before anything is sent), `leadership` (one instance of
several sharing PostgreSQL leads), `arming` (the scheduler behind the arming port), `receiving`
(webhook or polling), `tasks` and `periodic` (what runs beside the updates: retention, checkpoints,
the officers' digest), `health` (/healthz and /metrics) and `files` (where files are judged)."""

from bot.runtime.files import keep_chart_cache_in
from bot.runtime.runner import BotRunner

__all__ = ["BotRunner", "keep_chart_cache_in"]
