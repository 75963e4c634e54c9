"""Fixtures for OBIA integration tests: real archives mounted with FUSE in temp dirs.

Every mount is torn down (fusermount3 -u -z, then the daemon killed) even when a test fails.
Waiting is done on conditions (`obiactl wait`, polling with deadlines), never bare sleeps.
"""
import hashlib
import hmac
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

BIN = pathlib.Path(os.environ.get("OBIA_BIN", pathlib.Path(__file__).resolve().parents[2] / "build" / "daemon"))
SOURCE = pathlib.Path(os.environ.get("OBIA_SOURCE", pathlib.Path(__file__).resolve().parents[2]))
SYNTH = SOURCE / "tests" / "tools" / "obia_synth.py"
PYDICOM_FILES = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")
PYTHON = "/usr/bin/python3"


def run(*args, check=True, timeout=600, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} failed ({r.returncode}):\nstdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def obiactl(*args, **kw):
    return run(BIN / "obiactl", *args, **kw)


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def is_mounted(path):
    path = os.path.realpath(path)
    with open("/proc/mounts") as f:
        return any(line.split()[1] == path for line in f)


class Archive:
    """An archive directory with at most one mount."""

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.dir = root / "archive"
        self.mnt = root / "mnt"
        self.mnt.mkdir(exist_ok=True)
        self.daemon_pid = None

    def init(self, prefix="OBIA"):
        obiactl("init", self.dir, "--prefix", prefix)

    def create_collection(self, title="Test collection", *extra):
        return obiactl("collection", "create", self.dir, "--title", title, *extra).stdout.strip()

    def mount(self, *options):
        run(BIN / "obiafs", self.dir, self.mnt, *options)
        wait_until(lambda: is_mounted(self.mnt), 10, "mount")
        self.daemon_pid = int((self.dir / "run" / "obiafs.lock").read_text().strip() or 0) or None

    def unmount(self):
        if is_mounted(self.mnt):
            run("fusermount3", "-u", self.mnt, check=False)
            if is_mounted(self.mnt):
                run("fusermount3", "-u", "-z", self.mnt, check=False)
        if self.daemon_pid:
            pid = self.daemon_pid
            self.daemon_pid = None
            try:
                wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid), 30, "daemon exit")
            except AssertionError:
                os.kill(pid, signal.SIGKILL)

    def kill9(self):
        """Kill the daemon the hard way and clear the dead mount."""
        pid = self.daemon_pid
        self.daemon_pid = None
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid), 10, "daemon death")
        run("fusermount3", "-u", "-z", self.mnt, check=False)

    def wait(self, timeout=600):
        obiactl("wait", self.dir, "--timeout", str(timeout), timeout=timeout + 30)

    def stats(self):
        import json
        return json.loads(obiactl("stats", self.dir, "--json").stdout)

    def secret(self):
        return (self.dir / "secret").read_bytes()

    def remap_uid(self, uid: str) -> str:
        """The contract's UID remapping: 2.25. + first 128 bits of HMAC-SHA256(secret, UID)."""
        d = hmac.new(self.secret(), uid.encode(), hashlib.sha256).digest()
        return "2.25." + str(int.from_bytes(d[:16], "big"))

    def archived_files(self, collection="OBIA0001"):
        base = self.mnt / collection
        return sorted(p for p in base.rglob("*.dcm") if "similar" not in p.parts)

    def quarantined(self, collection="OBIA0001"):
        base = self.mnt / "quarantine" / collection
        return sorted(p for p in base.rglob("*") if p.is_file() and not p.name.endswith(".reason"))


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture
def archive():
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-"))
    a = Archive(root)
    a.init()
    try:
        yield a
    finally:
        try:
            a.unmount()
        finally:
            if is_mounted(a.mnt):
                run("fusermount3", "-u", "-z", a.mnt, check=False)
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mounted(archive):
    archive.create_collection()
    archive.mount()
    return archive


def synth(*args):
    return run(PYTHON, SYNTH, *args)
