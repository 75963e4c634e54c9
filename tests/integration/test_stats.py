"""Issue 7, statistics: stats.json and `obiactl stats` equal counts taken by walking the mounted
tree (structure from directory names, facets from the archived DICOM headers); the HTML report
is well-formed, self-contained, and renders in headless Chromium."""
import html.parser
import json
import pathlib
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pydicom
import pytest

from conftest import obiactl, run, synth

MISSING_SEX_AND_AGE = "pat002"    # every file of this patient loses PatientSex and PatientAge
MISSING_BODYPART = "pat003/study01/series01_CT"  # and this series loses BodyPartExamined


def strip(directory, relpath, *keywords):
    for p in (directory / relpath).rglob("*.dcm"):
        ds = pydicom.dcmread(p)
        for k in keywords:
            if k in ds:
                delattr(ds, k)
        ds.save_as(p)


@pytest.fixture(scope="module")
def archive2(tmp_path_factory):
    """Two collections with generated sets, some headers stripped so "unknown" values occur."""
    import conftest
    import tempfile
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-stats-"))
    a = conftest.Archive(root)
    a.init()
    try:
        a.create_collection("Thorax and head", "--disease", "lung cancer")
        a.create_collection("Second", "--access", "controlled")
        a.mount()
        for n, (coll, seed, patients) in enumerate([("OBIA0001", "1", "4"), ("OBIA0002", "2", "2")]):
            src = root / f"set{n}"
            synth("series", src, "--patients", patients, "--seed", seed, "--images-per-series", "3", "-q")
            if coll == "OBIA0001":
                strip(src, MISSING_SEX_AND_AGE, "PatientSex", "PatientAge")
                strip(src, MISSING_BODYPART, "BodyPartExamined")
            run("cp", "-r", src, a.mnt / "inbox" / coll)
        a.wait()
        yield a
    finally:
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


def age_band(age):
    if not age:
        return "unknown"
    n, unit = int(age[:-1]), age[-1]
    years = {"Y": n, "M": n // 12, "W": n // 52, "D": n // 365}[unit]
    return "90+" if years >= 90 else f"{years // 10 * 10}-{years // 10 * 10 + 9}"


def walk(mnt):
    """Counts from the mounted tree: what `ls -R` and the image headers say."""
    t = {"collections": 0, "individuals": 0, "studies": 0, "series": 0, "images": 0, "bytes": 0}
    facets = {k: {} for k in ("modality", "bodypart", "sex", "age_band")}
    colls = []

    def bump(facet, value, level, n=1, who=None):
        entry = facets[facet].setdefault(value or "unknown", {"individuals": set(), "studies": set(),
                                                             "series": 0, "images": 0})
        if level in ("individuals", "studies"):
            entry[level].add(who)
        else:
            entry[level] += n

    for c in sorted(p for p in mnt.iterdir() if p.is_dir() and p.name.startswith("OBIA")):
        t["collections"] += 1
        row = {"accession": c.name, "individuals": 0, "studies": 0, "series": 0, "images": 0}
        for i in sorted(p for p in c.iterdir() if p.is_dir() and not p.name.startswith(".")):
            row["individuals"] += 1
            first = True
            for s in sorted(p for p in i.iterdir() if p.is_dir() and not p.name.startswith(".")):
                row["studies"] += 1
                for r in sorted(p for p in s.iterdir() if p.is_dir() and not p.name.startswith(".")):
                    row["series"] += 1
                    images = sorted(r.glob("*.dcm"))
                    row["images"] += len(images)
                    t["bytes"] += sum(p.stat().st_size for p in images)
                    ds = pydicom.dcmread(images[0], stop_before_pixels=True)
                    sex, age = ds.get("PatientSex", ""), ds.get("PatientAge", "")
                    modality = r.name.split("_", 1)[1].split("-")[0]
                    body = ds.get("BodyPartExamined", "")
                    for facet, value in (("modality", modality), ("bodypart", body)):
                        bump(facet, value, "series")
                        bump(facet, value, "images", len(images))
                        bump(facet, value, "individuals", who=i.name)
                        bump(facet, value, "studies", who=s.name)
                    for facet, value in (("sex", sex), ("age_band", age_band(age))):
                        bump(facet, value, "series")
                        bump(facet, value, "images", len(images))
                        bump(facet, value, "studies", who=s.name)
                        if first:  # an individual counts under its first study's sex and age
                            bump(facet, value, "individuals", who=i.name)
                    first = False
        for k in ("individuals", "studies", "series", "images"):
            t[k] += row[k]
        colls.append(row)
    for values in facets.values():
        for entry in values.values():
            entry["individuals"] = len(entry["individuals"])
            entry["studies"] = len(entry["studies"])
    return t, colls, facets


def test_stats_equal_a_walk_of_the_tree(archive2):
    a = archive2
    stats = json.loads(obiactl("stats", a.dir, "--json").stdout)
    totals, colls, facets = walk(a.mnt)
    assert stats["totals"] == totals
    assert totals["images"] == 6 * 12 and totals["collections"] == 2
    assert [{k: c[k] for k in colls[0]} for c in stats["collections"]] == colls
    for facet, values in facets.items():
        assert stats[facet] == values, facet
    # The stripped headers show up as "unknown".
    assert stats["sex"]["unknown"]["individuals"] == 1
    assert stats["age_band"]["unknown"]["studies"] == 2
    assert stats["bodypart"]["unknown"]["series"] == 1
    # Table 1 fields and the ingest counters.
    c1 = stats["collections"][0]
    assert (c1["title"], c1["disease"], c1["access"]) == ("Thorax and head", "lung cancer", "open")
    assert c1["modalities"] == ["CT", "MR"]
    assert c1["archived"] == c1["images"] == c1["submitted"]
    assert stats["collections"][1]["access"] == "controlled"


def test_mount_stats_json_is_the_same_document(archive2):
    a = archive2
    served = (a.mnt / "stats.json").read_text()
    assert json.loads(served) == json.loads(obiactl("stats", a.dir, "--json").stdout)
    assert (a.mnt / "stats.json").read_text() == served  # stable between reads


def test_text_output(archive2):
    out = obiactl("stats", archive2.dir).stdout
    assert out.splitlines()[0].split()[:5] == ["collection", "individuals", "studies", "series", "images"]
    assert any(line.startswith("total") for line in out.splitlines())
    assert "modality: CT" in out


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_html_report_is_well_formed_and_self_contained(archive2, tmp_path):
    a = archive2
    out = tmp_path / "report.html"
    obiactl("stats", a.dir, "--html", out)
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>")
    root = ET.fromstring(text[text.index("<html"):])  # strict XML parse: every tag closed
    assert root.tag == "html"
    p = Collect()
    p.feed(text)
    p.close()
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert p.tags.count("svg") == 4
    for name, value in p.attrs:
        assert name not in ("src", "href"), (name, value)
    assert "OBIA0001" in text and "OBIA0002" in text and "Thorax and head" in text
    # The same report on standard output.
    assert obiactl("stats", a.dir, "--html", "-").stdout == text


def test_html_and_json_are_exclusive(archive2, tmp_path):
    r = obiactl("stats", archive2.dir, "--json", "--html", tmp_path / "x.html", check=False)
    assert r.returncode != 0
    assert not (tmp_path / "x.html").exists()


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed (mountscripts/setup.sh)")
def test_html_report_renders_in_chromium(archive2, tmp_path):
    out = tmp_path / "report.html"
    png = tmp_path / "report.png"
    obiactl("stats", archive2.dir, "--html", out)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", "--window-size=1200,1600", f"file://{out}"],
                   capture_output=True, timeout=120, check=True)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
