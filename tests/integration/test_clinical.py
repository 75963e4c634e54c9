"""Issue 7, clinical data: `obiactl clinical import` maps rows keyed by the local PatientID to
the right individuals, converts birth dates to the age at the first study (undoing the date
shift), shifts other dates, refuses identifier columns (nothing imported), reports unmatched
rows by line, and never stores or prints a local ID. Values show in individual.json,
participants.tsv and query/."""
import csv
import datetime
import io
import json
import os
import pathlib
import shutil
import tempfile

import pydicom
import pytest

import conftest
from conftest import obiactl, run, synth


@pytest.fixture(scope="module")
def ingested():
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-clinical-"))
    a = conftest.Archive(root)
    a.init()
    try:
        a.create_collection("Clinical test")
        a.mount()
        manifest = root / "manifest.json"
        synth("series", root / "set", "--patients", "4", "--images-per-series", "2",
              "--manifest", manifest, "-q")
        run("cp", "-r", root / "set", a.mnt / "inbox" / "OBIA0001")
        a.wait()
        a.manifest = json.loads(manifest.read_text())
        a.accession_of = map_individuals(a)
        yield a
    finally:
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


def map_individuals(a):
    """Local PatientID -> accession, found the way a test may: through the remapped study UIDs
    (the archive itself keeps no such map)."""
    patient_of_study = {a.remap_uid(f["study_instance_uid"]): f["patient_id"] for f in a.manifest["files"]}
    out = {}
    for ind in (a.mnt / "OBIA0001").iterdir():
        if ind.is_dir() and ind.name.startswith("I"):
            dcm = next(ind.rglob("*.dcm"))
            uid = pydicom.dcmread(dcm, stop_before_pixels=True).StudyInstanceUID
            out[patient_of_study[uid]] = ind.name
    return out


def patients(a):
    """Per local PatientID: birth date, name, and (date, PatientAge) of each original study."""
    out = {}
    for f in a.manifest["files"]:
        p = out.setdefault(f["patient_id"], {"birth": f["identifiers"]["birth_date"][0],
                                             "name": f["patient_name"], "studies": {}})
        p["studies"][f["study_instance_uid"]] = (f["dates"][0], f["retained"]["PatientAge"])
    return out


def individual(a, accession):
    return json.loads((a.mnt / "OBIA0001" / accession / "individual.json").read_text())


def participants(a):
    return list(csv.DictReader(io.StringIO((a.mnt / "OBIA0001" / "participants.tsv").read_text()),
                               delimiter="\t"))


def iso(da):
    return f"{da[:4]}-{da[4:6]}-{da[6:]}"


def days_between(da1, da2):
    d = lambda s: datetime.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    return (d(da2) - d(da1)).days


def no_phi(text, a):
    for pid, p in patients(a).items():
        assert pid not in text
        assert p["birth"] not in text and iso(p["birth"]) not in text
        for part in p["name"].split("^"):
            if len(part) > 2:
                assert part not in text


def test_rows_map_to_individuals_and_birth_dates_become_ages(ingested, tmp_path):
    a = ingested
    ps = patients(a)
    ids = sorted(ps)
    table = tmp_path / "clinical.tsv"
    lines = ["PatientID\tbirth_date\tsmoking\tpack_years\tdiagnosis_date"]
    # Rows in reverse order and one patient that is not in the archive (line 3).
    for n, pid in enumerate(reversed(ids)):
        lines.append(f"{pid}\t{iso(ps[pid]['birth'])}\t{['never', 'former', 'current'][n % 3]}\t{n * 5}"
                     f"\t2017-0{n + 1}-15")
        if n == 0:
            lines.append("MRN-00000001\t1950-01-01\tnever\t0\t2017-01-01")
    table.write_text("\n".join(lines) + "\n")
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID")
    assert "4 matched" in r.stdout
    assert "1 row matches no individual of OBIA0001 (line 3)" in r.stderr
    no_phi(r.stdout + r.stderr, a)

    for n, pid in enumerate(reversed(ids)):
        acc = a.accession_of[pid]
        info = individual(a, acc)
        assert info["clinical"]["smoking"] == ["never", "former", "current"][n % 3]
        assert info["clinical"]["pack_years"] == str(n * 5)
        # Age at the first (earliest) study, from the birth date and the ORIGINAL study date:
        # the same as the PatientAge the scanner wrote for that study.
        first_date, first_age = min(ps[pid]["studies"].values())
        assert int(info["age_at_first_study"]) == int(first_age[:-1])
        assert "birth_date" not in info["clinical"]
        # Other dates are shifted by the individual's offset, like its study dates.
        study = next(p for p in (a.mnt / "OBIA0001" / acc).iterdir() if p.is_dir() and not p.name.startswith("."))
        sj = json.loads((study / "study.json").read_text())
        original = ps[pid]["studies"][next(u for u in ps[pid]["studies"]
                                           if a.remap_uid(u) == sj["study_instance_uid"])][0]
        offset = days_between(original, sj["date"])
        assert offset < 0
        diag = f"20170{n + 1}15"
        assert info["clinical"]["diagnosis_date"] != diag
        assert days_between(diag, info["clinical"]["diagnosis_date"]) == offset

    rows = {r["participant_id"]: r for r in participants(a)}
    assert len(rows) == 4
    for n, pid in enumerate(reversed(ids)):
        assert rows[a.accession_of[pid]]["smoking"] == ["never", "former", "current"][n % 3]
    # Imported columns become search keys.
    assert any(name.startswith("smoking") for name in os.listdir(a.mnt / "query"))


