"""The control API acts as any user, so only JSON from the sandbox's own page (or from a client
that is no browser) may drive it; a refusal says why."""

from __future__ import annotations

import httpx

from bot.sandbox.server import SandboxServer
from tests.support.sandbox import ALICE


async def messages_of(server: SandboxServer) -> list[object]:
    return server.state.visible_messages(ALICE)


async def test_a_cross_origin_text_plain_post_is_refused(server: SandboxServer) -> None:
    """What a form on another site can send without a preflight: refused, and nothing happens."""
    async with httpx.AsyncClient() as client:
        response = await client.post(
            server.base_url + "/sandbox/messages",
            content=f'{{"from": {ALICE}, "chat_id": {ALICE}, "text": "/whoami"}}',
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example"})
    assert response.status_code == 415
    assert "application/json" in response.json()["description"]
    assert await messages_of(server) == []


async def test_json_from_another_origin_is_refused(server: SandboxServer) -> None:
    async with httpx.AsyncClient() as client:
        for origin in ("https://evil.example", f"http://rebound.example:{server.port}", "null"):
            response = await client.post(server.base_url + "/sandbox/messages",
                                         json={"from": ALICE, "chat_id": ALICE, "text": "/whoami"},
                                         headers={"Origin": origin})
            assert response.status_code == 403, origin
            assert origin in response.json()["description"] and server.base_url in response.json()["description"]
    assert await messages_of(server) == []


async def test_json_from_its_own_page_or_from_a_program_is_taken(server: SandboxServer) -> None:
    async with httpx.AsyncClient() as client:
        for headers in ({"Origin": server.base_url}, {"Origin": f"http://localhost:{server.port}"}, {}):
            response = await client.post(server.base_url + "/sandbox/messages",
                                         json={"from": ALICE, "chat_id": ALICE, "text": "xin chào"}, headers=headers)
            assert response.status_code == 200, (headers, response.text)
        reading = await client.get(server.base_url + "/sandbox/chats", headers={"Origin": server.base_url})
        assert reading.status_code == 200
    assert len(await messages_of(server)) == 3


async def test_the_bot_api_is_not_the_control_api(server: SandboxServer) -> None:
    """python-telegram-bot posts form data and multipart to /bot…: those stay accepted."""
    async with httpx.AsyncClient() as client:
        response = await client.post(server.api_url + "5000000001:x/sendMessage",
                                     data={"chat_id": str(ALICE), "text": "hello"})
    assert response.json()["ok"] is True


async def test_reads_check_host_and_origin_so_a_rebinding_page_reads_nothing(server: SandboxServer) -> None:
    """A DNS-rebinding page (a foreign name resolving to this address) reads its own origin: the
    browser sends its name as Host and no Origin on a GET. /sandbox/log is every drill message."""
    async with httpx.AsyncClient() as client:
        await client.post(server.base_url + "/sandbox/messages",
                          json={"from": ALICE, "chat_id": ALICE, "text": "/whoami"})
        for path in ("/sandbox/log", "/sandbox/chats", f"/sandbox/chats/{ALICE}/messages", "/sandbox/users"):
            rebound = await client.get(server.base_url + path, headers={"Host": f"rebound.example:{server.port}"})
            assert rebound.status_code == 403 and rebound.json()["reason"] == "foreign_host", path
            assert "whoami" not in rebound.text
            foreign = await client.get(server.base_url + path, headers={"Origin": "https://evil.example"})
            assert foreign.status_code == 403 and foreign.json()["reason"] == "cross_origin", path
            for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
                own = await client.get(server.base_url + path, headers={"Host": host})
                assert own.status_code == 200, (path, host)
        page = await client.get(server.base_url + "/")
        assert page.status_code == 200
