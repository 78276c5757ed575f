"""Whether the Bot API server is a sandbox, and its coordination group: the command line may know
about sandboxes (it starts them); the running bot never does."""

from __future__ import annotations

import httpx

from bot.telegram.endpoint import Endpoint


async def is_sandbox(endpoint: Endpoint) -> bool:
    """Whether the Bot API server is a rapid-consult sandbox (it answers the control API)."""
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.get(f"{endpoint.root}/sandbox/chats")
            return response.status_code == 200 and isinstance(response.json(), list)
    except (httpx.HTTPError, ValueError):
        return False


async def discover_sandbox_group(endpoint: Endpoint) -> int | None:
    """Against the sandbox, the coordination group defaults to its forum supergroup."""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(f"{endpoint.root}/sandbox/chats")
            response.raise_for_status()
            chats = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    forums = [c for c in chats if c.get("type") == "supergroup" and c.get("is_forum")]
    return int(forums[0]["id"]) if forums else None
