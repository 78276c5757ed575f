"""One instance of several sharing a PostgreSQL server leads; the others stand by.

A standby polls Telegram for nothing and sends nothing (one getUpdates consumer, no 409s): it only
tries the lease every second, so it takes over within a second of the server releasing it (at once
for a killed leader, within seconds for one cut off). A leader that loses the lease stops at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from bot.store.postgres import LeaderLease, PgDatabase

log = logging.getLogger(__name__)


class Leadership:
    """The lease and the role it gives: "standby", then "leader", or "lost" once the lease went."""

    def __init__(self, db: PgDatabase, stop: asyncio.Event) -> None:
        self.lease = LeaderLease(db, f"{socket.gethostname()}:{os.getpid()}")
        self.stop = stop
        self.role = "standby"

    async def wait_to_lead(self) -> bool:
        """Stand by until this instance holds the lease; False when told to stop first."""
        told = False
        while not self.stop.is_set():
            if await self.lease.try_lead() is not None:
                self.role = "leader"
                return True
            if not told:
                log.info("standby: another instance holds the leader lease; waiting to take over")
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), LeaderLease.CHECK_SECONDS)
        await self.lease.close()
        return False

    async def keep(self) -> None:
        """Watch the lease while leading; lost, stop this instance so that a standby takes over."""
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), LeaderLease.CHECK_SECONDS)
            if self.stop.is_set():
                return
            if not await self.lease.still_held():
                self.lease.give_up()  # from this instant no write of ours passes the database's fence
                self.role = "lost"
                log.error("the leader lease is lost (the database stopped answering on its connection); "
                          "stopping so that a standby takes over: restart this instance to stand by again")
                self.stop.set()
                return

    async def close(self) -> None:
        await self.lease.close()
