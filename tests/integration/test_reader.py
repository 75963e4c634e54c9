"""Reader mounts (`obiafs ARCHIVE MOUNT --reader`): a read-only view of the open collections for
training jobs, beside the archive's main mount. The kernel serves opens and listings from its
caches (OPEN and OPENDIR answer ENOSYS), so the tests check, besides the tree and its bytes,
that warm reads and walks send the daemon nothing, that writes fail, and that the reader follows
what the main mount archives."""
import errno
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

import conftest
from conftest import BIN, PYTHON, obiactl, run, synth, wait_until


class ReaderMount:
    """obiafs --reader in the foreground with -d, its request log in a file."""

    def __init__(self, archive_dir, mnt, log):
        self.mnt = mnt
        self.log = log
        mnt.mkdir(exist_ok=True)
        self.logf = open(log, "w")
        self.proc = subprocess.Popen([str(BIN / "obiafs"), str(archive_dir), str(mnt), "--reader", "-d"],
                                     stdout=subprocess.DEVNULL, stderr=self.logf)
        wait_until(lambda: conftest.is_mounted(mnt) or self.proc.poll() is not None, 20, "reader mount")
        assert self.proc.poll() is None, pathlib.Path(log).read_text()[-2000:]

    def opcodes(self):
        """Counts of each FUSE opcode the daemon has received so far."""
        counts = {}
        for m in re.finditer(r"opcode: ([A-Z_]+) ", pathlib.Path(self.log).read_text(errors="replace")):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts

    def stop(self):
        if conftest.is_mounted(self.mnt):
            run("fusermount3", "-u", self.mnt, check=False)
            if conftest.is_mounted(self.mnt):
                run("fusermount3", "-u", "-z", self.mnt, check=False)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()


@pytest.fixture(scope="module")
def world():
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-reader-"))
    os.chmod(root, 0o755)  # other users must reach the mount points
    a = conftest.Archive(root)
    a.init()
    assert a.create_collection("Open set") == "OBIA0001"
    assert obiactl("collection", "create", a.dir, "--title", "Controlled set",
                   "--access", "controlled").stdout.strip() == "OBIA0002"
    a.mount()
    reader = None
    try:
        for seed, coll, patients in (("1", "OBIA0001", "2"), ("2", "OBIA0002", "1")):
            src = root / f"src{seed}"
            synth("series", src, "--patients", patients, "--studies-per-patient", "1",
                  "--series-per-study", "2", "--images-per-series", "4", "--seed", seed, "-q")
            run("cp", "-r", src, a.mnt / "inbox" / coll / "set")
        a.wait()
        reader = ReaderMount(a.dir, root / "rmnt", root / "reader.log")
        yield a, reader
    finally:
        if reader:
            reader.stop()
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


def tree(base):
    """Relative paths of everything below base, as find lists them."""
    out = set()
    for dirpath, dirs, files in os.walk(base):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(dirpath, name), base))
    return out


def test_reader_tree_is_the_open_collections(world):
    a, r = world
    assert sorted(os.listdir(r.mnt)) == ["OBIA0001", "README.txt", "stats.json"]
    for hidden in ("OBIA0002", "inbox", "quarantine", "requests", "query", "similar"):
        assert not (r.mnt / hidden).exists(), hidden
    main = {p for p in tree(a.mnt / "OBIA0001")
            if "similar" not in p.split("/") and ".qc" not in p.split("/")}
    got = tree(r.mnt / "OBIA0001")
    assert got == main
    assert len([p for p in got if p.endswith(".dcm")]) == 16
    # Every file, images and generated ones, has the main mount's bytes and size.
    for rel in sorted(got):
        mine, theirs = r.mnt / "OBIA0001" / rel, a.mnt / "OBIA0001" / rel
        if mine.is_file():
            assert mine.stat().st_size == theirs.stat().st_size, rel
            assert mine.read_bytes() == theirs.read_bytes(), rel
    assert (r.mnt / "stats.json").read_bytes() == (a.mnt / "stats.json").read_bytes()


def test_dicom_tools_read_through_the_reader(world):
    a, r = world
    images = sorted((r.mnt / "OBIA0001").rglob("*.dcm"))
    assert "PatientID" in run("dcmdump", "+P", "0010,0020", images[0]).stdout
    code = ("import sys, pydicom\n"
            "for p in sys.argv[1:]:\n"
            "    ds = pydicom.dcmread(p)\n"
            "    assert ds.pixel_array.size > 0, p\n"
            "print(len(sys.argv) - 1)\n")
    assert run(PYTHON, "-c", code, *images).stdout.strip() == str(len(images))
    # Another user reads the open collection too (the mount is allow_other as root).
    r2 = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                         "dcmdump", "-q", str(images[-1])], capture_output=True, timeout=60, cwd="/")
    assert r2.returncode == 0, r2.stderr


def test_writes_fail_with_erofs(world):
    a, r = world
    image = sorted((r.mnt / "OBIA0001").rglob("*.dcm"))[0]
    attempts = [
        lambda: open(image, "r+b"),
        lambda: open(image.parent / "new.dcm", "wb"),
        lambda: os.mkdir(image.parent / "new"),
        lambda: os.unlink(image),
        lambda: os.rename(image, image.parent / "moved.dcm"),
        lambda: os.chmod(image, 0o666),
        lambda: os.utime(image),
    ]
    for attempt in attempts:
        with pytest.raises(OSError) as e:
            attempt()
        assert e.value.errno == errno.EROFS
    assert image.is_file()


