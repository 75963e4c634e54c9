"""Issue 5, mounts for admins: `mount -t fuse.obiafs` through mount.fuse.obiafs, an fstab line,
the systemd unit template (verified by systemd-analyze and its commands run as systemd would),
and `obiactl mounts`."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BIN, SOURCE, is_mounted, obiactl, run, wait_until

HELPER = "/sbin/mount.fuse.obiafs"


@pytest.fixture
def helper_installed():
    """Installs the mount helper for the test; restores what was there."""
    backup = None
    if os.path.exists(HELPER):
        backup = open(HELPER, "rb").read()
    shutil.copy(SOURCE / "mountscripts" / "mount.fuse.obiafs", HELPER)
    os.chmod(HELPER, 0o755)
    os.environ["OBIAFS"] = str(BIN / "obiafs")
    try:
        yield
    finally:
        os.environ.pop("OBIAFS", None)
        if backup is None:
            os.unlink(HELPER)
        else:
            open(HELPER, "wb").write(backup)


def test_mount_t_fuse_obiafs(archive, helper_installed):
    a = archive
    a.create_collection()
    run("mount", "-t", "fuse.obiafs", a.dir, a.mnt, "-o", "noatime")
    try:
        wait_until(lambda: is_mounted(a.mnt), 10, "mount")
        assert "OBIA0001" in os.listdir(a.mnt)
        out = obiactl("mounts", a.dir).stdout
        assert str(a.mnt) in out
    finally:
        run("umount", a.mnt, check=False)
    wait_until(lambda: not is_mounted(a.mnt), 10, "umount")
    assert "no active mount" in obiactl("mounts", a.dir).stdout


def test_fstab_line(archive, helper_installed, tmp_path):
    a = archive
    example = (SOURCE / "mountscripts" / "fstab.example").read_text()
    line = [l for l in example.splitlines() if l.strip() and not l.startswith("#")][0]
    fields = line.split()
    fields[0], fields[1] = str(a.dir), str(a.mnt)
    fstab = tmp_path / "fstab"
    fstab.write_text(" ".join(fields) + "\n")
    run("mount", "-T", fstab, a.mnt)  # mount(8) reads our fstab instead of /etc/fstab
    try:
        wait_until(lambda: is_mounted(a.mnt), 10, "mount from fstab")
        assert "README.txt" in os.listdir(a.mnt)
    finally:
        run("umount", a.mnt, check=False)
    wait_until(lambda: not is_mounted(a.mnt), 10, "umount")


def test_fstab_reader_line(archive, helper_installed, tmp_path):
    """The reader line of fstab.example mounts a read-only reader beside the main mount."""
    a = archive
    a.create_collection()
    a.mount()
    example = (SOURCE / "mountscripts" / "fstab.example").read_text()
    line = [l.lstrip("# ") for l in example.splitlines() if "reader" in l and "fuse.obiafs" in l][0]
    fields = line.split()
    rmnt = tmp_path / "train"
    rmnt.mkdir()
    fields[0], fields[1] = str(a.dir), str(rmnt)
    fstab = tmp_path / "fstab"
    fstab.write_text(" ".join(fields) + "\n")
    run("mount", "-T", fstab, rmnt)
    try:
        wait_until(lambda: is_mounted(rmnt), 10, "reader mount from fstab")
        assert sorted(os.listdir(rmnt)) == ["OBIA0001", "README.txt", "stats.json"]
        with pytest.raises(OSError):
            (rmnt / "OBIA0001" / "x").write_bytes(b"")
        assert "inbox" in os.listdir(a.mnt)  # the main mount is untouched
    finally:
        run("umount", rmnt, check=False)
    wait_until(lambda: not is_mounted(rmnt), 10, "umount")


def unit_commands(unit_text, archive, mountpoint):
    env = {"ARCHIVE": str(archive), "MOUNT": str(mountpoint)}
    cmds = {}
    for key in ("ExecStartPre", "ExecStart", "ExecStop"):
        m = re.search(rf"^{key}=-?(.*)$", unit_text, re.M)
        cmd = m.group(1).replace("/usr/local/bin/obiafs", str(BIN / "obiafs"))
        for k, v in env.items():
            cmd = cmd.replace("${" + k + "}", v)
        cmds[key] = cmd.split()
    return cmds


def test_systemd_unit(archive, tmp_path):
    a = archive
    a.create_collection()
    unit = (SOURCE / "mountscripts" / "obiafs@.service").read_text()
    assert re.search(r"^Restart=on-failure$", unit, re.M)
    assert "WantedBy=multi-user.target" in unit
    if shutil.which("systemd-analyze"):
        d = tmp_path / "units"
        d.mkdir()
        (d / "obiafs@.service").write_text(unit.replace("/usr/local/bin/obiafs", str(BIN / "obiafs")))
        r = run("systemd-analyze", "verify", d / "obiafs@demo.service", check=False)
        assert r.returncode == 0 and "not executable" not in r.stderr, r.stderr
    # Run the unit's commands the way systemd would.
    cmds = unit_commands(unit, a.dir, a.mnt)
    subprocess.run(cmds["ExecStartPre"], capture_output=True)
    daemon = subprocess.Popen(cmds["ExecStart"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: is_mounted(a.mnt), 10, "unit mount")
        assert "OBIA0001" in os.listdir(a.mnt)
        run(*cmds["ExecStop"])
        assert daemon.wait(timeout=60) == 0  # a clean stop: systemd would not restart it
    finally:
        if daemon.poll() is None:
            daemon.kill()
        run("fusermount3", "-u", "-z", a.mnt, check=False)
