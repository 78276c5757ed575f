"""`consult doctor`'s checks: every precondition of a healthy deployment, each one line with a remedy.

Checks read and never change anything: no migration is applied, no key created, nothing sent.
"""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError

from bot.config import Settings, shipped_dir
from bot.errors import ConsultError, LogTamperedError, RollbackRefusedError
from bot.guard.ocr import ocr_status
from bot.services.reports.checkpointing import check_published
from bot.store import eventmacs, migrations, published
from bot.store.backup import integrity
from bot.store.engine import open_database
from bot.store.keycheck import open_data_keys
from bot.store.keys import KeyStore
from bot.store.postgres import LeaderLease, redacted
from bot.store.repos import failed_updates, server

GROUP_RIGHTS = {
    "can_delete_messages": "delete messages (blocked content is removed from the topic)",
    "can_manage_topics": "manage topics (one topic per consultation)",
    "can_invite_users": "invite users via link (invitees outside the group)",
    "can_pin_messages": "pin messages (the status card)",
}


@dataclass(frozen=True)
class Line:
    ok: bool
    name: str
    detail: str
    remedy: str = ""

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        tail = f" -> {self.remedy}" if not self.ok and self.remedy else ""
        return f"{mark} {self.name}: {self.detail}{tail}"


def check_data_dir(settings: Settings) -> Line:
    directory = settings.data_dir
    if not directory.is_dir():
        return Line(False, "data directory", f"{directory} does not exist",
                    "run `consult keys init` (it creates the directory owner-only)")
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        return Line(False, "data directory", f"{directory} has mode {mode:04o}", f"chmod 700 {directory}")
    return Line(True, "data directory", f"{directory} (mode {mode:04o})")


def check_keys(settings: Settings) -> Line:
    keys = KeyStore(settings.keys_dir)
    if not keys.exists():
        return Line(False, "key files", f"no keys in {settings.keys_dir}",
                    "run `consult keys init`, then keep an offline copy (deploy/README.md)")
    try:
        checked = keys.check_all()
        master = keys.current_master_id()
        keys.signing_key()
    except ConsultError as exc:
        return Line(False, "key files", str(exc), "fix the file's owner and mode (chmod 600), or restore "
                    "the keys directory from its offline copy")
    return Line(True, "key files", f"{len(checked) - 1} owner-only files; master key {master}")


def check_guard(settings: Settings) -> Line:
    """The guard can reach verdicts: its policy loads, the HMAC key it hashes blocked content with
    (and matches registered terms with) is owner-only, readable and usable, and it blocks its
    canary. Without these every message would be blocked unjudged."""
    from bot.errors import PolicyError
    from bot.guard.engine import TERMS_KEY_PURPOSE, Guard
    from bot.guard.policy import load_guard_policy
    from bot.services.kernel.screening import CANARY, CONTENT_HASH_PURPOSE

    keys = KeyStore(settings.keys_dir)
    try:
        policy = load_guard_policy(settings.policy_dir)
    except (PolicyError, OSError) as exc:
        return Line(False, "guard", f"the guard policy cannot be loaded: {exc}",
                    "fix it (`consult policy check` names the file and line)")
    try:
        keys.keyed_hash(CONTENT_HASH_PURPOSE, b"doctor")
        term_key = keys.hmac_key(TERMS_KEY_PURPOSE)
    except (ConsultError, OSError, ValueError) as exc:
        detail = str(exc) if isinstance(exc, ConsultError) else type(exc).__name__
        return Line(False, "guard keys", f"the HMAC key cannot be used: {detail}",
                    "restore hmac.key from the keys' offline copy (owner-only, chmod 600); without it every "
                    "message is blocked unjudged")
    text, level = CANARY
    verdict = Guard(policy, term_key).scan_text(text)
    if verdict.action.value != "block" or verdict.level is None or verdict.level.value != level:
        return Line(False, "guard", "the guard does not block its canary (a line holding only TỐI MẬT)",
                    "restore the shipped policies/guard.yaml markings")
    terms = f"; {len(policy.terms)} registered terms" if policy.terms else ""
    return Line(True, "guard", f"policy {policy.policy_hash[:12]}, HMAC key usable, canary blocked{terms}")


