"""The deployment kit says what the runbook promises: a hardened unit systemd accepts, a non-root
image with a health check, a read-only compose service, and an environment example the settings
can read."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HARDENING = ["NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict", "ProtectHome=yes",
             "StateDirectory=rapid-consult", "StateDirectoryMode=0700", "User=consult", "UMask=0077",
             "CapabilityBoundingSet=", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
             "MemoryDenyWriteExecute=yes", "ExecStartPre=/opt/rapid-consult/venv/bin/consult db upgrade",
             "MemoryMax=2G", "TasksMax=256", "LimitNOFILE=4096"]


def test_the_unit_is_hardened() -> None:
    lines = (DEPLOY / "rapid-consult.service").read_text().splitlines()
    for directive in HARDENING:
        assert directive in lines, directive


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    # The binaries exist only on an installed server; point them at /bin/true, keep the rest.
    text = (DEPLOY / "rapid-consult.service").read_text()
    text = re.sub(r"^(ExecStart(?:Pre)?=)\S+.*$", r"\1/bin/true", text, flags=re.MULTILINE)
    unit = tmp_path / "rapid-consult.service"
    unit.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                            capture_output=True, text=True, timeout=60)
    if "--man" in result.stderr and "unrecognized" in result.stderr:
        result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                                timeout=60)
    about_unit = [line for line in result.stderr.splitlines() if "rapid-consult" in line]
    assert result.returncode == 0 and about_unit == [], result.stderr


def test_the_image_runs_unprivileged_with_a_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    users = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in text and "/healthz" in text and 'VOLUME ["/var/lib/rapid-consult"]' in text
    assert "TOKEN" not in text


def test_the_build_context_holds_what_the_image_copies_and_nothing_else() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    copied = {src.rstrip("/") for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.MULTILINE)
              for src in line.split()[:-1]}
    ignore = (DEPLOY.parent / ".dockerignore").read_text().splitlines()
    assert "*" in ignore  # everything is out unless named
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert copied == allowed, (copied, allowed)
    assert "fonts-dejavu-core" in text  # the PDF needs a font with Vietnamese glyphs


def test_compose_is_read_only_without_new_privileges() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    assert "read_only: true" in text and "no-new-privileges:true" in text and "cap_drop: [ALL]" in text
    assert "mem_limit: 2g" in text and "pids_limit: 256" in text and "nofile: {soft: 4096, hard: 4096}" in text


def test_the_environment_example_is_what_the_settings_read(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    lines = [line.lstrip("#") for line in (DEPLOY / "consult.env.example").read_text().splitlines()
             if re.match(r"^#?CONSULT_[A-Z_]+=", line)]
    names = {line.split("=", 1)[0].removeprefix("CONSULT_").lower() for line in lines}
    assert names <= set(Settings.model_fields), names - set(Settings.model_fields)
    monkeypatch.chdir(tmp_path)
    for line in lines:
        if not line.startswith(("CONSULT_TELEGRAM_TOKEN", "CONSULT_POLICY_DIR")):
            name, value = line.split("=", 1)
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.group_chat_id == -1001234567890 and settings.metrics_listen == "127.0.0.1:9308"
