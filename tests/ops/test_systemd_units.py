"""The units in config/systemd/ pass `systemd-analyze verify` with nothing to say, carry the
sandboxing the deployment relies on, and start commands hallwatch really has.

verify checks that ExecStart's binary exists, so the test verifies copies whose ExecStart points at
this checkout's `hallwatch` (the installed units name /opt/hallwatch/.venv/bin/hallwatch, as the
README's install steps create it). verify only warns (exit 0) about an unknown key or a bad value,
so any output at all fails the test.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "config" / "systemd"
INSTALLED = "/opt/hallwatch/.venv/bin/hallwatch"
HALLWATCH = Path(sys.executable).with_name("hallwatch")
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))


def entries(path: Path) -> dict[str, list[str]]:
    """KEY -> values of a unit file (keys may repeat), all sections together."""
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def verify(units: list[Path], tmp: Path) -> str:
    """What `systemd-analyze verify` says about copies of `units` run against this checkout."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    tmp.mkdir(parents=True, exist_ok=True)
    copies = []
    for unit in units:
        copy = tmp / unit.name
        copy.write_text(unit.read_text().replace(INSTALLED, str(HALLWATCH)))
        copies.append(copy)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, copies)], capture_output=True, text=True, timeout=60, cwd=tmp)
    return (result.stdout + result.stderr).strip() + (f"\nexit status {result.returncode}" if result.returncode else "")


def test_the_units_verify_cleanly(tmp_path: Path) -> None:
    assert SERVICES and TIMERS
    assert verify(SERVICES + TIMERS, tmp_path / "units") == ""


def test_the_check_catches_a_broken_unit(tmp_path: Path) -> None:
    broken = tmp_path / "broken" / "hallwatch-run.service"
    broken.parent.mkdir()
    broken.write_text(SERVICES[0].read_text().replace("ProtectSystem=strict", "ProtectSystm=strict").replace("TimeoutStartSec=", "TimeoutStartSec=soon#"))
    said = verify([broken], tmp_path / "units")
    assert "ProtectSystm" in said and "TimeoutStartSec" in said
    missing = tmp_path / "missing" / "hallwatch-run.service"
    missing.parent.mkdir()
    missing.write_text(SERVICES[0].read_text().replace(INSTALLED, "/opt/nowhere/bin/hallwatch"))
    assert "not executable" in verify([missing], tmp_path / "units2")


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_each_service_is_sandboxed_and_gets_its_secrets_as_credentials(unit: Path) -> None:
    keys = entries(unit)
    assert keys["User"] == ["hallwatch"] and keys["Group"] == ["hallwatch"]
    assert keys["ProtectSystem"] == ["strict"]
    assert "/var/lib/hallwatch" in " ".join(keys["ReadWritePaths"]).split()
    assert keys["NoNewPrivileges"] == ["yes"] and keys["PrivateTmp"] == ["yes"]
    assert keys["TimeoutStartSec"]
    assert keys["LoadCredential"] == ["credentials.env:/etc/hallwatch/credentials.env"]
    # no secret in the unit or its plain environment: only the credentials file holds them
    assert not any("PASSWORD" in v or "TOKEN" in v or "SECRET" in v for v in keys.get("Environment", []))


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_each_service_starts_a_command_hallwatch_has(unit: Path) -> None:
    (command,) = entries(unit)["ExecStart"]
    binary, *args = command.split()
    assert binary == INSTALLED
    # --help after the unit's own arguments: click refuses an unknown command or option first
    from click.testing import CliRunner

    from monitor.cli import main

    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    assert f"Usage: main {' '.join(words)} " in result.output  # the unit's subcommand, not the group's help
    assert CliRunner().invoke(main, [*args, "--no-such-option", "--help"]).exit_code != 0  # the check can fail


@pytest.mark.parametrize("timer", TIMERS, ids=lambda p: p.name)
def test_each_timer_has_its_service(timer: Path) -> None:
    target = entries(timer).get("Unit", [timer.with_suffix(".service").name])[0]
    assert (UNITS / target).exists()
