"""Issue 15: a transcript verifies only against a key the auditor chose, its chain covers who wrote
what when and at which level, and a checkpoint catches a log cut short after it was signed."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from bot.audit import sshsig
from bot.audit import trust as trusting
from bot.audit.transcript import NAMESPACE, allowed_signers_line
from bot.audit.verify import verify_bundle
from bot.cli import app
from bot.config import Settings
from bot.errors import LogTamperedError
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import make_checkpoint
from bot.services.reports.exporting import export_bundle
from tests.support.consultation import published, run_consultation

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands_registered() -> None:
    import bot.commands  # noqa: F401


def failures(bundle: Path, trust: trusting.Trust | None, **options: object) -> str:
    return " | ".join(str(c) for c in verify_bundle(bundle, trust, **options) if not c.ok)  # type: ignore[arg-type]


def resign_with_another_key(bundle: Path, tmp_path: Path) -> tuple[Path, Ed25519PrivateKey]:
    """What a forger does: change the transcript, sign it with a key of their own, and ship that
    key as the bundle's allowed_signers."""
    forged = tmp_path / "forged"
    shutil.copytree(bundle, forged)
    raw = (forged / "transcript.json").read_bytes()
    (forged / "transcript.json").write_bytes(raw.replace("Đề nghị sửa đoạn 2.".encode(), "Đồng ý toàn văn.".encode()))
    other = Ed25519PrivateKey.generate()
    signed = sshsig.sign(other, NAMESPACE, (forged / "transcript.json").read_bytes())
    (forged / "transcript.json.sig").write_text(signed)
    (forged / "allowed_signers").write_text(allowed_signers_line(other.public_key()) + "\n")
    return forged, other


async def test_a_genuine_bundle_verifies_against_the_published_key(bundle: Path, trusted: trusting.Trust) -> None:
    checks = verify_bundle(bundle, trusted)
    assert all(c.ok for c in checks), [str(c) for c in checks]
    assert [c.name.split(" (")[0] for c in checks] == [
        "signature", "canonical form", "event hash chain", "checkpoint", "messages, participants and state match "
        "the events", "events make sense", "consultation", "readable copies", "one log"]
    said = str(checks[0])
    assert "--allowed-signers" in said and "SHA256:" in said
    if trusting.ssh_keygen_path() is not None:
        assert "ssh-keygen -Y verify (OpenSSH)" in said
    assert "checkpoint #1" in str(checks[3])


async def test_a_bundle_resigned_with_another_key_is_refused_with_and_without_allowed_signers(
        bundle: Path, trusted: trusting.Trust, tmp_path: Path, settings: Settings, ctx: AppContext) -> None:
    forged, other = resign_with_another_key(bundle, tmp_path)
    other_print = sshsig.fingerprint(sshsig.public_key_blob(other.public_key()))
    # With the published key: refused, naming the forger's key.
    found = failures(forged, trusted)
    assert "signature" in found and "no line trusts" in found and other_print in found
    # Without a key: refused too, saying which key signed and how to get the published one,
    # though the forged bundle's own allowed_signers names the forger's key.
    found = failures(forged, None)
    assert "not checked against a trusted key" in found and other_print in found
    assert "consult keys show-public" in found and "--allowed-signers" in found
    # The command line, away from any deployment: exit 1, same words; the genuine bundle too is
    # not said to be OK without a key.
    elsewhere = {"CONSULT_DATA_DIR": str(tmp_path / "no-deployment-here")}
    for directory in (forged, bundle):
        result = runner.invoke(app, ["verify", str(directory)], env=elsewhere)
        assert result.exit_code == 1, result.output
        assert "not checked against a trusted key" in result.output and "SHA256:" in result.output
    # Beside the deployment's data folder: its own key is trusted, the forgery is refused.
    assert runner.invoke(app, ["verify", str(forged)]).exit_code == 1
    beside = runner.invoke(app, ["verify", str(bundle)])
    assert beside.exit_code == 0, beside.output
    assert "the deployment's own key" in beside.output
    # And with the published file on the command line.
    signers = published(ctx, tmp_path)
    assert runner.invoke(app, ["verify", str(bundle), "--allowed-signers", str(signers)], env=elsewhere).exit_code == 0
    assert runner.invoke(app, ["verify", str(forged), "--allowed-signers", str(signers)], env=elsewhere).exit_code == 1