async def check_postgres(settings: Settings, url: str) -> list[Line]:
    """The PostgreSQL engine: reachable, its schema up to date, updates set aside."""
    try:
        db = await open_database(url, settings.db_path)
    except ConsultError as exc:
        return [Line(False, "database", str(exc), "check CONSULT_DATABASE_URL and the server")]
    try:
        async with db.reading() as tx:
            version, recovery = await server.postgres_status(tx)
            applied = await server.applied_migrations(tx)
            failed = await failed_updates.summary(tx) if applied else (0, None)
            lead = await server.leader(tx) if applied else None
            held = await server.leader_present(tx, LeaderLease.LOCK_ID)
            standbys = await server.replicas(tx)
    except sqlite3.Error as exc:
        return [Line(False, "database", f"PostgreSQL {redacted(url)}: {exc}", "check the server and its log")]
    finally:
        await db.close()
    lines = [Line(not recovery, "database", f"PostgreSQL {version} at {redacted(url)}"
                  + (", a standby in recovery (read-only)" if recovery else ""),
                  "point CONSULT_DATABASE_URL at the primary")]
    available = migrations.discover(shipped_dir("migrations") / migrations.POSTGRES_FOLDER)
    pending = [m.path.name for m in available if m.version not in applied]
    changed = [m.path.name for m in available if m.version in applied and applied[m.version] != m.checksum]
    level = max(applied, default=0)
    if changed or pending:
        lines.append(Line(False, "migrations", f"level {level:04d}; " + (
            f"applied but since edited: {', '.join(changed)}" if changed else f"pending {', '.join(pending)}"),
            "run `consult db upgrade` with this release"))
    else:
        lines.append(Line(True, "migrations", f"level {level:04d}, up to date"))
        number, last = failed
        if lead is None:
            lines.append(Line(True, "leader lease", "no instance has led yet"))
        else:
            generation, holder, since = lead
            state = (f"held by {holder} (generation {generation}, since {since})" if held else
                     f"free: the last leader was {holder} (generation {generation}); the next `consult run` leads")
            lines.append(Line(True, "leader lease", state))
        lines.append(Line(True, "replication", "; ".join(
            f"{name} {state}, replay lag {lag or '0'}" for name, state, lag in standbys) if standbys else
            "no standby streams from this server (a managed service may replicate out of its sight)"))
        lines.append(Line(True, "failed updates", "none set aside") if not number else Line(
            False, "failed updates", f"{number} set aside, the last at {last}",
            "`consult updates failed` lists them; once reviewed, `consult updates failed --forget`"))
    return lines


async def check_database(settings: Settings) -> list[Line]:
    if settings.database_url_text is not None:
        return await check_postgres(settings, settings.database_url_text)
    path = settings.db_path
    if not path.exists():
        return [Line(False, "database", f"no database at {path}", "run `consult db upgrade`")]
    found = integrity(path)
    lines = [Line(found == "ok", "database integrity", f"PRAGMA integrity_check: {found}",
                  "restore the latest backup (`consult db restore FILE`, deploy/README.md)")]
    available = migrations.discover(shipped_dir("migrations"))
    try:
        applied = migrations.applied_read_only(path)
    except sqlite3.DatabaseError as exc:
        return [*lines, Line(False, "migrations", f"cannot read schema_migrations: {exc}", "run `consult db upgrade`")]
    changed = [m.path.name for m in available if m.version in applied and applied[m.version] != m.checksum]
    pending = [m.path.name for m in available if m.version not in applied]
    level = max(applied, default=0)
    if changed:
        lines.append(Line(False, "migrations", f"applied but since edited: {', '.join(changed)}",
                          "reinstall the release that matches this database; never edit applied migrations"))
    elif pending:
        lines.append(Line(False, "migrations", f"level {level:04d}; pending {', '.join(pending)}",
                          "stop the bot, back up, run `consult db upgrade`"))
    else:
        lines.append(Line(True, "migrations", f"level {level:04d}, up to date"))
        lines.append(check_failed_updates(path))
    return lines


