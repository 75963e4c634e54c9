"""Issue 7, must show: every facet returns exactly what a brute-force filter over the tree
returns (randomized queries over generated archives), with access filtering; jq parses every
JSON sidecar and the DICOM JSON parts follow PS3.18 F.2; obiactl find agrees with query/."""
import base64
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import tempfile

import pytest

import conftest
from conftest import obiactl, run, synth

VRS = set("AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL "
          "UN UR US UT UV".split())


@pytest.fixture(scope="module")
def archive():
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-search-"))
    os.chmod(root, 0o755)
    a = conftest.Archive(root)
    a.init()
    a.create_collection("Open", "--disease", "glioma")
    obiactl("collection", "create", a.dir, "--title", "Closed", "--disease", "nodules",
            "--access", "controlled")
    a.mount()
    try:
        for seed, coll, patients in (("11", "OBIA0001", "4"), ("12", "OBIA0001", "3"), ("13", "OBIA0002", "3")):
            synth("series", root / f"s{seed}", "--patients", patients, "--seed", seed,
                  "--images-per-series", "2", "-q")
            run("cp", "-r", root / f"s{seed}", a.mnt / "inbox" / coll / f"s{seed}")
        a.wait()
        yield a
    finally:
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


def series_facets(a):
    """Brute force: facet values of every series, read from the sidecars of the mounted tree."""
    out = {}
    for coll in sorted(p for p in a.mnt.iterdir() if re.match(r"^OBIA\d{4}$", p.name)):
        cj = json.loads((coll / "collection.json").read_text())
        for ind in sorted(p for p in coll.iterdir() if p.is_dir() and not p.name.startswith(".")):
            ij = json.loads((ind / "individual.json").read_text())
            for study in sorted(p for p in ind.iterdir() if p.is_dir() and not p.name.startswith(".")):
                sj = json.loads((study / "study.json").read_text())
                for series in sorted(p for p in study.iterdir() if p.is_dir() and not p.name.startswith(".")):
                    rj = json.loads((series / "series.json").read_text())
                    age = re.match(r"^(\d+)Y$", sj.get("age_at_study") or "")
                    out[series.relative_to(a.mnt).as_posix()] = {
                        "collection": {coll.name}, "disease": {cj["disease"]},
                        "modality": {rj.get("modality", "").upper()},
                        "bodypart": {rj.get("bodypart", "").upper()},
                        "manufacturer": {rj.get("manufacturer", "")},
                        "sex": {(sj.get("sex") or ij.get("sex") or "").upper()},
                        "age": {str(int(age.group(1)))} if age else set(),
                        "studyyear": {sj["date"][:4]} if sj.get("date") else set(),
                        "accession": {coll.name, ind.name, study.name},
                    }
    return out


def brute(facets, terms):
    hits = set()
    for path, f in facets.items():
        ok = True
        for key, value in terms:
            if key == "age" and "-" in value:
                lo, hi = map(int, value.split("-"))
                ok = any(lo <= int(x) <= hi for x in f["age"])
            else:
                ok = value in f[key]
            if not ok:
                break
        if ok:
            hits.add(path)
    return hits


def query(a, terms, user=None):
    expr = "&".join(f"{k}={v}" for k, v in terms)
    target = a.mnt / "query" / expr
    if user:
        r = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--",
                            "ls", str(target)], capture_output=True, text=True)
        names = r.stdout.split()
    else:
        names = os.listdir(target)
    return {os.readlink(target / n)[len("../../"):] for n in names}


def test_random_queries_match_brute_force(archive):
    a = archive
    facets = series_facets(a)
    assert len(facets) >= 30
    rng = random.Random(7)
    values = {k: sorted({v for f in facets.values() for v in f[k]}) for k in next(iter(facets.values()))}
    for _ in range(150):
        keys = rng.sample([k for k in values if values[k]], rng.randint(1, 3))
        terms = []
        for k in keys:
            if k == "age" and rng.random() < 0.5:
                lo = rng.randint(0, 80)
                terms.append((k, f"{lo}-{lo + rng.randint(0, 30)}"))
            else:
                terms.append((k, rng.choice(values[k])))
        assert query(a, terms) == brute(facets, terms), terms


def test_value_listings_count_series(archive):
    a = archive
    facets = series_facets(a)
    for key in ("modality", "sex", "collection", "age"):
        listing = os.listdir(a.mnt / "query" / f"{key}=")
        got = {}
        for name in listing:
            m = re.match(r"^(.*) \((\d+)\)$", name)
            assert m, name
            got[m.group(1)] = int(m.group(2))
            assert os.readlink(a.mnt / "query" / f"{key}=" / name) == f"../{key}={m.group(1)}"
        expected = {}
        for f in facets.values():
            for v in f[key]:
                expected[v] = expected.get(v, 0) + 1
        assert got == expected, key


def test_links_resolve_to_series(archive):
    a = archive
    d = a.mnt / "query" / "modality=CT"
    for name in os.listdir(d):
        target = d / name
        assert target.is_symlink() and target.is_dir()
        assert (target / "series.json").exists()


def test_access_filtering(archive):
    a = archive
    if subprocess.run(["getent", "passwd", "obia_nobody"], capture_output=True).returncode != 0:
        run("useradd", "-M", "-U", "obia_nobody")
    facets = series_facets(a)
    for terms in ([("modality", "CT")], [("disease", "nodules")], [("collection", "OBIA0002")]):
        everything = brute(facets, terms)
        visible = {p for p in everything if p.startswith("OBIA0001/")}
        assert query(a, terms, "obia_nobody") == visible, terms
        found = obiactl("find", a.dir, "--as-user", "obia_nobody",
                        *sum((["--" + k, v] for k, v in terms), [])).stdout.split()
        assert set(found) == visible
    # Counts in value listings are the caller's too.
    listing = subprocess.run(["setpriv", "--reuid=obia_nobody", "--regid=obia_nobody", "--init-groups",
                              "--", "ls", str(a.mnt / "query" / "collection=")], capture_output=True,
                             text=True).stdout
    assert "OBIA0002" not in listing and "OBIA0001" in listing


