"""Issue 2: same patient in two copies -> same accession; remount gives the identical tree;
writes outside the inbox fail; rm and mv of archived files fail."""
import errno
import hashlib
import json
import os
import shutil

import pydicom
import pytest

from conftest import obiactl, run, synth, wait_until


def snapshot(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            p = os.path.join(dirpath, name)
            st = os.stat(p)
            digest = hashlib.sha256(open(p, "rb").read()).hexdigest() if os.path.isfile(p) else "dir"
            out[os.path.relpath(p, root)] = (st.st_ino, st.st_size if os.path.isfile(p) else 0, digest)
    return out


def test_same_patient_in_two_copies_gets_one_accession(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "1", "--studies-per-patient", "2", "-q")
    studies = sorted((tmp_path / "set" / "pat001").iterdir())
    inbox = a.mnt / "inbox" / "OBIA0001"
    run("cp", "-r", studies[0], inbox / "first")
    a.wait()
    run("cp", "-r", studies[1], inbox / "second")
    a.wait()
    individuals = [p.name for p in (a.mnt / "OBIA0001").iterdir() if p.name.startswith("I")]
    assert individuals == ["I000001"]
    studies = [p for p in (a.mnt / "OBIA0001" / "I000001").iterdir() if p.is_dir()]
    assert len(studies) == 2


def test_different_patients_get_different_accessions(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "3", "--studies-per-patient", "1",
          "--series-per-study", "1", "--images-per-series", "2", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    a.wait()
    individuals = sorted(p.name for p in (a.mnt / "OBIA0001").iterdir() if p.name.startswith("I"))
    assert individuals == ["I000001", "I000002", "I000003"]


def test_remount_gives_identical_tree(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "2", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    a.wait()
    before = snapshot(a.mnt / "OBIA0001")
    assert len([k for k, v in before.items() if v[2] != "dir"]) > 40
    a.unmount()
    assert not (a.mnt / "OBIA0001").exists()
    a.mount()
    after = snapshot(a.mnt / "OBIA0001")
    assert after == before


def test_writes_outside_the_inbox_fail(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "1", "--studies-per-patient", "1",
          "--series-per-study", "1", "--images-per-series", "2", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    a.wait()
    image = a.archived_files()[0]
    series = image.parent
    refused = (errno.EROFS, errno.EACCES, errno.EPERM)

    def expect_refused(fn, *args):
        with pytest.raises(OSError) as e:
            fn(*args)
        assert e.value.errno in refused, f"{fn.__name__}{args}: {e.value}"

    expect_refused(os.unlink, image)
    expect_refused(os.rename, image, series / "renamed.dcm")
    expect_refused(open, image, "r+b")
    expect_refused(open, series / "new.dcm", "wb")
    expect_refused(os.mkdir, series / "newdir")
    expect_refused(os.mkdir, a.mnt / "OBIA0009")
    expect_refused(open, a.mnt / "README.txt", "w")
    expect_refused(os.symlink, "/etc/passwd", series / "link")
    expect_refused(os.link, image, series / "hardlink.dcm")
    expect_refused(os.chmod, image, 0o777)
    expect_refused(os.chown, image, 12345, 12345)
    expect_refused(os.setxattr, image, "user.note", b"x")
    expect_refused(os.setxattr, image.parent, "user.note", b"x")
    expect_refused(os.utime, image, (0, 0))
    expect_refused(os.utime, image, None)
    expect_refused(os.rename, image, a.mnt / "inbox" / "OBIA0001" / "back.dcm")
    expect_refused(os.truncate, image, 0)
    expect_refused(os.rmdir, series)
    expect_refused(os.mkdir, a.mnt / "inbox" / "OBIA0042")  # no such collection
    # The command-line tools agree.
    assert run("rm", "-f", image, check=False).returncode != 0
    assert run("mv", image, tmp_path / "stolen.dcm", check=False).returncode != 0
    assert image.exists()
    pydicom.dcmread(image)


def test_inbox_names_cannot_escape(mounted, tmp_path):
    a = mounted
    inbox = a.mnt / "inbox" / "OBIA0001"
    with pytest.raises(OSError):
        os.symlink("/etc/passwd", inbox / "evil")
    with pytest.raises(OSError):
        os.link(a.mnt / "README.txt", inbox / "hard")
    os.mkdir(inbox / "d")
    with pytest.raises(OSError):  # d/../.. is the inbox root, which takes no files
        open(inbox / "d" / ".." / ".." / "escaped", "wb")
    assert not (a.dir / "staging" / "escaped").exists()
    assert not (a.mnt / "inbox" / "escaped").exists()
    a.wait()


def test_cached_listings_follow_new_images(mounted, tmp_path):
    """Archived folders are listed from the kernel's cache; every ingest must invalidate the
    listings of the new image's ancestors, and a new collection must show in the root."""
    a = mounted
    synth("series", tmp_path / "set", "--patients", "2", "--studies-per-patient", "1",
          "--series-per-study", "1", "--images-per-series", "3", "-q")
    files = sorted((tmp_path / "set").rglob("*.dcm"))
    first, rest = files[0], files[1:]
    run("cp", first, a.mnt / "inbox" / "OBIA0001" / "first.dcm")
    a.wait()
    [image] = a.archived_files()
    series = image.parent
    coll = a.mnt / "OBIA0001"
    # Fill the kernel's caches: list every folder on the path, twice.
    for _ in range(2):
        for d in (a.mnt, coll, coll / image.parts[-4], series.parent, series, series / "similar"):
            os.listdir(d)
    for i, f in enumerate(rest):
        run("cp", f, a.mnt / "inbox" / "OBIA0001" / f"more{i}.dcm")
    a.wait()
    names = {p.name for p in series.iterdir() if p.suffix == ".dcm"}
    assert len(names) == sum(1 for f in files if f.parent == first.parent)
    similar = set(os.listdir(series / "similar"))
    assert similar == {n[:-4] for n in names}
    individuals = {p for p in os.listdir(coll) if p.startswith("I")}
    assert individuals == {"I000001", "I000002"}
    assert len(a.archived_files()) == len(files)
    # A collection created while mounted appears in the cached root listing.
    a.create_collection("Second")
    wait_until(lambda: "OBIA0002" in os.listdir(a.mnt), what="new collection in the root listing")


def test_mount_reads_ahead_a_whole_image(mounted):
    """The daemon raises its mount's readahead to 1 MiB: one READ per cold 0.5 MB image. Where
    sysfs is read-only (a container), it cannot, and must say so in its log."""
    a = mounted
    mnt = os.path.realpath(a.mnt)  # the daemon resolves its mount point too
    majmin = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mnt and " - fuse.obiafs " in line:
                majmin = fields[2]
    assert majmin, f"mount {mnt} not found in mountinfo"
    knob = f"/sys/class/bdi/{majmin}/read_ahead_kb"
    if not os.access(knob, os.W_OK):
        log = (a.dir / "run" / "obiafs.log").read_text()
        assert "cannot raise readahead" in log
        pytest.skip(f"{knob} is not writable here (read-only sysfs): the daemon logged it")
    with open(knob) as f:
        assert int(f.read()) == 1024


def test_fix_and_resubmit_from_quarantine(mounted, tmp_path):
    """A curator reads why a file was quarantined, deletes it there (its .reason goes with it),
    fixes the file and submits it again: it is archived, and the report counts both submissions."""
    a = mounted
    src = pydicom.dcmread("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm")
    del src.PatientID
    sub = tmp_path / "sub"
    sub.mkdir()
    src.save_as(sub / "no_id.dcm")
    run("cp", "-r", sub, a.mnt / "inbox" / "OBIA0001" / "batch")
    a.wait()
    held = a.mnt / "quarantine" / "OBIA0001" / "batch" / "no_id.dcm"
    reason = held.with_name("no_id.dcm.reason")
    assert held.exists() and reason.read_text().startswith("reason: no-patient-id"), reason.read_text()
    assert a.archived_files() == []

    os.unlink(held)
    assert not held.exists() and not reason.exists()
    assert not (a.dir / "quarantine" / "OBIA0001" / "batch" / "no_id.dcm.reason").exists()

    src.PatientID = "FIXED-0001"
    src.save_as(sub / "no_id.dcm")
    run("cp", sub / "no_id.dcm", a.mnt / "inbox" / "OBIA0001" / "no_id.dcm")
    a.wait()
    archived = a.archived_files()
    assert len(archived) == 1
    assert str(pydicom.dcmread(archived[0]).PatientID).startswith("I")
    report = obiactl("qc", "report", a.dir, "OBIA0001").stdout
    total = next(l for l in report.splitlines() if l.startswith("total\t")).split("\t")
    assert total[1:3] == ["2", "1"], report  # submitted, archived: the history keeps both


def test_latin1_text_keeps_folders_and_sidecars_readable(mounted, tmp_path):
    """A file in ISO 8859-1 (common in European hospitals): its study folder lists, every
    sidecar and stats.json parse as JSON, and the text shows decoded."""
    a = mounted
    ds = pydicom.dcmread("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm")
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.StudyDescription = "Thorax \u00dcbersicht"
    ds.SeriesDescription = "Lunge nativ \u00e4"
    ds.save_as(tmp_path / "latin1.dcm")
    assert b"\xdcbersicht" in (tmp_path / "latin1.dcm").read_bytes()  # really Latin-1 bytes
    run("cp", tmp_path / "latin1.dcm", a.mnt / "inbox" / "OBIA0001" / "latin1.dcm")
    a.wait()
    [image] = a.archived_files()
    series, study = image.parent, image.parent.parent
    assert "study.json" in os.listdir(study)
    docs = {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in (study / "study.json", series / "series.json", a.mnt / "stats.json",
                      study.parent / "individual.json")}
    assert docs["stats.json"]["totals"]["images"] == 1
    kept = json.dumps(docs, ensure_ascii=False)
    assert "\ufffd" not in kept  # decoded, not replaced
    if docs["study.json"]["description"]:  # kept unless the profile cleans it
        assert docs["study.json"]["description"] == "Thorax \u00dcbersicht"