def check_failed_updates(path: Path) -> Line:
    """Updates the bot set aside (a handler kept failing on them, or they could not be parsed): the
    service went on, but each is a defect or an attack to look at."""
    try:
        number, last = failed_updates.summary_read_only(path)
    except sqlite3.DatabaseError as exc:
        return Line(False, "failed updates", f"cannot read failed_updates: {exc}", "run `consult db upgrade`")
    if not number:
        return Line(True, "failed updates", "none set aside")
    return Line(False, "failed updates", f"{number} set aside, the last at {last}",
                "`consult updates failed` lists them (id, handler, error type); the log of that time has the "
                "traceback; once reviewed, `consult updates failed --forget`")


async def check_event_log(settings: Settings) -> Line:
    """The whole event log, every hash, link and (where keyed) MAC: an interior event edited
    without rehashing, or rewritten with every hash recomputed, is a failure, never an OK."""
    name = "event log"
    if settings.database_url_text is None and not settings.db_path.exists():
        return Line(False, name, "no database", "run `consult db upgrade`")
    keys = KeyStore(settings.keys_dir)
    try:
        db = await open_database(settings.database_url_text, settings.db_path)
    except ConsultError as exc:
        return Line(False, name, f"cannot check: {exc}", "check the database")
    try:
        keyed = (keys.keys_dir / eventmacs.SEALED_MARKER).exists()
        if keyed:
            db.event_mac_key = keys.hmac_key(eventmacs.EVENT_MAC_PURPOSE)
        faults = await eventmacs.log_faults(db, keys.keys_dir)
        if not faults:  # and the one tree still extends the last checkpoint published beside it
            await check_published(db, published.path_beside(settings.db_path))
    except (LogTamperedError, RollbackRefusedError) as exc:
        return Line(False, name, str(exc), "keep this copy as evidence, restore the latest backup that passes "
                                           "(`consult db restore FILE`) and tell the auditors")
    except (ConsultError, sqlite3.DatabaseError) as exc:
        return Line(False, name, f"cannot check: {exc}", "restore keys/ and the database from custody")
    finally:
        await db.close()
    if faults:
        return Line(False, name, f"{len(faults)} faults; first: {faults[0]}",
                    "the log was changed outside the bot: keep this copy as evidence, restore the latest "
                    "backup that passes (`consult db restore FILE`) and tell the auditors")
    return Line(True, name, "every event hashes, links" + (" and carries its key's MAC" if keyed else
                                                          " (events not keyed yet: start the bot once)"))


async def check_telegram(token: str | None, api_url: str, group_chat_id: int | None) -> list[Line]:
    if not token:
        return [Line(False, "bot token", "CONSULT_TELEGRAM_TOKEN is not set",
                     "put the token from @BotFather in the environment file (mode 600)")]
    bot = Bot(token, base_url=api_url)
    try:
        async with bot:
            me = bot.bot
            lines = [Line(True, "Bot API", f"reachable at {_host(api_url)}; token accepted for @{me.username}")]
            lines.extend(await _check_group(bot, me.id, group_chat_id))
            return lines
    except InvalidToken:
        return [Line(False, "Bot API", "the token was refused (401)", "check CONSULT_TELEGRAM_TOKEN with @BotFather")]
    except (NetworkError, TelegramError, OSError) as exc:
        return [Line(False, "Bot API", f"not reachable at {_host(api_url)}: {type(exc).__name__}",
                     "check the network path (proxy, firewall) to the Bot API")]


def _host(api_url: str) -> str:
    return api_url.split("/bot")[0]