def test_obiactl_find_matches_query(archive):
    a = archive
    out = obiactl("find", a.dir, "--modality", "MR", "--json").stdout
    assert set(json.loads(out)) == query(a, [("modality", "MR")])
    images = obiactl("find", a.dir, "--modality", "MR", "--images").stdout.split()
    assert images and all((a.mnt / p).is_file() for p in images)


def check_dicom_json(obj):
    for tag, attr in obj.items():
        assert re.fullmatch(r"[0-9A-F]{8}", tag), tag
        assert attr["vr"] in VRS, (tag, attr)
        # F.2.7: bulk data is InlineBinary (base64) or a BulkDataURI, never a Value array.
        assert len({"Value", "InlineBinary", "BulkDataURI"} & set(attr)) <= 1, (tag, attr)
        if attr["vr"] in ("OB", "OD", "OF", "OL", "OV", "OW", "UN"):
            assert "Value" not in attr, (tag, attr)
            if "InlineBinary" in attr:
                base64.b64decode(attr["InlineBinary"], validate=True)
        if "Value" in attr:
            assert isinstance(attr["Value"], list), tag
            for v in attr["Value"]:
                if attr["vr"] == "PN":
                    assert isinstance(v, dict) and set(v) <= {"Alphabetic", "Ideographic", "Phonetic"}
                elif attr["vr"] == "SQ":
                    check_dicom_json(v)
                elif attr["vr"] in ("US", "SS", "UL", "SL", "FL", "FD", "IS", "DS", "SV", "UV"):
                    assert isinstance(v, (int, float)) or v is None, (tag, v)


def test_sidecars_parse_with_jq_and_follow_the_json_model(archive):
    a = archive
    sidecars = [p for p in a.mnt.rglob("*.json") if "query" not in p.parts]
    assert any(p.name == "series.json" for p in sidecars)
    for p in sidecars + [a.mnt / "stats.json"]:
        r = run("jq", "-e", ".", p)
        first = r.stdout
        assert p.read_text() == first or json.loads(p.read_text()) == json.loads(first)
        assert p.read_bytes() == p.read_bytes()  # stable between reads
        assert len(p.read_bytes()) == p.stat().st_size
    for p in a.mnt.rglob("series.json"):
        attrs = json.loads(p.read_text())["attributes"]
        assert "00080060" in attrs  # Modality is common to a series
        check_dicom_json(attrs)
    readme = (a.mnt / "README.txt").read_text()
    for path in ("query/", "similar/", "inbox/", "stats.json", "participants.tsv"):
        assert path in readme, path
    tsv = (a.mnt / "OBIA0001" / "participants.tsv").read_text().splitlines()
    assert tsv[0].split("\t")[:3] == ["participant_id", "sex", "age"]
    assert len(tsv) - 1 == len([p for p in (a.mnt / "OBIA0001").iterdir() if p.is_dir() and not p.name.startswith(".")])


def test_collection_json_describes_and_follows_collection_set(archive):
    """collection.json carries links and the submitter; `obiactl collection set` changes them on a
    live mount (sidecars are generated per open, with one-second attribute timeouts), and the
    disease facet follows."""
    a = archive
    cj_path = a.mnt / "OBIA0001" / "collection.json"
    obiactl("collection", "set", a.dir, "OBIA0001", "--submitter", "Neuro-oncology, Hospital X",
            "--link", "BioProject=https://www.ncbi.nlm.nih.gov/bioproject/PRJNA1",
            "--keywords", "brain,MR")
    try:
        def described():
            cj = json.loads(cj_path.read_text())
            return (cj["links"] == {"BioProject": "https://www.ncbi.nlm.nih.gov/bioproject/PRJNA1"}
                    and cj["submitter"] == "Neuro-oncology, Hospital X"
                    and cj["keywords"] == ["brain", "MR"] and cj["title"] == "Open")
        conftest.wait_until(described, timeout=10, what="collection.json to show the new fields")
        assert len(cj_path.read_bytes()) == cj_path.stat().st_size

        before = query(a, [("disease", "glioma")])
        assert before and all(p.startswith("OBIA0001/") for p in before)
        obiactl("collection", "set", a.dir, "OBIA0001", "--disease", "astrocytoma",
                "--link", "BioProject=")
        conftest.wait_until(lambda: json.loads(cj_path.read_text())["links"] == {}, timeout=10,
                            what="the link to be removed")
        assert query(a, [("disease", "astrocytoma")]) == before
        assert query(a, [("disease", "glioma")]) == set()

        bad = obiactl("collection", "set", a.dir, "OBIA0001", "--link", "no pair", check=False)
        assert bad.returncode != 0 and "NAME=URL" in bad.stderr
        missing = obiactl("collection", "set", a.dir, "OBIA0042", "--title", "x", check=False)
        assert missing.returncode != 0 and "no collection OBIA0042" in missing.stderr
    finally:
        obiactl("collection", "set", a.dir, "OBIA0001", "--disease", "glioma")
        conftest.wait_until(lambda: json.loads(cj_path.read_text())["disease"] == "glioma",
                            timeout=10, what="the disease to be restored")
