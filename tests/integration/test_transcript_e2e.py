"""Signed transcripts, produced from a real consultation through the sandbox, verified offline."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.audit import sshsig
from bot.audit import trust as trusting
from bot.audit.transcript import NAMESPACE, allowed_signers_line
from bot.audit.verify import verify_bundle
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from tests.support.e2e import COORD, MOIT, NSV, last_bot_text
from tests.support.tools import requires_dejavu

pytestmark = pytest.mark.slow
AUDITOR = 1002
SSH_KEYGEN = shutil.which("ssh-keygen")
PDFSIG = shutil.which("pdfsig")


async def run_consultation(client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent 2h aec: Dự thảo tuyên bố về kinh tế số")
    moit = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    nsv = await last_bot_text(client, NSV, "Tham vấn khẩn #1")
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:agree")
    await client.press_button(NSV, NSV, nsv["message_id"], "a:1:object")
    await client.send_message(NSV, text="Đề nghị sửa đoạn 2.", reply_to=nsv["message_id"])
    await client.send_message(NSV, text="Lý do:\n(MẬT) nước C phản đối\nHết.", reply_to=nsv["message_id"])

    async def both_told() -> Any:  # both comments handled before the close (issue 26: none after it)
        said = [m.get("text") or "" for m in await client.bot_messages(NSV)]
        return sum("Đã chuyển góp ý" in x or "lược bỏ" in x for x in said) >= 2 or None
    await eventually(both_told, within=20, what="both of NSV's comments handled")
    await client.send_message(MOIT, text="TỐI MẬT\nphương án B", reply_to=moit["message_id"])
    await last_bot_text(client, MOIT, "bị chặn")
    await client.send_message(COORD, text="/close 1 Thống nhất trình lãnh đạo")
    await last_bot_text(client, COORD, "Kết quả tham vấn #1")


def ssh_verify(bundle: Path, published_signers: Path) -> subprocess.CompletedProcess[str]:
    """The DESIGN's recipe, with stock OpenSSH and the deployment's published line."""
    assert SSH_KEYGEN is not None
    with (bundle / "transcript.json").open("rb") as stdin:
        return subprocess.run(
            [SSH_KEYGEN, "-Y", "verify", "-f", str(published_signers), "-I", "rapid-consult",
             "-n", NAMESPACE, "-s", str(bundle / "transcript.json.sig")],
            stdin=stdin, capture_output=True, text=True, check=False)


def failures(bundle: Path, signers: Path) -> str:
    return " | ".join(str(c) for c in verify_bundle(bundle, trusting.from_file(signers)) if not c.ok)


@pytest.fixture
def published(app_context: AppContext, tmp_path: Path) -> Path:
    """What `consult keys show-public` prints, as the auditor received it."""
    path = tmp_path / "published_signers"
    path.write_text(allowed_signers_line(app_context.keys.signing_key().public_key()) + "\n")
    return path


@pytest.fixture
async def bundle(bot: BotRunner, client: SandboxClient, app_context: AppContext, tmp_path: Path) -> Path:
    await run_consultation(client)
    out = tmp_path / "bundle"
    summary = await export_bundle(app_context, 1, out, "auditor-1")
    assert summary.messages == 4 and {p.name for p in summary.files} >= {
        "transcript.json", "transcript.json.sig", "allowed_signers", "transcript.html"}
    return out


@pytest.mark.skipif(SSH_KEYGEN is None, reason="Debian's openssh-client (ssh-keygen) is not installed")
async def test_bundle_verifies_with_stock_openssh_and_consult_verify(bundle: Path, published: Path) -> None:
    result = ssh_verify(bundle, published)
    assert result.returncode == 0, result.stderr
    assert "Good \"rapid-consult-transcript\" signature for rapid-consult" in result.stdout + result.stderr
    checks = verify_bundle(bundle, trusting.from_file(published))
    assert all(c.ok for c in checks), [str(c) for c in checks]
    assert len(checks) == 9 and "checkpoint #" in str(checks[3])
    assert "#1 «" in str(checks[6]) and "by auditor-1" in str(checks[6])  # verify names what it checked


@pytest.mark.skipif(PDFSIG is None, reason="poppler-utils' pdfsig is not installed")
async def test_the_pdf_signature_is_valid_for_pdfsig(bundle: Path) -> None:
    assert PDFSIG is not None
    result = await asyncio.to_thread(subprocess.run, [PDFSIG, str(bundle / "transcript.pdf")], capture_output=True,
                                     text=True, check=False)
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout + result.stderr


async def test_bundle_content(bundle: Path) -> None:
    raw = (bundle / "transcript.json").read_bytes()
    document = json.loads(raw)
    assert rfc8785.dumps(document) == raw  # written piece by piece, yet exactly canonical
    assert document["consultation"]["title"] == "Dự thảo tuyên bố về kinh tế số"
    assert document["consultation"]["state"] == "closed"
    texts = {m["guard_action"]: m["text"] for m in document["messages"] if m["kind"] == "comment"}
    assert texts["allow"] == "Đề nghị sửa đoạn 2."
    assert "[đã lược bỏ: Mật]" in texts["redact"] and "nước C" not in texts["redact"]
    assert texts["block"] is None
    assert "phương án B" not in raw.decode()  # nothing of a blocked message, anywhere
    positions = {p["person"]: p["position"] for p in document["participants"]}
    assert positions == {"moit-1": "agree", "nsv-1": "object"}
    page = (bundle / "transcript.html").read_text()
    assert "đã bị chặn (dấu Tối mật)" in page and "đã lược bỏ một phần" in page and "phương án B" not in page
    assert "nsv-1" not in page and "moit-1" not in page and "Lý Thành Nam" in page
    for event in document["events"]:
        assert "phương án" not in json.dumps(event, ensure_ascii=False)


def tamper(bundle: Path, tmp: Path, name: str, change: Any) -> Path:
    copy = tmp / name
    shutil.copytree(bundle, copy)
    change(copy / "transcript.json")
    return copy


def edit_document(path: Path, change: Any) -> None:
    document = json.loads(path.read_bytes())
    change(document)
    path.write_bytes(rfc8785.dumps(document))


@pytest.mark.skipif(SSH_KEYGEN is None, reason="Debian's openssh-client (ssh-keygen) is not installed")
@pytest.mark.parametrize(("case", "named"), [
    ("one character of a message", "messages id"),
    ("an event removed", "prev_hash"),
    ("two events swapped", "prev_hash"),
    ("the file truncated", "not JSON"),
])
async def test_tampering_fails_both_and_is_named(bundle: Path, published: Path, tmp_path: Path, case: str,
                                                 named: str) -> None:
    def one_character(path: Path) -> None:
        raw = path.read_bytes()
        path.write_bytes(raw.replace("Đề nghị sửa đoạn 2.".encode(), "Đề nghị sửa đoạn 3.".encode()))

    changes = {
        "one character of a message": one_character,
        "an event removed": lambda p: edit_document(p, lambda d: d["events"].pop(3)),
        "two events swapped": lambda p: edit_document(
            p, lambda d: d["events"].__setitem__(slice(2, 4), [d["events"][3], d["events"][2]])),
        "the file truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    }
    altered = tamper(bundle, tmp_path, case.replace(" ", "-"), changes[case])
    assert ssh_verify(altered, published).returncode != 0
    found = failures(altered, published)
    assert "signature" in found and named in found, found


@pytest.mark.skipif(SSH_KEYGEN is None, reason="Debian's openssh-client (ssh-keygen) is not installed")
async def test_signed_with_another_key_fails_both(bundle: Path, published: Path, tmp_path: Path) -> None:
    altered = tamper(bundle, tmp_path, "other-key", lambda p: None)
    other = Ed25519PrivateKey.generate()
    (altered / "transcript.json.sig").write_text(
        sshsig.sign(other, NAMESPACE, (altered / "transcript.json").read_bytes()))
    (altered / "allowed_signers").write_text(allowed_signers_line(other.public_key()) + "\n")  # vouches for itself
    assert ssh_verify(altered, published).returncode != 0
    assert "no line trusts" in failures(altered, published)


@requires_dejavu
async def test_export_in_telegram_is_for_auditors_in_private(bot: BotRunner, client: SandboxClient,
                                                             sandbox: SandboxServer, published: Path,
                                                             tmp_path: Path) -> None:
    await run_consultation(client)
    await client.send_message(MOIT, text="/export 1")
    await last_bot_text(client, MOIT, "không có quyền dùng lệnh /export")
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(AUDITOR, group, "/export 1")
    await last_bot_text(client, group, "chỉ dùng trong tin nhắn riêng")
    await client.send_message(AUDITOR, text="/export 1")

    async def document() -> Any:
        found = [m for m in await client.bot_messages(AUDITOR) if m.get("document")]
        return found[-1] if found else None
    sent = await eventually(document, within=20, what="the transcript zip")
    content = sandbox.state.files[sent["document"]["file_id"]].content_b64
    import base64

    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(content)))
    assert {"transcript/transcript.json", "transcript/transcript.json.sig", "transcript/allowed_signers",
            "transcript/transcript.html", "transcript/transcript.pdf"} <= set(archive.namelist())
    archive.extractall(tmp_path)
    checks = verify_bundle(tmp_path / "transcript", trusting.from_file(published))
    assert all(c.ok for c in checks), [str(c) for c in checks]
    refusals = [c for c in await client.log() if c["method"] == "sendMessage"
                and "không có quyền" in c["params"].get("text", "")]
    assert refusals


def readable_line(bundle: Path, published: Path) -> tuple[bool, str]:
    check = next(c for c in verify_bundle(bundle, trusting.from_file(published)) if c.name.startswith("readable"))
    return check.ok, check.detail


@requires_dejavu
async def test_the_readable_copies_are_bound_by_the_signed_document(
        bundle: Path, published: Path, app_context: AppContext, tmp_path: Path) -> None:
    """«Phản đối» edited to «Đồng ý» in the HTML, #2's PDF in #1's bundle, a copy deleted: each shows."""
    assert readable_line(bundle, published) == (True, "transcript.html checked; transcript.pdf checked")
    listed = json.loads((bundle / "transcript.json").read_text())["files"]
    assert set(listed) == {"transcript.html", "transcript.pdf"}

    html = bundle / "transcript.html"
    original = html.read_bytes()
    html.write_bytes(original.replace("Phản đối".encode(), "Đồng ý".encode()))
    assert html.read_bytes() != original
    ok, said = readable_line(bundle, published)
    assert not ok and "transcript.html DIFFERS" in said
    html.write_bytes(original)

    other = tmp_path / "bundle-2"
    await export_bundle(app_context, 1, other, "auditor-2")  # the same consultation, exported again: another PDF
    shutil.copy(other / "transcript.pdf", bundle / "transcript.pdf")
    ok, said = readable_line(bundle, published)
    assert not ok and "transcript.pdf DIFFERS" in said

    (bundle / "transcript.pdf").unlink()
    html.unlink()
    ok, said = readable_line(bundle, published)
    assert said == "transcript.html missing; transcript.pdf missing"  # said, never skipped in silence
