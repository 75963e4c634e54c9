"""Issue 2, crash safety: kill -9 the daemon at several moments during a large copy into the
inbox, remount, `obiactl wait`: every file whose copy completed is archived or quarantined, and
`obiactl verify` is clean. Looped over several kill points."""
import os
import threading
import time

import pydicom
import pytest

from conftest import run, synth, wait_until


def copy_until_failure(files, src_root, dst_root, done):
    """Copies files one by one; records each whose write and close succeeded."""
    for f in files:
        dst = dst_root / f.relative_to(src_root)
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            with open(f, "rb") as fi, open(dst, "wb") as fo:
                while chunk := fi.read(1 << 16):
                    fo.write(chunk)
        except OSError:
            return
        done.append(f)


@pytest.mark.parametrize("kill_after", [5, 40, 120])
def test_kill9_during_copy_loses_nothing(mounted, tmp_path, kill_after):
    a = mounted
    src = tmp_path / "src"
    synth("series", src, "--patients", "6", "--images-per-series", "8", "--rows", "128", "--cols", "128",
          "--manifest", tmp_path / "m.json", "-q")
    files = sorted(p for p in src.rglob("*.dcm"))
    inbox = a.mnt / "inbox" / "OBIA0001"
    done = []
    t = threading.Thread(target=copy_until_failure, args=(files, src, inbox, done))
    t.start()
    wait_until(lambda: len(done) >= kill_after or not t.is_alive(), 120, f"{kill_after} files copied")
    a.kill9()
    t.join(60)
    assert not t.is_alive()

    a.mount()  # resumes staged files
    a.wait(300)
    archived = {pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID for p in a.archived_files()}
    quarantined = {q.relative_to(a.mnt / "quarantine" / "OBIA0001").as_posix() for q in a.quarantined()}
    lost = []
    for f in done:
        uid = pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID
        if a.remap_uid(uid) not in archived and f.relative_to(src).as_posix() not in quarantined:
            lost.append(f.name)
    assert not lost, f"{len(lost)} completed copies lost: {lost[:5]}"
    assert len(done) >= min(kill_after, len(files))
    v = run(os.environ.get("OBIA_BIN", "") + "/obiactl", "verify", a.dir, check=False)
    assert v.returncode == 0, v.stdout + v.stderr
    # Finish the copy after the crash: everything ends archived exactly once.
    rest = [f for f in files if f not in done]
    copy_until_failure(rest, src, inbox, [])
    a.wait(300)
    assert len(a.archived_files()) + len(a.quarantined()) >= len(files)
    v = run(os.environ.get("OBIA_BIN", "") + "/obiactl", "verify", a.dir, check=False)
    assert v.returncode == 0, v.stdout + v.stderr


def test_kill9_during_ingest_then_verify(mounted, tmp_path):
    """Kill while workers are writing objects and committing: no dangling entry, no orphan."""
    a = mounted
    src = tmp_path / "src"
    synth("series", src, "--patients", "4", "--images-per-series", "10", "--rows", "256", "--cols", "256", "-q")
    files = sorted(src.rglob("*.dcm"))
    run("cp", "-r", f"{src}/.", a.mnt / "inbox" / "OBIA0001/")
    a.kill9()  # the queue is far from drained here
    a.mount()
    a.wait(300)
    stats = a.stats()["collections"][0]
    assert stats["images"] == len(files)
    v = run(os.environ.get("OBIA_BIN", "") + "/obiactl", "verify", a.dir, check=False)
    assert v.returncode == 0, v.stdout + v.stderr
