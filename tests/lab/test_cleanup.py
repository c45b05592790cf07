"""The lab leaves nothing behind: SIGTERM and SIGHUP clean up like ctrl+c, and what a killed
process left (its lab folder, .tmp files of atomic writes) goes at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, as_from_a_terminal, run_cli
from wizard.lab import cleanup


def env_for(tmp: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "TMPDIR": str(tmp),
            "SMTP_WIZARD_DATA_DIR": str(tmp / "data"),
            "SMTP_WIZARD_CONFIG_DIR": str(tmp / "config")}


def serve(tmp: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--scenario", "healthy",
                             "--serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env_for(tmp), cwd=REPO,
                            preexec_fn=as_from_a_terminal)
    assert proc.stdout is not None and proc.stderr is not None  # both piped
    for line in proc.stdout:
        if line.startswith("Press ctrl+c"):
            return proc
    proc.wait(10)
    raise AssertionError(proc.stderr.read())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_serve_removes_its_folder_and_key_on_every_stop_signal(signum, tmp_path):
    proc = serve(tmp_path)
    folders = list(tmp_path.glob(f"smtp-wizard-lab-{proc.pid}-*"))
    assert len(folders) == 1 and list(folders[0].glob("*.key"))
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "lab stopped" in err and "Traceback" not in err
    assert not folders[0].exists()


def test_a_lab_held_without_the_cli_is_removed_on_sigterm_too(tmp_path):
    """The backstop for the TUI and scripts: the signal handler removes the folder, then the
    process ends as SIGTERM ends it."""
    script = textwrap.dedent("""
        import asyncio, sys
        from wizard.lab.runner import Lab
        from wizard.lab.scenarios import get

        async def main():
            async with Lab(get("healthy")) as lab:
                print(lab.certs.directory, flush=True)
                await asyncio.sleep(60)

        asyncio.run(main())
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=env_for(tmp_path), cwd=REPO, preexec_fn=as_from_a_terminal)
    assert proc.stdout is not None  # piped
    folder = Path(proc.stdout.readline().strip())
    assert folder.exists() and folder.parent == tmp_path
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    assert proc.returncode == -signal.SIGTERM
    assert not folder.exists()


def test_a_killed_labs_folder_is_removed_at_the_next_start(tmp_path):
    proc = serve(tmp_path)
    folder = next(tmp_path.glob(f"smtp-wizard-lab-{proc.pid}-*"))
    proc.kill()  # SIGKILL: no handler runs
    proc.wait(10)
    assert folder.exists()
    result = run_cli("lab", "--scenario", "healthy", "--check", "--format", "json",
                     env={"TMPDIR": str(tmp_path), "SMTP_WIZARD_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 0, result.stderr
    assert not folder.exists()


def test_stale_folders_of_dead_processes_go_and_others_stay(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f"smtp-wizard-lab-{dead_pid}-abc"
    alive = tmp_path / f"smtp-wizard-lab-{os.getppid()}-def"
    mine = tmp_path / f"smtp-wizard-lab-{os.getpid()}-ghi"
    unnamed = tmp_path / "smtp-wizard-lab-xyz"
    other = tmp_path / "something-else-1-x"
    for folder in (stale, alive, mine, unnamed, other):
        folder.mkdir()
        (folder / "valid.key").write_text("secret key")
    removed = cleanup.sweep_stale_lab_dirs(tmp_path)
    assert removed == [stale] and not stale.exists()
    assert alive.exists() and mine.exists() and unnamed.exists() and other.exists()


def test_tmp_files_of_killed_atomic_writes_go_and_fresh_ones_stay(tmp_path):
    old = tmp_path / ".report.json.k3j4.tmp"
    fresh = tmp_path / ".profiles.toml.a1b2.tmp"
    kept = [tmp_path / "report.tmp", tmp_path / ".hidden", tmp_path / "session.jsonl"]
    for path in (old, fresh, *kept):
        path.write_text("x")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    for path in kept:
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert cleanup.sweep_tmp_files([tmp_path, tmp_path / "missing"]) == [old]
    assert fresh.exists() and all(p.exists() for p in kept)


def test_the_start_up_sweep_covers_the_data_and_config_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMTP_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    folders = cleanup.user_folders()
    assert tmp_path / "data" / "sessions" in folders
    assert tmp_path / "data" / "exercises" in folders
    assert tmp_path / "config" in folders