async def _check_group(bot: Bot, bot_id: int, group_chat_id: int | None) -> list[Line]:
    if group_chat_id is None:
        return [Line(False, "coordination group", "CONSULT_GROUP_CHAT_ID is not set",
                     "add the bot to the forum supergroup and set its id (a negative number)")]
    try:
        chat = await bot.get_chat(group_chat_id)
        member = await bot.get_chat_member(group_chat_id, bot_id)
    except (Forbidden, TelegramError) as exc:
        return [Line(False, "coordination group", f"{group_chat_id}: {exc.message}",
                     "add the bot to the group as an administrator")]
    lines = [Line(chat.type == "supergroup" and bool(chat.is_forum), "coordination group",
                  f"{group_chat_id} is a {chat.type}{' with topics' if chat.is_forum else ' without topics'}",
                  "turn on Topics in the group's settings")]
    rights: dict[str, Any] = member.to_dict()
    admin = member.status in ("administrator", "creator")
    lines.append(Line(admin, "bot is administrator", f"status {member.status}",
                      "promote the bot to administrator in the group"))
    for right, why in GROUP_RIGHTS.items():
        held = member.status == "creator" or bool(rights.get(right))
        lines.append(Line(held, f"right: {right}", "granted" if held else f"missing; needed to {why}",
                          f"grant the bot the right to {why.split(' (')[0]}"))
    return lines



def check_ocr() -> Line:
    """Whether the guard can read images; without OCR every image is blocked (fail closed)."""
    status = ocr_status()
    if not status.available:
        return Line(False, "OCR (images)", status.detail,
                    "apt-get install tesseract-ocr tesseract-ocr-vie (or set TESSDATA_PREFIX to the folder "
                    "holding vie.traineddata)")
    return Line(True, "OCR (images)", f"{status.detail}; Vietnamese model installed")


def check_data_keys(settings: Settings) -> Line:
    """The wrapped data keys open with the master keys here: a missing or garbled master key, or
    another deployment's backup restored, otherwise passes every other check and fails at the
    first /status."""
    keys = KeyStore(settings.keys_dir)
    if not keys.exists():
        return Line(False, "data keys", "no master key to open them with", "run `consult keys init`")
    try:
        opened = open_data_keys(settings.db_path, keys)
    except ConsultError as exc:
        return Line(False, "data keys", str(exc).split("; ", 1)[0], str(exc).split("; ", 1)[-1])
    except sqlite3.DatabaseError as exc:
        return Line(False, "data keys", f"cannot read data_keys: {exc}", "run `consult db upgrade`")
    return Line(True, "data keys", f"{opened.checked} of {opened.live} live data keys open with the master keys")


def check_private_files(settings: Settings) -> Line:
    """The data folder, the database (with its WAL) and the key files belong to the user the bot
    runs as and are owner-only: a 0644 consult.db is every consultation's metadata to any local
    user, and a root-owned key (after `keys rotate` as root) stops the service at its next start."""
    import os

    me = os.geteuid()
    wanted = [settings.data_dir, settings.keys_dir, settings.db_path,
              settings.db_path.with_name(settings.db_path.name + "-wal"),
              settings.db_path.with_name(settings.db_path.name + "-shm")]
    if settings.keys_dir.is_dir():
        wanted += sorted(p for p in settings.keys_dir.iterdir() if not p.name.endswith((".pub", ".crt", ".chain.pem")))
    wrong: list[str] = []
    owners: set[int] = set()
    for path in wanted:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid != me:
            owners.add(info.st_uid)
            wrong.append(f"{path} is owned by uid {info.st_uid}, not {me}")
        elif mode & 0o077:
            wrong.append(f"{path} has mode {mode:04o}")
    if wrong:
        fix = (f"chown -R {me} {settings.data_dir}" if owners else
               f"chmod 700 {settings.data_dir} {settings.keys_dir}; chmod 600 {settings.db_path}* and the key files")
        more = f" (+{len(wrong) - 3})" if len(wrong) > 3 else ""
        return Line(False, "owners and modes", "; ".join(wrong[:3]) + more, fix)
    return Line(True, "owners and modes", f"data folder, database and keys owner-only, owned by uid {me}")


async def run_checks(settings: Settings, token: str | None, api_url: str, group_chat_id: int | None) -> list[Line]:
    lines = [Line(True, "settings", f"loaded; language {settings.language}, time zone {settings.timezone}")]
    lines.append(check_data_dir(settings))
    lines.append(check_keys(settings))
    lines.append(check_guard(settings))
    lines.extend(await check_database(settings))
    lines.append(await check_event_log(settings))
    lines.append(check_data_keys(settings))
    lines.append(check_private_files(settings))
    lines.append(check_ocr())
    lines.extend(await check_telegram(token, api_url, group_chat_id))
    return lines


