"""Issue 2: same patient in two copies -> same accession; remount gives the identical tree;
writes outside the inbox fail; rm and mv of archived files fail."""
import errno
import hashlib
import os
import shutil

import pydicom
import pytest

from conftest import run, synth


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
    individuals = [p.name for p in (a.mnt / "OBIA0001").iterdir() if p.is_dir()]
    assert individuals == ["I000001"]
    studies = [p for p in (a.mnt / "OBIA0001" / "I000001").iterdir() if p.is_dir()]
    assert len(studies) == 2


def test_different_patients_get_different_accessions(mounted, tmp_path):
    a = mounted
    synth("series", tmp_path / "set", "--patients", "3", "--studies-per-patient", "1",
          "--series-per-study", "1", "--images-per-series", "2", "-q")
    run("cp", "-r", tmp_path / "set", a.mnt / "inbox" / "OBIA0001")
    a.wait()
    individuals = sorted(p.name for p in (a.mnt / "OBIA0001").iterdir() if p.is_dir())
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