async def test_a_valid_before_in_the_past_is_refused(bundle: Path, ctx: AppContext, tmp_path: Path) -> None:
    public = allowed_signers_line(ctx.keys.signing_key().public_key()).split(" ", 1)[1]
    expired = tmp_path / "expired_signers"
    expired.write_text(f'rapid-consult valid-before="20200101" {public}\n')
    found = failures(bundle, trusting.from_file(expired))
    assert "key has expired" in found
    if trusting.ssh_keygen_path() is not None:
        assert "ssh-keygen" in found
    only_git = tmp_path / "git_signers"
    only_git.write_text(f'rapid-consult namespaces="git" {public}\n')
    assert "not permitted for use in signature namespace" in failures(bundle, trusting.from_file(only_git))


async def test_show_public_prints_the_line_stock_ssh_keygen_verifies_with(bundle: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "show-public"])
    assert result.exit_code == 0
    line = result.stdout.strip()
    assert line.split()[:2] == ["rapid-consult", "ssh-ed25519"] and len(line.split()) == 3
    signers = tmp_path / "published_signers"
    signers.write_text(line + "\n")
    program = trusting.ssh_keygen_path()
    if program is not None:
        verdict = trusting.ssh_keygen_verify(program, trusting.from_file(signers), "rapid-consult", NAMESPACE,
                                             bundle / "transcript.json.sig", bundle / "transcript.json")
        assert verdict is not None and verdict.ok, verdict


@pytest.mark.parametrize(("edit", "named"), [
    ("UPDATE messages SET person_key = 'moit-2' WHERE id = 1", "messages id 1: from 'moit-2' differs from event seq"),
    ("UPDATE messages SET at = '2026-11-23T02:01:00.000000Z' WHERE id = 2", "messages id 2: at "),
    ("UPDATE messages SET guard_level = 'mat' WHERE id = 3", "messages id 3: guard_level 'mat' differs from event"),
    ("UPDATE messages SET person_key = 'moit-1' WHERE id = 3", "messages id 3: from 'moit-1'"),
    ("UPDATE participants SET responded_by = 'moit-1' WHERE person_key = 'moit-1'",
     "participants moit-1: responded_by 'moit-1' is not what the events record"),
    ("UPDATE participants SET position = 'agree' WHERE person_key = 'nsv-1'", "participants nsv-1: position 'agree'"),
    ("UPDATE consultations SET deadline_at = '2026-11-23T09:00:00.000000Z'", "consultation: deadline_at"),
])
async def test_a_database_edit_is_named_by_verify(ctx: AppContext, tmp_path: Path, trusted: trusting.Trust,
                                                  edit: str, named: str) -> None:
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:
        await tx.execute(edit)
    out = tmp_path / "edited"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    checks = verify_bundle(out, trusted)
    assert checks[0].ok  # a genuine export of an edited database: the signature is fine ...
    rows = next(c for c in checks if c.name.startswith("messages, participants"))
    assert not rows.ok and named in rows.detail, rows.detail  # ... the row is not what its event says
    assert rows.detail.index(named) == len("transcript.json: ")  # and it is named first


