"""Running the bot: connect, publish commands, then poll and send until told to stop.

The running bot's half of the composition root (bot/composition.py builds the commands' context).
`runner` starts and stops the parts in named steps; what runs beside the updates lives in modules of
its own: `leadership` (one instance of several sharing PostgreSQL leads), `periodic` (retention,
checkpoints, the officers' digest) and `files` (where files are judged)."""

from bot.runtime.files import keep_chart_cache_in
from bot.runtime.runner import BotRunner

__all__ = ["BotRunner", "keep_chart_cache_in"]