def test_identifier_columns_are_refused_and_nothing_is_imported(ingested, tmp_path):
    a = ingested
    ps = patients(a)
    table = tmp_path / "ids.csv"
    with table.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["PatientID", "ID", "Subject", "Patient Name", "Address", "phone_number",
                    "contact", "alcohol"])
        for n, (pid, p) in enumerate(sorted(ps.items())):
            family, given = p["name"].split("^")[:2]
            w.writerow([pid, n + 1, f"{given} {family}", p["name"], f"Hauptstrasse {n + 3}, 10115 Berlin",
                        f"+49-30-{1234567 + n}", f"{given.lower()}@example.org", "occasional"])
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID", check=False)
    assert r.returncode != 0
    for col, why in [("ID", "identifiers"), ("Subject", "person names"), ("Patient Name", "person names"),
                     ("Address", "address"), ("phone_number", "phone"), ("contact", "email")]:
        line = next(l for l in r.stderr.splitlines() if f'column "{col}" refused' in l)
        assert why in line, line
    assert "nothing imported" in r.stderr.splitlines()[-1]
    no_phi(r.stdout + r.stderr, a)
    for acc in a.accession_of.values():
        assert "alcohol" not in individual(a, acc)["clinical"]

    # Left out with --drop, the rest goes in.
    drops = [x for c in ("ID", "Subject", "Patient Name", "Address", "phone_number", "contact")
             for x in ("--drop", c)]
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID", *drops)
    for acc in a.accession_of.values():
        clinical = individual(a, acc)["clinical"]
        assert clinical["alcohol"] == "occasional"
        assert set(clinical) & {"id", "subject", "patient_name", "address", "phone_number", "contact"} == set()


def test_csv_quoting_dry_run_and_json_report(ingested, tmp_path):
    a = ingested
    pid = sorted(patients(a))[0]
    table = tmp_path / "quoted.csv"
    table.write_bytes(b'PatientID,"histology, WHO 2021","note"\r\n'
                      + f'{pid},"adenocarcinoma, acinar","said ""fine"""\r\n'.encode())
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID",
                "--dry-run", "--json")
    report = json.loads(r.stdout)
    assert report["dry_run"] is True and report["matched"] == 1 and report["unmatched"]["count"] == 0
    assert [c["action"] for c in report["columns"]] == ["id", "keep", "keep"]
    assert report["columns"][1]["attribute"] == "clinical.histology_who_2021"
    no_phi(r.stdout, a)
    acc = a.accession_of[pid]
    assert "histology_who_2021" not in individual(a, acc)["clinical"]
    obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID")
    clinical = individual(a, acc)["clinical"]
    assert clinical["histology_who_2021"] == "adenocarcinoma, acinar"
    assert clinical["note"] == 'said "fine"'


def test_no_local_id_or_birth_date_is_stored(ingested, tmp_path):
    a = ingested
    ps = patients(a)
    table = tmp_path / "birth.tsv"
    table.write_text("PatientID\tdob\n" + "".join(f"{pid}\t{p['birth']}\n" for pid, p in ps.items()))
    obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID")
    for path in (a.dir / "catalog").iterdir():
        data = path.read_bytes()
        for pid, p in ps.items():
            assert pid.encode() not in data
            assert p["birth"].encode() not in data and iso(p["birth"]).encode() not in data


def test_errors_are_one_line_and_name_no_ids(ingested, tmp_path):
    a = ingested
    pid = sorted(patients(a))[0]
    table = tmp_path / "dup.tsv"
    table.write_text(f"PatientID\tx\n{pid}\t1\n{pid}\t2\n")
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "PatientID", check=False)
    assert r.returncode != 0 and "lines 2 and 3 are the same individual" in r.stderr
    assert pid not in r.stderr
    r = obiactl("clinical", "import", a.dir, "OBIA0001", table, "--id-column", "Nope", check=False)
    assert r.returncode != 0 and "Nope" in r.stderr
    r = obiactl("clinical", "import", a.dir, "OBIA0099", table, "--id-column", "PatientID", check=False)
    assert r.returncode != 0 and "OBIA0099" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(f'PatientID,x\n{pid},"open\n')
    r = obiactl("clinical", "import", a.dir, "OBIA0001", bad, "--id-column", "PatientID", check=False)
    assert r.returncode != 0 and "line 2" in r.stderr and pid not in r.stderr
    assert obiactl("clinical", "import", "--help").stdout.count("Example") == 1