async def test_an_edited_author_or_time_no_longer_opens_the_text(ctx: AppContext, tmp_path: Path,
                                                                 trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE messages SET person_key = 'nsv-2' WHERE id = 1")
    out = tmp_path / "edited"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    message = json.loads((out / "transcript.json").read_bytes())["messages"][0]
    assert message["unreadable"] is True and message["text"] is None
    assert "no longer opens with the author and time" in failures(out, trusted)


async def test_a_dropped_tail_is_caught_by_the_checkpoint(ctx: AppContext, tmp_path: Path,
                                                          trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    first = await make_checkpoint(ctx.db, ctx.keys, ctx.clock)
    assert first is not None and first.body.number == 1
    async with ctx.db.transaction() as tx:  # someone with the database file drops the last events
        await tx.execute("DROP TRIGGER events_append_only_delete")
        last = await tx.fetchval("SELECT max(seq) FROM events")
        await tx.execute("DELETE FROM events WHERE seq > ?", (last - 3,))
        await tx.execute("UPDATE consultations SET state = 'open', closed_at = NULL WHERE id = 1")
    with pytest.raises(LogTamperedError, match="checkpoint #1"):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock)  # no new signature over the cut log
    out = tmp_path / "cut"
    summary = await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    assert summary.checkpoint == 1
    checks = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted)}
    assert checks["signature"].ok and checks["event hash chain"].ok  # a shorter chain is still a chain ...
    assert not checks["checkpoint"].ok and "checkpoint #1" in checks["checkpoint"].detail  # ... but not the one signed
    assert "cut short or rewritten" in checks["checkpoint"].detail


async def test_a_bundle_without_the_checkpoint_it_carried_fails(bundle: Path, trusted: trusting.Trust,
                                                              tmp_path: Path) -> None:
    """Stripping the checkpoint breaks the signature; a v2 bundle without one is not OK either."""
    copy = tmp_path / "stripped"
    shutil.copytree(bundle, copy)
    document = json.loads((copy / "transcript.json").read_bytes())
    document["checkpoint"] = None
    import rfc8785

    (copy / "transcript.json").write_bytes(rfc8785.dumps(document))
    found = failures(copy, trusted)
    assert "signature" in found and "carries no checkpoint" in found


async def test_export_is_owner_only_unless_a_mode_is_given(bundle: Path, ctx: AppContext, tmp_path: Path) -> None:
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in bundle.iterdir()} == {0o600}
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    await export_bundle(ctx, 1, shared, "auditor-1", pdf=False, file_mode=0o640)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in shared.iterdir()} == {0o640}


@pytest.mark.parametrize("mode", ["0044", "0755", "rw", "0700"])
def test_a_mode_that_would_lock_out_the_owner_or_make_files_executable_is_refused(
        settings: Settings, tmp_path: Path, mode: str) -> None:
    result = runner.invoke(app, ["export", "1", "--out", str(tmp_path / "x"), "--mode", mode])
    assert result.exit_code == 2 and "--mode" in result.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("corrupt", [
    lambda d: d.update(consultation=[]), lambda d: d.update(events={}), lambda d: d.update(events=["x", 1, None]),
    lambda d: d.update(participants="x"), lambda d: d.update(checkpoint={"format": "x"}),
    lambda d: d["checkpoint"].update(heads_root="zz", proof=["q"]), lambda d: d["messages"][0].update(id="1"),
    lambda d: d["events"][0].update(data=[]), lambda d: d["consultation"].update(text_commitment_key="zz"),
    lambda d: d["messages"].reverse(), lambda d: d.pop("messages"), lambda d: d.update(extra={"a": [1.5]}),
    lambda d: d["participants"].append({"person": ["x"]}), lambda d: d["events"][2].update(seq="3"),
])
async def test_a_mangled_transcript_is_reported_never_a_crash(bundle: Path, trusted: trusting.Trust,
                                                              tmp_path: Path, corrupt: object) -> None:
    import rfc8785

    document = json.loads((bundle / "transcript.json").read_bytes())
    corrupt(document)  # type: ignore[operator]
    copy = tmp_path / "mangled"
    shutil.copytree(bundle, copy)
    (copy / "transcript.json").write_bytes(rfc8785.dumps(document))
    checks = verify_bundle(copy, trusted, ssh_keygen=False)
    assert not all(c.ok for c in checks) and not checks[0].ok
