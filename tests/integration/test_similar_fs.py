"""Issue 6 through the mount: similar/ folders list exactly k links (or all readable images when
fewer) that resolve to readable files, never images of a controlled collection the caller may
not read; query by example works for DICOM and PNG files; query files are not archived."""
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np
import pydicom
import pytest

import conftest
from conftest import obiactl, run, synth


def write_png(path, pixels):
    """A greyscale 8-bit PNG written by hand (no imaging library needed)."""
    h, w = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path.write_bytes(png)


@pytest.fixture(scope="module")
def world():
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-similar-"))
    os.chmod(root, 0o755)
    a = conftest.Archive(root)
    a.init()
    a.create_collection("Open")
    obiactl("collection", "create", a.dir, "--title", "Closed", "--access", "controlled")
    a.mount()
    try:
        synth("series", root / "open", "--patients", "3", "--seed", "21", "--images-per-series", "4", "-q")
        synth("series", root / "closed", "--patients", "2", "--seed", "22", "--images-per-series", "4", "-q")
        run("cp", "-r", root / "open", a.mnt / "inbox" / "OBIA0001" / "open")
        run("cp", "-r", root / "closed", a.mnt / "inbox" / "OBIA0002" / "closed")
        a.wait()
        if subprocess.run(["getent", "passwd", "obia_nobody"], capture_output=True).returncode != 0:
            run("useradd", "-M", "-U", "obia_nobody")
        yield a
    finally:
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


def as_nobody(*cmd):
    return subprocess.run(["setpriv", "--reuid=obia_nobody", "--regid=obia_nobody", "--init-groups",
                           "--", *map(str, cmd)], capture_output=True, text=True)


def test_similar_folders_list_k_resolving_links(world):
    a = world
    total = len(a.archived_files("OBIA0001")) + len(a.archived_files("OBIA0002"))
    image = a.archived_files("OBIA0001")[0]
    folder = image.parent / "similar" / image.stem
    links = sorted(os.listdir(folder))
    assert len(links) == min(30, total - 1)
    for rank, name in enumerate(links, 1):
        assert name.startswith(f"{rank:02d}_d")
        target = folder / name
        assert target.is_symlink()
        resolved = target.resolve()
        assert resolved.is_file() and resolved != image.resolve()
        pydicom.dcmread(resolved, stop_before_pixels=True)
    distances = [int(n.split("_")[1][1:]) for n in links]
    assert distances == sorted(distances)
    assert sorted(os.listdir(image.parent / "similar")) == sorted(p.stem for p in image.parent.glob("*.dcm"))


def test_controlled_images_never_appear_without_access(world):
    a = world
    image = a.archived_files("OBIA0001")[0]
    folder = image.parent / "similar" / image.stem
    r = as_nobody("ls", folder)
    assert r.returncode == 0, r.stderr
    names = r.stdout.split()
    readable = len(a.archived_files("OBIA0001")) - 1
    assert len(names) == min(30, readable)
    assert not any("OBIA0002" in n for n in names)
    assert any("OBIA0002" in n for n in os.listdir(folder)) or len(os.listdir(folder)) == 30


def test_query_by_example_dicom(world):
    a = world
    src = sorted((a.root / "open").rglob("*.dcm"))[0]
    shutil.copy(src, a.mnt / "similar" / "probe.dcm")
    results = a.mnt / "similar" / "probe.dcm.results"
    links = sorted(os.listdir(results))
    assert links and links[0].startswith("01_d00_"), links[:3]  # the archived copy itself
    top = (results / links[0]).resolve()
    assert pydicom.dcmread(top, stop_before_pixels=True).SOPInstanceUID == a.remap_uid(
        pydicom.dcmread(src, stop_before_pixels=True).SOPInstanceUID)
    # Never archived: the tree and the counters are unchanged.
    assert a.stats()["collections"][0]["submitted"] == len(list((a.root / "open").rglob("*.dcm")))
    os.unlink(a.mnt / "similar" / "probe.dcm")
    assert "probe.dcm" not in os.listdir(a.mnt / "similar")


def test_query_by_example_png(world):
    a = world
    src = sorted((a.root / "open").rglob("*.dcm"))[0]
    px = pydicom.dcmread(src).pixel_array.astype(np.float64)
    px = (255 * (px - px.min()) / max(1, px.max() - px.min())).astype(np.uint8)
    write_png(a.root / "probe.png", px)
    shutil.copy(a.root / "probe.png", a.mnt / "similar" / "probe.png")
    links = sorted(os.listdir(a.mnt / "similar" / "probe.png.results"))
    assert len(links) == 30
    top = (a.mnt / "similar" / "probe.png.results" / links[0]).resolve()
    same_series = top.parent.name.split("_")[1] == pydicom.dcmread(src, stop_before_pixels=True).Modality
    assert same_series, links[:3]
