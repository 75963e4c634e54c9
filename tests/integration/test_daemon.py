"""Daemon lifecycle: SIGTERM stops cleanly (mount gone, files kept for the next start), a stale
mount of a killed daemon is cleared by the next obiafs, one daemon per archive, obiactl errors."""
import os
import signal

import pytest

from conftest import BIN, is_mounted, obiactl, run, synth, wait_until


def test_sigterm_unmounts_and_staged_files_resume(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "1", "--studies-per-patient", "1", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    pid = a.daemon_pid
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not is_mounted(a.mnt), 30, "unmount after SIGTERM")
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 30, "daemon exit")
    a.daemon_pid = None
    a.mount()
    a.wait()
    assert len(a.archived_files()) == 10
    assert a.stats()["collections"][0]["images"] == 10


def test_stale_mount_is_cleared(mounted):
    a = mounted
    os.kill(a.daemon_pid, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{a.daemon_pid}") or True, 5)
    a.daemon_pid = None
    with pytest.raises(OSError):  # Transport endpoint is not connected
        os.listdir(a.mnt)
    a.mount()  # no manual fusermount3 needed
    assert "OBIA0001" in os.listdir(a.mnt)


def test_one_daemon_per_archive(mounted, tmp_path):
    a = mounted
    other = tmp_path / "mnt2"
    other.mkdir()
    r = run(BIN / "obiafs", a.dir, other, check=False)
    assert r.returncode != 0
    assert "already serving" in r.stderr
    assert not is_mounted(other)


def test_obiactl_errors_are_one_line_and_nonzero(tmp_path):
    for args in (["stats", tmp_path / "nope"], ["wait", tmp_path / "nope"], ["verify", tmp_path],
                 ["collection", "list", tmp_path]):
        r = obiactl(*args, check=False)
        assert r.returncode != 0
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("obiactl: "), r.stderr
    r = obiactl("init", tmp_path / "a", "--prefix", "bad1", check=False)
    assert r.returncode != 0 and "prefix" in r.stderr


def test_wait_without_daemon_fails_clearly(archive):
    r = obiactl("wait", archive.dir, "--timeout", "2", check=False)
    assert r.returncode != 0
    assert "no obiafs is serving" in r.stderr


def test_every_command_has_help_with_an_example():
    for cmd in (["--help"], ["init", "--help"], ["collection", "create", "--help"],
                ["collection", "list", "--help"], ["wait", "--help"], ["stats", "--help"],
                ["verify", "--help"]):
        r = obiactl(*cmd)
        assert "Example" in r.stdout, cmd
    assert "Examples" in run(BIN / "obiafs", "--help").stdout


def test_usage_errors_are_one_line_naming_the_command():
    cases = {("similarity",): "obiactl similarity: which command? one of: train install",
             ("collection",): "obiactl collection: which command? one of: create set list",
             ("collection", "create"): "obiactl collection create: ARCHIVE is required",
             ("stats", "/nonexistent", "--bogus"): "obiactl stats: ",
             (): "obiactl: which command? one of: init collection"}
    for args, start in cases.items():
        r = obiactl(*args, check=False)
        assert r.returncode == 2, (args, r.returncode)
        assert r.stderr.startswith(start), (args, r.stderr)
        assert r.stderr.count("\n") == 1, (args, r.stderr)


def test_verify_detects_damage_and_orphans(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "1", "--studies-per-patient", "1",
          "--series-per-study", "1", "--images-per-series", "3", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    a.wait()
    assert obiactl("verify", a.dir).returncode == 0
    objects = sorted(p for p in (a.dir / "objects").rglob("*") if p.is_file())
    assert len(objects) == 3
    # An orphan: an object nobody references.
    (a.dir / "objects" / "00").mkdir(exist_ok=True)
    orphan = a.dir / "objects" / "00" / ("0" * 32)
    orphan.write_bytes(b"orphan")
    r = obiactl("verify", a.dir, check=False)
    assert r.returncode != 0 and "orphan" in r.stdout
    assert obiactl("verify", a.dir, "--repair").returncode == 0
    assert not orphan.exists()
    # Damage: flip a byte of an archived object.
    victim = objects[1]
    os.chmod(victim, 0o644)
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))
    r = obiactl("verify", a.dir, check=False)
    assert r.returncode != 0 and "damaged" in r.stdout
