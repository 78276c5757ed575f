"""The store keeps nothing in clear that a user wrote."""

from __future__ import annotations

import psycopg
import pytest

from bot.domain.access import acts_for
from bot.services.kernel.context import AppContext
from bot.store.datakeys import rewrap_all, shred
from bot.store.repos import consultations, invitations, outbox, people
from tests.support.store import MARKER, write_consultation

pytestmark = pytest.mark.both_engines


async def test_round_trip(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    async with rostered.db.reading() as tx:
        record, data_key = await consultations.get(tx, rostered.keys, cid)
        stored = await consultations.messages(tx, data_key, cid)
        items = await outbox.due(tx, rostered.clock.now())
        parts = await consultations.participants(tx, cid)
    assert record.consultation.title == f"Dự thảo {MARKER}"
    assert record.description == f"mô tả {MARKER}"
    assert [m.text for m in stored] == [f"ý kiến {MARKER}"]
    assert items[0].payload(data_key) == {"text": f"Mời cho ý kiến: {MARKER}"}
    assert [p.person_key for p in parts] == ["moit-1", "nsv-1"]


async def test_no_file_in_the_data_directory_holds_the_marker(rostered: AppContext, engine: str,
                                                             request: pytest.FixtureRequest) -> None:
    await write_consultation(rostered)
    needles = [MARKER.encode("utf-8"), MARKER.encode("utf-16-le"), b"ZQX-marker"]
    files = [p for p in rostered.settings.data_dir.rglob("*") if p.is_file()]
    if engine == "postgres":  # the server's own files: tables, indexes and its write-ahead log
        server = request.getfixturevalue("postgres_server")
        async with rostered.db.transaction() as tx:
            assert await tx.fetchval("SELECT count(*) FROM consultations") == 1
        with psycopg.connect(server.url(), autocommit=True) as connection:
            connection.execute("CHECKPOINT")
        files += [p for p in (server.folder / "data").rglob("*") if p.is_file()]
        assert any(p.parent.name == "pg_wal" for p in files)
    else:
        assert any(p.name.startswith("consult.db") for p in files)
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # the server removed a temporary or recycled file meanwhile
            continue
        for needle in needles:
            assert needle not in content, f"{path} holds user text in clear"


async def test_outbox_deduplicates(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    async with rostered.db.transaction() as tx:
        data_key = await consultations.data_key_for(tx, rostered.keys, cid)
        again = await outbox.enqueue(
            tx, data_key, dedup_key=f"invite:{cid}:moit-1", chat_id=2001, method="sendMessage",
            payload={"text": "twice"}, not_before=rostered.clock.now(),
        )
        assert again is False
        assert await outbox.pending_count(tx) == 1


async def test_numbered_calls_coalesce_while_one_waits(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)

    async def refresh() -> None:
        async with rostered.db.transaction() as tx:
            data_key = await consultations.data_key_for(tx, rostered.keys, cid)
            row = await outbox.sealed_row(tx, data_key, dedup_key="", chat_id=-100, method="editMessageText",
                                          payload={"render": "card"}, not_before=rostered.clock.now())
            await outbox.insert_unless_waiting(tx, row, f"card-edit:{cid}:")

    async def keys() -> list[str]:
        async with rostered.db.reading() as tx:
            return [r[0] for r in await tx.fetchall(
                "SELECT dedup_key FROM outbox WHERE dedup_key LIKE 'card-edit:%' ORDER BY id")]

    await refresh()
    await refresh()  # the first still waits: it will show this change too
    assert await keys() == [f"card-edit:{cid}:1"]
    async with rostered.db.transaction() as tx:
        await outbox.mark_sent(tx, int(await tx.fetchval("SELECT max(id) FROM outbox")), rostered.clock.now(), None)
    await refresh()
    assert await keys() == [f"card-edit:{cid}:1", f"card-edit:{cid}:2"]
    with pytest.raises(ValueError):
        await outbox.insert_unless_waiting(None, (), "card-edit")  # type: ignore[arg-type]


async def test_rotation_rewraps_and_old_content_still_opens(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    old_id = rostered.keys.current_master_id()
    rostered.keys.add_master_key()
    async with rostered.db.transaction() as tx:
        assert await rewrap_all(tx, rostered.keys) == 1
        assert await tx.fetchval("SELECT master_key_id FROM data_keys WHERE owner = ?", (cid,)) != old_id
    # The old master key can now go: content opens with the new one alone.
    (rostered.keys.keys_dir / f"master-{old_id}.key").unlink()
    async with rostered.db.reading() as tx:
        record, _ = await consultations.get(tx, rostered.keys, cid)
    assert MARKER in record.consultation.title


async def test_shredded_key_makes_content_unreadable(rostered: AppContext) -> None:
    from bot.store.datakeys import DataKeyShreddedError

    cid = await write_consultation(rostered)
    async with rostered.db.transaction() as tx:
        assert await shred(tx, rostered.clock, cid)
    async with rostered.db.reading() as tx:
        try:
            await consultations.get(tx, rostered.keys, cid)
        except DataKeyShreddedError as exc:
            assert "destroyed" in str(exc)
        else:
            raise AssertionError("a shredded consultation still decrypted")


async def test_the_stores_person_or_alternate_is_the_domains(rostered: AppContext) -> None:
    """bot/store/repos/invitations.py writes acts_for once more, in SQL: held to the same answers
    for everyone in the roster, on a consultation inviting moit-1 and nsv-1 (each with an alternate)."""
    cid = await write_consultation(rostered)
    async with rostered.db.transaction() as tx:
        await consultations.set_invitation_message(tx, cid, "moit-1", 55)
        everyone = [r.person for r in await people.list_people(tx)]
        invitees = [p for p in everyone if p.key in ("moit-1", "nsv-1")]
        replied_to = next(p for p in invitees if p.key == "moit-1")
        for person in everyone:
            in_it = any(acts_for(person.key, invitee) for invitee in invitees)
            assert (await invitations.latest_open_in_chat(tx, -100, -100, person.key) == cid) is in_it, person.key
            replying = await invitations.by_invitation_message(tx, 55, person.key)
            assert (replying == cid) is acts_for(person.key, replied_to), person.key
    assert {p.key for p in everyone if any(acts_for(p.key, i) for i in invitees)} == {"moit-1", "moit-2", "nsv-1",
                                                                                        "nsv-2"}
