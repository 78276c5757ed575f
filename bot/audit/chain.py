"""The hash chain lives in `bot.domain.chain` (pure, shared by the store that writes events and
the audit code that checks them); this name stays for the code and tests that import it here."""

from bot.domain.chain import (
    LOG_GENESIS,
    ChainFault,
    Event,
    chain_genesis,
    check_consultation_chain,
    check_log,
    event_hash,
    hashed_content,
)

__all__ = [
    "LOG_GENESIS", "ChainFault", "Event", "chain_genesis", "check_consultation_chain", "check_log", "event_hash",
    "hashed_content",
]