def test_kernel_serves_warm_opens_reads_and_walks(world):
    a, r = world
    images = sorted((r.mnt / "OBIA0001").rglob("*.dcm"))
    for p in images:  # the first pass may reach the daemon
        p.read_bytes()
    tree(r.mnt)
    before = r.opcodes()
    # The daemon refused one OPEN and one OPENDIR at most; the kernel has opened on its own since.
    assert before.get("OPEN", 0) <= 1 and before.get("OPENDIR", 0) <= 1, before
    assert before.get("RELEASE", 0) == 0 and before.get("RELEASEDIR", 0) == 0, before
    for _ in range(3):  # warm: page cache, cached listings, day-long attributes
        for p in images:
            assert p.read_bytes()[128:132] == b"DICM"
        assert len(tree(r.mnt)) > len(images)
        run("ls", "-lR", r.mnt)
    after = r.opcodes()
    # (Generated files and the root keep one-second attributes: LOOKUP and GETATTR may recur.)
    for op in ("OPEN", "OPENDIR", "READ", "READDIR", "READDIRPLUS", "FLUSH", "RELEASE", "RELEASEDIR"):
        assert after.get(op, 0) == before.get(op, 0), (op, before, after)


def test_reader_follows_what_the_main_mount_archives(world):
    a, r = world
    coll = r.mnt / "OBIA0001"
    old_individuals = set(os.listdir(coll))
    old_stats = json.loads((r.mnt / "stats.json").read_text())
    series = sorted(p for p in coll.glob("*/*/*") if p.is_dir())
    old_series_listing = {s: set(os.listdir(s)) for s in series}
    old_sidecars = {s: (s / "series.json").read_bytes() for s in series}
    # More images in the same series (seed 1 again: same patients and UIDs, two more images
    # per series; the first four are duplicates) and a new patient (seed 3).
    more = a.root / "more1"
    synth("series", more, "--patients", "2", "--studies-per-patient", "1", "--series-per-study", "2",
          "--images-per-series", "6", "--seed", "1", "-q")
    run("cp", "-r", more, a.mnt / "inbox" / "OBIA0001" / "more1")
    new = a.root / "new3"
    synth("series", new, "--patients", "1", "--studies-per-patient", "1", "--series-per-study", "1",
          "--images-per-series", "2", "--seed", "3", "-q")
    run("cp", "-r", new, a.mnt / "inbox" / "OBIA0001" / "new3")
    a.wait()

    wait_until(lambda: len(set(os.listdir(coll)) - old_individuals) == 1, 15, "new individual in the reader")
    for s in series:  # cached series listings were dropped: two new images each
        wait_until(lambda: len(set(os.listdir(s)) - old_series_listing[s]) == 2, 15, f"new images in {s}")
        main_sidecar = (a.mnt / s.relative_to(r.mnt) / "series.json").read_bytes()
        assert main_sidecar != old_sidecars[s]
        wait_until(lambda: (s / "series.json").read_bytes() == main_sidecar, 15, f"{s}/series.json to follow")
    wait_until(lambda: (r.mnt / "stats.json").read_bytes() == (a.mnt / "stats.json").read_bytes(), 15,
               "stats.json of the reader to follow")
    assert json.loads((r.mnt / "stats.json").read_text()) != old_stats
    mine = sorted(p.relative_to(r.mnt) for p in coll.rglob("*.dcm"))
    theirs = sorted(p.relative_to(a.mnt) for p in a.archived_files())
    assert mine == theirs and len(mine) == 16 + 8 + 2
    for rel in mine:
        assert (r.mnt / rel).read_bytes() == (a.mnt / rel).read_bytes()

    # A new open collection appears at the reader's root; a new controlled one does not.
    assert a.create_collection("Later open set") == "OBIA0003"
    assert obiactl("collection", "create", a.dir, "--title", "Later controlled",
                   "--access", "controlled").stdout.strip() == "OBIA0004"
    wait_until(lambda: "OBIA0003" in os.listdir(r.mnt), 15, "new collection in the reader")
    assert "OBIA0004" not in os.listdir(r.mnt)
    assert not (r.mnt / "OBIA0004").exists()
    assert json.loads((r.mnt / "OBIA0003" / "collection.json").read_text())["title"] == "Later open set"


def test_reader_alone_and_bad_arguments(world, tmp_path):
    a, r = world
    # Two reader mounts of one archive, and a reader without the main mount, are allowed;
    # the writer's lock is not taken.
    second = ReaderMount(a.dir, tmp_path / "second", tmp_path / "second.log")
    try:
        assert sorted(os.listdir(second.mnt / "OBIA0001")) == sorted(os.listdir(r.mnt / "OBIA0001"))
    finally:
        second.stop()
    bad = run(BIN / "obiafs", tmp_path / "nowhere", tmp_path / "m", "--reader", check=False)
    assert bad.returncode != 0 and "obiafs:" in bad.stderr
