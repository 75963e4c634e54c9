#!/usr/bin/python3
"""obia_synth: synthetic DICOM test data for OBIA.

Subcommands
  series  realistic multi-patient CT/MR sets carrying fake identifiers, plus a manifest
  bad     a corpus of broken / hostile / edge-case inputs with expected ingest outcomes
  inject  copy real DICOM files and inject fake identifiers into them, plus a manifest
  scan    search files for the identifying strings listed in a manifest (leak check)
  qc      the quality-control corpus: text in pixels, rules, blank, pixel copies (synth_qc.py)

Everything is deterministic for a given --seed.  Needs only Debian's python3-pydicom (2.3)
and python3-numpy; run it with /usr/bin/python3.
"""

import argparse
import copy
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import struct
import sys
import time
import warnings
import zlib

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

# ------------------------------------------------------------------------------------------
# constants

UID_ROOT = "1.2.826.0.1.3680043.8.498."
IMPLEMENTATION_CLASS_UID = UID_ROOT + "1"
IMPLEMENTATION_VERSION = "OBIA_SYNTH_1"
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
PRIVATE_GROUP = 0x0009
PRIVATE_CREATOR = "ACME 1.0"
MANIFEST_SCHEMA = "obia-synth-manifest/1"
BAD_SCHEMA = "obia-synth-bad/1"

# Profile options (deid/profile.h names) under which a category of identifiers is legitimately
# kept.  Every other category must never survive de-identification.
RETAINED_UNDER = {
    "institution": "retain-institution-identity",
    "device": "retain-device-identity",
}

# Distinctive name pools: no common English words, so byte searches give no false positives.
PATIENT_SURNAMES = [
    "Kowalczyk", "Wojciechowska", "Szczepaniak", "Brzezinski", "Grzybowska", "Przybylski",
    "Zielonkiewicz", "Oyelaran", "Nakagawara", "Thorvaldsdottir", "Quintanilla", "Okonkwo",
    "Vlasenko", "Hadjidakis", "Papadimitriou", "Szabolcsi", "Vukovich", "Jaaskelainen",
    "Haverkamp", "Oberhuber", "Wintersteiger", "Fitzgibbon", "Iturriaga", "Etxeberria",
    "Goikoetxea", "Ruiperez", "Castellvi", "Bertolazzi", "Zanardelli", "Abramowicz",
    "Dziedzic", "Kaczmarczyk", "Chmielewska", "Pietrzykowski", "Gwiazdowski", "Tsvetkova",
    "Radoslavov", "Demirkaya", "Yildirimoglu", "Karagiannis", "Eftimiadis", "Nkemelu",
    "Adeyemo", "Ogunleye", "Sigurjonsson", "Halvorsrud", "Kvistgaard", "Mikkelsdottir",
]
PATIENT_GIVEN = [
    "Margarethe", "Ignatius", "Philomena", "Bartholomaeus", "Evangelina", "Leopoldine",
    "Wenceslas", "Hieronyma", "Casimira", "Theodosius", "Ottilie", "Walburga", "Kunigunde",
    "Friedemann", "Radomir", "Zdzislaw", "Jadwiga", "Bozena", "Wieslawa", "Przemyslaw",
    "Eulalia", "Perpetua", "Anselmo", "Ludovica", "Crescenzo", "Benedetta", "Ermenegildo",
    "Seraphina", "Thaddeus", "Ysolde", "Aurelio", "Fortunata", "Gudmundur", "Ragnhildur",
]
STAFF_SURNAMES = [
    "Wielgosz", "Pfisterer", "Haberkorn", "Vandersteen", "Oosterhuis", "Rautenberg",
    "Scheidegger", "Tschudin", "Zwahlen", "Baumgartl", "Strohmaier", "Eichhorst", "Kirchmair",
    "Lechleitner", "Pichlmayr", "Moosbrugger", "Brandstaetter", "Hinterhuber", "Waldburger",
    "Ruckstuhl", "Niederberger", "Grubenmann", "Zurbriggen", "Oberholzer",
]
STAFF_GIVEN = [
    "Ottokar", "Hieronymus", "Saskia", "Ruediger", "Annelore", "Wolfram", "Irmtraud",
    "Hannelore", "Siegfried", "Eberhard", "Roswitha", "Gundula", "Traugott", "Waltraud",
    "Reinhild", "Diethelm", "Lieselotte", "Gerlinde",
]
# Patients and institutions draw from disjoint town/street pools, so that a retained
# institution address can never contain a patient-address needle (and vice versa).
# Postcodes are 5-digit or dashed: a bare 4-digit code ("2000") could equal a retained
# numeric value (RepetitionTime, ...) and make a whole-token PHI matcher cry wolf.
PATIENT_TOWNS = [
    ("Zabierzow", "32-080"), ("Oberkirchbach", "77704"), ("Kraljevica", "51262"),
    ("Tarnobrzeg", "39-400"), ("Trzebinia", "32-540"), ("Lubartow", "21-100"),
    ("Myslenice", "32-400"), ("Gengenbach", "77723"), ("Bischofsgruen", "95493"),
    ("Przemkow", "59-170"),
]
INSTITUTION_TOWNS = [
    ("Szczawnica", "34-460"), ("Wieliczka", "32-020"), ("Kirchzarten", "79199"),
    ("Hinterzarten", "79856"), ("Oberstdorf", "87561"), ("Ustrzyki", "38-700"),
    ("Zakopane", "34-500"),
]
PATIENT_STREETS = [
    "Jaskolcza", "Kirchsteigweg", "Hungerbichlweg", "Rosenauerstrasse", "Sloneczna",
    "Kastanienallee", "Zielonogorska", "Lerchenfeldgasse",
]
INSTITUTION_STREETS = [
    "Wrzosowa", "Pfarrwiesengasse", "Bergbauernweg", "Moosbachstrasse", "Podgorska",
    "Mlynarska",
]
INSTITUTION_KINDS = ["Klinikum", "Kreiskrankenhaus", "Radiologiezentrum", "Szpital Powiatowy"]
DEPARTMENTS = ["Radiologie", "Neuroradiologie", "Diagnostyka Obrazowa"]
# Generic words used in the templates above; never used as byte-search needles.
STOPWORDS = {
    "klinikum", "kreiskrankenhaus", "radiologiezentrum", "szpital", "powiatowy", "radiologie",
    "neuroradiologie", "diagnostyka", "obrazowa", "follow", "patient", "admission", "prior",
    "reports", "requested", "history", "kontrolle", "reachable", "slice",
}

CT_VENDOR = ("Voxtrel Medical", "Voxtrel Helion 64", "VX-4.2.1")
MR_VENDOR = ("Magnovar Systems", "Magnovar Aurum 1.5T", "MG-11.0.3")


# ------------------------------------------------------------------------------------------
# helpers

def uid_from(*parts):
    """Deterministic UID under UID_ROOT from arbitrary parts (max 64 chars, no leading zero)."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    n = int.from_bytes(h[:16], "big")
    digits = str(n)[: 64 - len(UID_ROOT)]
    return UID_ROOT + digits.lstrip("0")


def pn_text(pn):
    """'Family^Given^Middle' -> 'Given Family' (free-text form)."""
    parts = pn.split("^")
    return " ".join(p for p in (parts[1] if len(parts) > 1 else "", parts[0]) if p)


def tokens_of(s):
    """Distinctive tokens (>=5 alnum chars, not a template stopword) of an identifying string."""
    out = []
    for t in re.split(r"[^0-9A-Za-z]+", s):
        if len(t) >= 5 and t.lower() not in STOPWORDS and t not in out:
            out.append(t)
    return out


def fmt_ds(v):
    s = f"{v:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def date_str(y, m, d):
    return f"{y:04d}{m:02d}{d:02d}"


def new_file_meta(sop_class, sop_instance, ts=ExplicitVRLittleEndian):
    fm = FileMetaDataset()
    fm.FileMetaInformationVersion = b"\x00\x01"
    fm.MediaStorageSOPClassUID = sop_class
    fm.MediaStorageSOPInstanceUID = sop_instance
    fm.TransferSyntaxUID = ts
    fm.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    fm.ImplementationVersionName = IMPLEMENTATION_VERSION
    return fm


def write_dicom(path, ds):
    """Standard Part 10 file: preamble, meta with group length, explicit lengths."""
    pydicom.dcmwrite(path, ds, write_like_original=False)


def dicom_bytes(ds, like_original=False):
    bio = io.BytesIO()
    pydicom.dcmwrite(bio, ds, write_like_original=like_original)
    return bio.getvalue()


# ------------------------------------------------------------------------------------------
# fake identities

class Identity:
    """All fake identifying values of one patient, deterministic from (seed, index)."""

    def __init__(self, seed, index, used_names):
        r = random.Random(f"obia-synth:{seed}:patient:{index}")
        while True:
            fam = r.choice(PATIENT_SURNAMES)
            if index >= len(PATIENT_SURNAMES):
                fam = fam + "-" + r.choice(PATIENT_SURNAMES)
            given = r.choice(PATIENT_GIVEN)
            if (fam, given) not in used_names:
                used_names.add((fam, given))
                break
        self.family, self.given = fam, given
        self.sex = r.choice("FM")
        self.name = f"{fam}^{given}^{r.choice('ABCDEGHJKLMNPRSTW')}"
        self.patient_id = f"MRN-{r.randrange(10_000_000, 99_999_999)}"
        self.other_ids = [f"KV-{r.choice('QXZ')}{r.randrange(100_000_000, 999_999_999)}",
                          f"HOSP-{r.randrange(10_000_000, 99_999_999)}"]
        by, bm, bd = r.randrange(1938, 1992), r.randrange(1, 13), r.randrange(1, 29)
        self.birth = (by, bm, bd)
        self.birth_date = date_str(by, bm, bd)
        town, post = r.choice(PATIENT_TOWNS)
        self.address = f"{r.choice(PATIENT_STREETS)} {r.randrange(2, 199)}, {post} {town}"
        self.phone = f"+{r.choice(['48', '43', '41', '36', '49'])}-{r.randrange(12, 99)}-" \
                     f"{r.randrange(2_000_000, 9_999_999)}"
        self.weight = fmt_ds(round(r.uniform(48, 112), 1))
        # A private date is removed, never shifted; drawn from years no study date (shifted or
        # not) falls in, so a leak scan cannot mistake another file's shifted study date for it.
        self.private_date = date_str(r.randrange(1901, 1916), r.randrange(1, 13),
                                     r.randrange(1, 29))
        self.rng = r

    def age_at(self, y, m, d):
        by, bm, bd = self.birth
        a = y - by - ((m, d) < (bm, bd))
        return f"{a:03d}Y"


def staff_name(r, with_title=False):
    n = f"{r.choice(STAFF_SURNAMES)}^{r.choice(STAFF_GIVEN)}"
    return n + "^^Dr." if with_title else n


def institution(r):
    town, post = r.choice(INSTITUTION_TOWNS)
    name = f"{town} {r.choice(INSTITUTION_KINDS)}"
    addr = f"{r.choice(INSTITUTION_STREETS)} {r.randrange(1, 120)}, {post} {town}"
    return name, addr, r.choice(DEPARTMENTS)


class Collector:
    """Records identifying strings by category, plus retained values, for the manifest."""

    def __init__(self):
        self.cats = {}

    def add(self, cat, *values):
        lst = self.cats.setdefault(cat, [])
        for v in values:
            v = str(v) if v is not None else ""
            if v and v not in lst:
                lst.append(v)

    def merged(self, other):
        c = Collector()
        for src in (self, other):
            for k, v in src.cats.items():
                c.add(k, *v)
        return c

    def entry(self):
        flat, needles = [], {}
        for cat, vals in self.cats.items():
            for v in vals:
                if v not in flat:
                    flat.append(v)
                for t in tokens_of(v):
                    needles.setdefault(cat, [])
                    if t not in needles[cat]:
                        needles[cat].append(t)
        return {"identifiers": {k: list(v) for k, v in self.cats.items()},
                "identifying_strings": flat, "needles": needles}


# ------------------------------------------------------------------------------------------
# identifier injection (shared by `series` and `inject`)

def inject_patient(ds, ident, col, free_text_context="follow-up"):
    """Patient-level identifiers, private block, free text, deep sequence."""
    ds.PatientName = ident.name
    ds.PatientID = ident.patient_id
    ds.IssuerOfPatientID = ""
    ds.PatientBirthDate = ident.birth_date
    ds.OtherPatientIDs = ident.other_ids
    ds.OtherPatientIDsSequence = Sequence([
        _other_id_item(ident.other_ids[0], "KVNR-REGISTER"),
        _other_id_item(ident.other_ids[1], "LEGACYHIS"),
    ])
    ds.PatientAddress = ident.address
    ds.PatientTelephoneNumbers = ident.phone
    ds.AdditionalPatientHistory = (
        f"{pn_text(ident.name)} ({ident.patient_id}) {free_text_context}; "
        f"reachable at {ident.phone}")
    ds.ImageComments = f"{free_text_context} {ident.family}"
    blk = ds.private_block(PRIVATE_GROUP, PRIVATE_CREATOR, create=True)
    blk.add_new(0x01, "LO", pn_text(ident.name))
    blk.add_new(0x02, "DA", ident.private_date)
    blk.add_new(0x03, "LO", ident.patient_id)
    col.add("patient_name", ident.name, ident.family, ident.given)
    col.add("patient_id", ident.patient_id)
    col.add("other_patient_ids", *ident.other_ids)
    col.add("birth_date", ident.birth_date)
    col.add("address", ident.address)
    col.add("phone", ident.phone)
    col.add("free_text", ds.AdditionalPatientHistory, ds.ImageComments)
    col.add("private", pn_text(ident.name), ident.private_date)


def _other_id_item(pid, issuer):
    it = Dataset()
    it.PatientID = pid
    it.IssuerOfPatientID = issuer
    it.TypeOfPatientID = "TEXT"
    return it


def _code(value, scheme, meaning):
    it = Dataset()
    it.CodeValue = value
    it.CodingSchemeDesignator = scheme
    it.CodeMeaning = meaning
    return it


def deep_request_sequence(accession, proc_id, person, col):
    """RequestAttributesSequence > ScheduledProtocolCodeSequence > ProtocolContextSequence >
    ContentItemModifierSequence > PersonName: a PN four sequences deep."""
    mod = Dataset()
    mod.ValueType = "PNAME"
    mod.ConceptNameCodeSequence = Sequence([_code("121008", "DCM", "Person Observer Name")])
    mod.PersonName = person
    ctx = Dataset()
    ctx.ValueType = "TEXT"
    ctx.ConceptNameCodeSequence = Sequence([_code("121106", "DCM", "Comment")])
    ctx.TextValue = "protocol as scheduled"
    ctx.ContentItemModifierSequence = Sequence([mod])
    proto = _code("PROT-THX", "99OBIA", "Imaging protocol")
    proto.ProtocolContextSequence = Sequence([ctx])
    req = Dataset()
    req.AccessionNumber = accession
    req.RequestedProcedureID = proc_id
    req.ScheduledProcedureStepID = proc_id + "-1"
    req.ScheduledProtocolCodeSequence = Sequence([proto])
    col.add("deep_sequence", person)
    col.add("accession", accession)
    col.add("request_ids", proc_id, proc_id + "-1")
    return Sequence([req])


# ------------------------------------------------------------------------------------------
# pixel phantoms

class Phantom:
    """Anatomy-like 12-bit content: a thorax for CT (HU + 1024), a head for MR."""

    def __init__(self, modality, rows, cols, rng):
        self.modality, self.rows, self.cols, self.rng = modality, rows, cols, rng
        y = np.linspace(-1.0, 1.0, rows, dtype=np.float32)[:, None]
        x = np.linspace(-1.0, 1.0, cols, dtype=np.float32)[None, :]
        self.x, self.y = x, y
        j = lambda s: float(rng.uniform(-s, s))  # noqa: E731 (per-series anatomical variation)
        self.j = j
        base = np.empty((rows, cols), dtype=np.float32)
        if modality == "CT":
            base.fill(-1000.0)
            self._fill(base, 0, 0.05, 0.92 + j(.03), 0.66 + j(.03), -95.0)      # fat
            self._fill(base, 0, 0.05, 0.86 + j(.03), 0.60 + j(.03), 45.0)       # muscle/soft
            self._fill(base, j(.03), 0.50, 0.09, 0.08, 650.0)                   # vertebra
            self._fill(base, 0.0, -0.52, 0.06, 0.05, 450.0)                     # sternum
            self.lungs = [(-0.38 + j(.03), 0.0 + j(.03)), (0.38 + j(.03), 0.02 + j(.03))]
            self.noise_sd = 14.0
        else:
            base.fill(0.0)
            self._fill(base, 0, 0, 0.86 + j(.02), 0.94 + j(.02), 620.0)         # scalp
            self._fill(base, 0, 0, 0.80 + j(.02), 0.88 + j(.02), 120.0)         # skull
            self._fill(base, 0, 0.02, 0.74 + j(.02), 0.82 + j(.02), 780.0)      # grey matter
            self._fill(base, 0, 0.02, 0.62 + j(.02), 0.70 + j(.02), 930.0)      # white matter
            self.noise_sd = 22.0
        self.base = base

    def _fill(self, img, cx, cy, a, b, val):
        # restrict to the bounding box of the ellipse for speed
        r0 = max(0, int((cy - b + 1) / 2 * (self.rows - 1)))
        r1 = min(self.rows, int(math.ceil((cy + b + 1) / 2 * (self.rows - 1))) + 1)
        c0 = max(0, int((cx - a + 1) / 2 * (self.cols - 1)))
        c1 = min(self.cols, int(math.ceil((cx + a + 1) / 2 * (self.cols - 1))) + 1)
        if r0 >= r1 or c0 >= c1:
            return
        xs, ys = self.x[:, c0:c1], self.y[r0:r1, :]
        m = ((xs - cx) / a) ** 2 + ((ys - cy) / b) ** 2 <= 1.0
        img[r0:r1, c0:c1][m] = val

    def slice(self, t):
        """t in [-1, 1]: position of the slice through the organ stack."""
        img = self.base.copy()
        s = math.sqrt(max(0.0, 1.0 - 0.8 * t * t))
        if self.modality == "CT":
            for cx, cy in self.lungs:
                self._fill(img, cx, cy, 0.26 * s + 0.02, 0.40 * s + 0.02, -840.0)
            self._fill(img, 0.12, -0.08 + 0.05 * t, 0.22 * s + 0.03, 0.20 * s + 0.03, 38.0)
            self._fill(img, 0.05, 0.30, 0.07, 0.07, 180.0)                      # aorta
            noise = self.rng.standard_normal(img.shape, dtype=np.float32) * self.noise_sd
            out = img + noise + 1024.0
        else:
            self._fill(img, -0.10, -0.05, 0.07 * s + 0.02, 0.22 * s + 0.02, 1750.0)  # ventricles
            self._fill(img, 0.10, -0.05, 0.07 * s + 0.02, 0.22 * s + 0.02, 1750.0)
            self._fill(img, 0.0, 0.55, 0.30 * s + 0.05, 0.18 * s + 0.03, 840.0)       # cerebellum
            n1 = self.rng.standard_normal(img.shape, dtype=np.float32) * self.noise_sd
            n2 = self.rng.standard_normal(img.shape, dtype=np.float32) * self.noise_sd
            out = np.sqrt((img + n1) ** 2 + n2 ** 2)                          # Rician
        return np.clip(out, 0, 4095).astype("<u2")


# ------------------------------------------------------------------------------------------
# `series`

def size_to_matrix(kb):
    """rows == cols (even) so the file is about `kb` KiB (pixel data dominates)."""
    header = 5000
    n = max(8, int(round(math.sqrt(max(64, kb * 1024 - header) / 2))))
    return n + (n % 2), n + (n % 2)


def build_series_template(seed, ident, pi, st, se, modality, study, rows, cols, col):
    r = random.Random(f"obia-synth:{seed}:series:{pi}:{st}:{se}")
    ds = Dataset()
    is_ct = modality == "CT"
    sop_class = CT_IMAGE_STORAGE if is_ct else MR_IMAGE_STORAGE
    ds.file_meta = new_file_meta(sop_class, "")
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL" if is_ct else "OTHER"]
    ds.InstanceCreationDate = study["date"]
    ds.InstanceCreationTime = study["time"]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ""
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study["date"]
    ds.StudyTime = study["time"]
    series_time = f"{int(study['time'][:2]):02d}{(int(study['time'][2:4]) + 3 * se) % 60:02d}00"
    ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = series_time
    ds.AccessionNumber = study["accession"]
    ds.Modality = modality
    vendor = CT_VENDOR if is_ct else MR_VENDOR
    ds.Manufacturer = vendor[0]
    ds.InstitutionName = study["institution"][0]
    ds.InstitutionAddress = study["institution"][1]
    ds.ReferringPhysicianName = study["referring"]
    station = f"{'CTS' if is_ct else 'MRS'}{r.randrange(10000, 99999)}"
    ds.StationName = station
    ds.StudyDescription = study["description"]
    body = "CHEST" if is_ct else "HEAD"
    ds.SeriesDescription = ("AX THORAX 2.5MM STD" if is_ct else "COR T2 TSE")
    ds.InstitutionalDepartmentName = study["institution"][2]
    performing = staff_name(r, with_title=True)
    operator = staff_name(r)
    ds.PerformingPhysicianName = performing
    ds.OperatorsName = operator
    ds.ManufacturerModelName = vendor[1]
    ds.PatientName = ""
    ds.PatientID = ""
    inject_patient(ds, ident, col, free_text_context="follow-up")
    ds.PatientSex = ident.sex
    ds.PatientAge = study["age"]
    ds.PatientWeight = ident.weight
    ds.BodyPartExamined = body
    serial = f"SN{r.randrange(1000000, 9999999)}"
    ds.DeviceSerialNumber = serial
    ds.SoftwareVersions = vendor[2]
    ds.ProtocolName = "THORAX ROUTINE" if is_ct else "BRAIN ROUTINE"
    ds.PatientPosition = "HFS"
    if is_ct:
        ds.KVP = "120"
        ds.DataCollectionDiameter = "500"
        ds.ReconstructionDiameter = "350"
        ds.GantryDetectorTilt = "0"
        ds.TableHeight = "152"
        ds.RotationDirection = "CW"
        ds.ExposureTime = "750"
        ds.XRayTubeCurrent = "220"
        ds.Exposure = "165"
        ds.FilterType = "BODY"
        ds.GeneratorPower = "26"
        ds.FocalSpots = "0.7"
        ds.ConvolutionKernel = "STANDARD"
        thickness, fov = 2.5, 350.0
    else:
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "SK"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "2D"
        ds.RepetitionTime = "4000"
        ds.EchoTime = "98"
        ds.EchoTrainLength = "16"
        ds.NumberOfAverages = "2"
        ds.ImagingFrequency = "63.87"
        ds.ImagedNucleus = "1H"
        ds.MagneticFieldStrength = "1.5"
        ds.SpacingBetweenSlices = "4"
        ds.FlipAngle = "90"
        thickness, fov = 4.0, 240.0
    ds.SliceThickness = fmt_ds(thickness)
    ds.StudyInstanceUID = study["uid"]
    ds.SeriesInstanceUID = uid_from(seed, "series", pi, st, se)
    ds.StudyID = study["study_id"]
    ds.SeriesNumber = se + 1
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = uid_from(seed, "for", pi, st, se)
    ds.PositionReferenceIndicator = ""
    ds.ImagePositionPatient = [0, 0, 0]
    if is_ct:
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]        # axial
    else:
        ds.ImageOrientationPatient = [1, 0, 0, 0, 0, -1]       # coronal
    ds.SliceLocation = "0"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = rows, cols
    spacing = fov / max(rows, cols)
    ds.PixelSpacing = [fmt_ds(spacing), fmt_ds(spacing)]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    if is_ct:
        ds.WindowCenter, ds.WindowWidth = ["40", "-600"], ["400", "1500"]
        ds.WindowCenterWidthExplanation = ["MEDIASTINUM", "LUNG"]
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
    else:
        ds.WindowCenter, ds.WindowWidth = "900", "1800"
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "0", "1", "US"
    ds.RequestAttributesSequence = deep_request_sequence(
        study["accession"], study["proc_id"], study["deep_person"], col)
    ds.add_new(0x7FE00010, "OW", b"")
    col.add("institution", *study["institution"])
    col.add("referring_physician", study["referring"])
    col.add("performing_physician", performing)
    col.add("operators", operator)
    col.add("accession", study["accession"])
    col.add("study_id", study["study_id"])
    col.add("free_text", study["description"])
    col.add("device", station, serial)
    geom = {"thickness": thickness, "spacing": spacing, "fov_r": spacing * rows,
            "fov_c": spacing * cols, "is_ct": is_ct}
    retained = {"PatientSex": ident.sex, "PatientAge": study["age"],
                "PatientWeight": ident.weight, "Manufacturer": vendor[0],
                "Modality": modality, "BodyPartExamined": body}
    return ds, geom, retained


def set_geometry(ds, geom, i, n):
    t = geom["thickness"]
    z = (i - (n - 1) / 2.0) * t
    if geom["is_ct"]:
        ipp = [-geom["fov_c"] / 2, -geom["fov_r"] / 2, z - 120.0]
        loc = ipp[2]
    else:
        ipp = [-geom["fov_c"] / 2, z, geom["fov_r"] / 2]
        loc = z
    ds.ImagePositionPatient = [fmt_ds(v) for v in ipp]
    ds.SliceLocation = fmt_ds(loc)


def make_studies(seed, ident, pi, n_studies):
    studies = []
    r = random.Random(f"obia-synth:{seed}:studies:{pi}")
    y0 = r.randrange(2015, 2021)
    for st in range(n_studies):
        y, m, d = y0 + st, r.randrange(1, 13), r.randrange(1, 29)
        date = date_str(y, m, d)
        studies.append({
            "date": date,
            "time": f"{r.randrange(7, 18):02d}{r.randrange(0, 60):02d}{r.randrange(0, 60):02d}",
            "uid": uid_from(seed, "study", pi, st),
            "accession": f"ACC{r.randrange(100_000_000, 999_999_999)}",
            "study_id": f"SX{r.randrange(100_000, 999_999)}",
            "proc_id": f"RP{r.randrange(1_000_000, 9_999_999)}",
            "institution": institution(r),
            "referring": staff_name(r, with_title=True),
            "deep_person": staff_name(r),
            "age": ident.age_at(y, m, d),
            "description": f"Kontrolle follow-up {ident.family}",
        })
    return studies


def generate_series_set(outdir, patients=3, studies=2, series=2, images=5, rows=64, cols=64,
                        seed=1, progress=False):
    """Writes the set; returns the manifest dict."""
    os.makedirs(outdir, exist_ok=True)
    files = []
    used = set()
    t0 = time.time()
    total = patients * studies * series * images
    count = 0
    for pi in range(patients):
        ident = Identity(seed, pi, used)
        for st, study in enumerate(make_studies(seed, ident, pi, studies)):
            for se in range(series):
                modality = "CT" if se % 2 == 0 else "MR"
                col = Collector()
                ds, geom, retained = build_series_template(
                    seed, ident, pi, st, se, modality, study, rows, cols, col)
                rng = np.random.default_rng([seed, pi, st, se])
                ph = Phantom(modality, rows, cols, rng)
                rel_dir = os.path.join(f"pat{pi + 1:03d}", f"study{st + 1:02d}",
                                       f"series{se + 1:02d}_{modality}")
                os.makedirs(os.path.join(outdir, rel_dir), exist_ok=True)
                base_comment = ds.ImageComments
                ident_entry = col.entry()
                for i in range(images):
                    sop = uid_from(seed, "sop", pi, st, se, i)
                    ds.SOPInstanceUID = sop
                    ds.InstanceNumber = i + 1
                    set_geometry(ds, geom, i, images)
                    ds.ImageComments = f"{base_comment}, slice {i + 1}"
                    t = 0.0 if images == 1 else -1.0 + 2.0 * i / (images - 1)
                    ds.PixelData = ph.slice(0.9 * t).tobytes()
                    rel = os.path.join(rel_dir, f"img{i + 1:04d}.dcm")
                    write_dicom(os.path.join(outdir, rel), ds)
                    e = {"path": rel, "patient_id": ident.patient_id,
                         "patient_name": ident.name, "modality": modality,
                         "sop_class_uid": ds.SOPClassUID,
                         "study_instance_uid": study["uid"],
                         "series_instance_uid": ds.SeriesInstanceUID,
                         "sop_instance_uid": sop,
                         "instance_number": i + 1}
                    e.update(ident_entry)
                    e["identifying_strings"] = e["identifying_strings"] + [ds.ImageComments]
                    e["dates"] = sorted({study["date"]})
                    e["retained"] = retained
                    files.append(e)
                    count += 1
                    if progress and count % 500 == 0:
                        print(f"  {count}/{total} files, {time.time() - t0:.1f}s",
                              file=sys.stderr)
    summary = {}
    for f in files:
        p = summary.setdefault(f["patient_id"], {"patient_id": f["patient_id"],
                                                  "patient_name": f["patient_name"],
                                                  "studies": [], "series": [], "files": 0})
        if f["study_instance_uid"] not in p["studies"]:
            p["studies"].append(f["study_instance_uid"])
        if f["series_instance_uid"] not in p["series"]:
            p["series"].append(f["series_instance_uid"])
        p["files"] += 1
    return {"schema": MANIFEST_SCHEMA, "generator": "obia_synth.py series", "seed": seed,
            "uid_root": UID_ROOT, "retained_under": RETAINED_UNDER,
            "parameters": {"patients": patients, "studies_per_patient": studies,
                           "series_per_study": series, "images_per_series": images,
                           "rows": rows, "cols": cols},
            "patients": list(summary.values()),
            "files": files}


def cmd_series(a):
    rows, cols = a.rows, a.cols
    if a.size_kb:
        rows, cols = size_to_matrix(a.size_kb)
    t0 = time.time()
    m = generate_series_set(a.outdir, a.patients, a.studies_per_patient, a.series_per_study,
                            a.images_per_series, rows, cols, a.seed, progress=not a.quiet)
    dt = time.time() - t0
    if a.manifest:
        write_json(a.manifest, m)
    n = len(m["files"])
    total = sum(os.path.getsize(os.path.join(a.outdir, f["path"])) for f in m["files"])
    if not a.quiet:
        print(f"wrote {n} files ({total / 1e6:.1f} MB, {rows}x{cols}) to {a.outdir} in "
              f"{dt:.1f}s ({n / max(dt, 1e-9) * 60:.0f} files/min)", file=sys.stderr)
    return 0


def write_json(path, obj):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------------
# `bad`

def png_bytes(w=16, h=16):
    """Minimal valid 8-bit greyscale PNG (a gradient)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes((x * 16 + y) & 0xFF for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def jpeg_bytes():
    """Minimal valid baseline JPEG: 16x16 greyscale, uniform mid-grey, standard tables."""
    def seg(marker, payload):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload
    app0 = seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = seg(0xDB, b"\x00" + bytes([1] * 64))
    sof = seg(0xC0, struct.pack(">BHHB", 8, 16, 16, 1) + b"\x01\x11\x00")
    # Annex K.3 standard luminance tables
    dc_bits = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    dc_vals = bytes(range(12))
    ac_bits = bytes([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D])
    ac_vals = bytes.fromhex(
        "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a16"
        "1718191a25262728292a3435363738393a434445464748494a535455565758595a63646566676869"
        "6a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
        "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
        "f9fa")
    dht = seg(0xC4, b"\x00" + dc_bits + dc_vals + b"\x10" + ac_bits + ac_vals)
    sos = seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    # 4 blocks, each: DC diff category 0 (code '00') + EOB (code '1010') = 24 bits
    scan = bytes([0b00101000, 0b10100010, 0b10001010])
    return b"\xff\xd8" + app0 + dqt + sof + dht + sos + scan + b"\xff\xd9"


def find_pixel_data(buf):
    """Offset of the (7FE0,0010) tag and of its value, in explicit VR little endian bytes."""
    off = buf.rfind(b"\xe0\x7f\x10\x00")
    if off < 0:
        raise ValueError("no pixel data element")
    vr = buf[off + 4:off + 6]
    if vr in (b"OB", b"OW", b"UN"):
        return off, off + 12, struct.unpack("<I", buf[off + 8:off + 12])[0]
    raise ValueError("unexpected pixel data encoding")


def element_spans(buf, start, end):
    """Top-level elements of explicit VR little endian bytes in [start, end):
    [(group, element, value_offset, value_length)]; stops at an undefined length."""
    out, pos = [], start
    while pos + 8 <= end:
        g, e = struct.unpack("<HH", buf[pos:pos + 4])
        vr = buf[pos + 4:pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"SQ", b"UT", b"UN", b"UC",
                  b"UR", b"SV", b"UV"):
            ln = struct.unpack("<I", buf[pos + 8:pos + 12])[0]
            voff = pos + 12
        else:
            ln = struct.unpack("<H", buf[pos + 6:pos + 8])[0]
            voff = pos + 8
        if ln == 0xFFFFFFFF:
            break
        out.append((g, e, voff, ln))
        pos = voff + ln
    return out


def cut_inside(buf, start, end, group, element):
    """An offset strictly inside the value of (group,element), or the middle of [start,end)."""
    for g, e, voff, ln in element_spans(buf, start, end):
        if (g, e) == (group, element) and ln >= 2:
            return voff + ln // 2
    return start + (end - start) // 2 + 1


def meta_end(buf):
    if buf[128:132] != b"DICM":
        raise ValueError("no preamble")
    glen = struct.unpack("<I", buf[140:144])[0]
    return 144 + glen


def cmd_bad(a):
    out = a.outdir
    os.makedirs(out, exist_ok=True)
    seed = a.seed
    ident_entry = None
    if a.from_file:
        base = pydicom.dcmread(a.from_file, force=False)
        ts = base.file_meta.TransferSyntaxUID
        if ts.is_compressed:
            sys.exit("bad: --from file must have uncompressed pixel data")
        if not ts.is_little_endian and int(base.get("BitsAllocated", 8)) == 16 \
                and "PixelData" in base:
            # native big endian OW: pydicom writes raw pixel bytes as they are, so swap them
            base.PixelData = np.frombuffer(base.PixelData, ">u2").astype("<u2").tobytes()
        base.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        base.is_little_endian, base.is_implicit_VR = True, False
        base_desc = os.path.abspath(a.from_file)
    else:
        tmp = os.path.join(out, ".base")
        m = generate_series_set(tmp, 1, 1, 1, 1, 64, 64, seed)
        base = pydicom.dcmread(os.path.join(tmp, m["files"][0]["path"]))
        ident_entry = {k: m["files"][0][k] for k in
                       ("identifiers", "identifying_strings", "needles", "retained")}
        shutil.rmtree(tmp)
        base_desc = "generated CT (obia_synth.py series, 1 image, 64x64, seed %d)" % seed
    if "PixelData" not in base:
        sys.exit("bad: base file has no pixel data")

    entries = {}
    order = []

    def variant(tag):
        """Fresh copy of the base with its own SOPInstanceUID."""
        d = copy.deepcopy(base)
        d.SOPInstanceUID = uid_from(seed, "bad-sop", tag)
        return d

    def fresh_study(d, tag):
        d.StudyInstanceUID = uid_from(seed, "bad-study", tag)
        d.SeriesInstanceUID = uid_from(seed, "bad-series", tag)

    def put(name, data, expected, why, acceptable=None, **extra):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        e = {"expected": expected, "acceptable": acceptable or [expected], "description": why}
        e.update(extra)
        entries[name] = e
        order.append(name)

    def uids(d):
        return {k: str(d.get(k, "")) for k in
                ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")}

    ref = dicom_bytes(base)
    put("ok_reference.dcm", ref, "ok", "valid reference file; ingest it first",
        patient_id=str(base.get("PatientID", "")), uids=uids(base),
        **(ident_entry or {}))
    put("duplicate_of_reference.dcm", ref, "duplicate",
        "byte-identical copy of ok_reference.dcm", duplicate_of="ok_reference.dcm",
        patient_id=str(base.get("PatientID", "")), uids=uids(base), **(ident_entry or {}))
    c = copy.deepcopy(base)
    bits = int(c.get("BitsStored", 8))
    dt = "<u2" if int(c.get("BitsAllocated", 8)) == 16 else "u1"
    px = np.frombuffer(c.PixelData, dtype=dt).copy()
    half = px.size // 2                  # invert the first half of the image
    px[:half] = (1 << bits) - 1 - (px[:half] & ((1 << bits) - 1))
    c.PixelData = px.tobytes()
    put("conflict_with_reference.dcm", dicom_bytes(c), "conflict",
        "same SOPInstanceUID (and patient/study/series) as ok_reference.dcm, different pixels",
        conflicts_with="ok_reference.dcm", patient_id=str(base.get("PatientID", "")),
        uids=uids(c), **(ident_entry or {}))

    # raw dataset: no preamble, no file meta; implicit VR little endian (PS3.5 default TS)
    d = variant("nometa")
    d.is_little_endian, d.is_implicit_VR = True, True
    d.file_meta = FileMetaDataset()
    d.preamble = None
    bio = DicomBytesIO()
    bio.is_little_endian, bio.is_implicit_VR = True, True
    pydicom.filewriter.write_dataset(bio, d)
    put("no_preamble_no_meta.dcm", bio.getvalue(), "ok",
        "bare dataset, implicit VR little endian, no 128-byte preamble, no DICM, no group 2; "
        "all UIDs and PatientID present. DCMTK reads such files (auto-detects the transfer "
        "syntax), so it is expected to be accepted; an archive that insists on Part 10 files "
        "would quarantine it as corrupt", acceptable=["ok", "corrupt"],
        patient_id=str(base.get("PatientID", "")), uids=uids(d), **(ident_entry or {}))

    # truncations, each of a variant with its own SOPInstanceUID
    def trunc(tag):
        b = dicom_bytes(variant(tag))
        return b, meta_end(b), find_pixel_data(b)

    b, me, _ = trunc("t-pre")
    put("truncated_in_preamble.dcm", b[:100], "corrupt", "first 100 bytes only (inside preamble)")
    b, me, _ = trunc("t-meta")
    cut = cut_inside(b, 132, me, 0x0002, 0x0003)
    put("truncated_in_meta.dcm", b[:cut], "corrupt",
        f"cut at byte {cut}, inside the MediaStorageSOPInstanceUID value of the file meta "
        f"group (which ends at {me})")
    b, me, (ptag, pval, plen) = trunc("t-hdr")
    cut = cut_inside(b, me, ptag, 0x0010, 0x0020)
    put("truncated_in_dataset_header.dcm", b[:cut], "corrupt",
        f"cut at byte {cut}, inside the PatientID value, well before the pixel data")
    b, me, (ptag, pval, plen) = trunc("t-px")
    cut = pval + plen // 2
    put("truncated_in_pixel_data.dcm", b[:cut], "corrupt",
        f"cut at byte {cut}, in the middle of the pixel data value")
    b, me, _ = trunc("t-1")
    put("truncated_one_byte_short.dcm", b[:-1], "corrupt", "last byte of pixel data missing")
    put("empty.dcm", b"", "corrupt", "zero-length file")
    rnd = random.Random(f"obia-synth:{seed}:random")
    put("random_bytes.dcm", bytes(rnd.getrandbits(8) for _ in range(8192)), "corrupt",
        "8 KiB of random bytes")
    put("random_after_dicm.dcm",
        b"\x00" * 128 + b"DICM" + bytes(rnd.getrandbits(8) for _ in range(4096)), "corrupt",
        "valid preamble and DICM prefix followed by random bytes")
    put("image.png", png_bytes(), "corrupt", "valid 16x16 greyscale PNG, not DICOM")
    put("image.jpg", jpeg_bytes(), "corrupt", "valid 16x16 greyscale baseline JPEG, not DICOM")

    # patient identity problems (own study/series so no cross-patient mixing can occur)
    d = variant("nopid")
    fresh_study(d, "nopid")
    del d.PatientID
    put("no_patient_id.dcm", dicom_bytes(d), "no-patient-id", "PatientID (0010,0020) absent",
        uids=uids(d))
    d = variant("blankpid")
    fresh_study(d, "blankpid")
    d.PatientID = ""
    d.PatientName = ""
    put("blank_patient_id_and_name.dcm", dicom_bytes(d), "no-patient-id",
        "PatientID and PatientName present but empty (zero length)", uids=uids(d))
    d = variant("spacepid")
    fresh_study(d, "spacepid")
    d["PatientID"].value = "    "
    put("whitespace_patient_id.dcm", dicom_bytes(d), "no-patient-id",
        "PatientID is only spaces (blank after trimming padding)", uids=uids(d))

    # UID problems
    d = variant("nosop")
    fresh_study(d, "nosop")
    del d.SOPInstanceUID
    d.file_meta = new_file_meta(d.SOPClassUID, "")
    del d.file_meta.MediaStorageSOPInstanceUID
    d.preamble = b"\x00" * 128
    put("missing_sop_instance_uid.dcm", _write_meta_as_is(d), "bad-uid",
        "SOPInstanceUID absent from the dataset and MediaStorageSOPInstanceUID absent from the "
        "file meta", uids=uids(d))
    d = variant("badstudy")
    fresh_study(d, "badstudy")
    with warnings.catch_warnings():          # pydicom warns about the invalid value
        warnings.simplefilter("ignore")
        d.StudyInstanceUID = "1.2.abc"
    put("malformed_study_uid.dcm", dicom_bytes(d), "bad-uid",
        "StudyInstanceUID is '1.2.abc' (non-numeric component)", uids=uids(d))
    d = variant("longseries")
    fresh_study(d, "longseries")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d.SeriesInstanceUID = (UID_ROOT + "9" * 64)[:65]
    put("series_uid_too_long.dcm", dicom_bytes(d), "bad-uid",
        "SeriesInstanceUID is 65 characters (limit 64)", uids=uids(d))

    # hostile
    d = variant("oversized")
    fresh_study(d, "oversized")
    with warnings.catch_warnings():          # far beyond CS's 16 characters
        warnings.simplefilter("ignore")
        d.Modality = "CT" + "Y" * 600
        d.BodyPartExamined = "X" * 2000
    put("oversized_cs_values.dcm", dicom_bytes(d), "ok",
        "Modality of 602 and BodyPartExamined of 2,000 characters (CS allows 16): archived, the "
        "series name and the search values cut short, never a failed catalog commit", uids=uids(d))
    d = variant("hugepx")
    b = bytearray(dicom_bytes(d))
    ptag, pval, plen = find_pixel_data(bytes(b))
    b[pval - 4:pval] = struct.pack("<I", 0xFFFFFFF0)
    put("huge_length_pixel_data.dcm", bytes(b), "corrupt",
        "pixel data declares 0xFFFFFFF0 bytes (4 GiB) but the file is small: a reader must not "
        "allocate the declared length", uids=uids(d))
    d = variant("hugesq")
    b = dicom_bytes(d)
    me = meta_end(b)
    # (0008,0006) LanguageCodeSequence, SQ, explicit length 0xFFFFFFF0, inserted first
    hostile = struct.pack("<HH", 0x0008, 0x0006) + b"SQ\x00\x00" + struct.pack("<I", 0xFFFFFFF0)
    # keep tag order: insert after (0008,0005) SpecificCharacterSet if present
    ins = me
    if b[me:me + 4] == struct.pack("<HH", 0x0008, 0x0005):
        ins = me + 8 + struct.unpack("<H", b[me + 6:me + 8])[0]
    put("huge_length_sequence.dcm", b[:ins] + hostile + b[ins:], "corrupt",
        "a sequence near the start declares an explicit length of 0xFFFFFFF0", uids=uids(d))
    d = variant("deep")
    leaf = Dataset()
    leaf.ValueType = "PNAME"
    leaf.PersonName = str(base.get("PatientName", "")) or "Deepnest^Hieronyma"
    node = leaf
    for _ in range(200):
        parent = Dataset()
        parent.ValueType = "CONTAINER"
        parent.ContentSequence = Sequence([node])
        node = parent
    d.ContentSequence = node.ContentSequence
    put("deep_nesting_200.dcm", dicom_bytes(d), "corrupt",
        "ContentSequence nested 200 levels deep with a PN (the patient name) at the bottom. "
        "Expected to be rejected by a depth limit; an archive without one may accept it, but "
        "then the name at depth 200 must not survive de-identification",
        acceptable=["corrupt", "ok"], leaf_person_name=str(leaf.PersonName), depth=200,
        uids=uids(d), patient_id=str(base.get("PatientID", "")), **(ident_entry or {}))

    manifest = {"schema": BAD_SCHEMA, "generator": "obia_synth.py bad", "seed": seed,
                "base": base_desc,
                "outcomes": ["ok", "corrupt", "no-patient-id", "bad-uid", "duplicate",
                             "conflict"],
                "ingest_order": order, "files": entries}
    write_json(os.path.join(out, "manifest.json"), manifest)
    print(f"wrote {len(entries)} files + manifest.json to {out}", file=sys.stderr)
    return 0


def _write_meta_as_is(d):
    bio = io.BytesIO()
    pydicom.dcmwrite(bio, d, write_like_original=True)
    return bio.getvalue()


# ------------------------------------------------------------------------------------------
# `inject`

SKIP_SOP_CLASSES = {"1.2.840.10008.1.3.10"}   # Media Storage Directory (DICOMDIR)


def read_fully(path):
    """dcmread(force=False) and touch every element; raises on any problem."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", DeprecationWarning)   # pydicom's DicomDir notice
        ds = pydicom.dcmread(path, force=False)
        ds.walk(lambda d, e: e.value)
        if "PixelData" in ds and not ds.file_meta.TransferSyntaxUID.is_compressed:
            n = (ds.Rows * ds.Columns * int(ds.get("NumberOfFrames", 1) or 1)
                 * ds.SamplesPerPixel * ds.BitsAllocated + 7) // 8
            if len(ds.PixelData) < n:
                raise ValueError(f"pixel data too short ({len(ds.PixelData)} < {n})")
    return ds


def _why(ex):
    lines = str(ex).strip().splitlines() or [""]
    return f"{type(ex).__name__}: {lines[0]}"[:240]


def cmd_inject(a):
    src, out = os.path.abspath(a.srcdir), os.path.abspath(a.outdir)
    os.makedirs(out, exist_ok=True)
    files, skipped = [], []
    patients = {}
    used = set()
    for root, dirs, names in os.walk(src):
        dirs.sort()
        for nm in sorted(names):
            path = os.path.join(root, nm)
            rel = os.path.relpath(path, src)
            try:
                ds = read_fully(path)
            except Exception as ex:  # noqa: BLE001 - any failure means "skip"
                skipped.append({"path": rel, "reason": _why(ex)})
                continue
            sop_class = str(ds.get("SOPClassUID", ""))
            if sop_class in SKIP_SOP_CLASSES or not sop_class:
                skipped.append({"path": rel, "reason": "not an image (no SOP class or DICOMDIR)"})
                continue
            missing = [k for k in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID")
                       if not str(ds.get(k, "")).strip()]
            if missing:
                skipped.append({"path": rel, "reason": "missing " + ",".join(missing)})
                continue
            orig_pid = str(ds.get("PatientID", ""))
            if orig_pid not in patients:
                patients[orig_pid] = Identity(a.seed, len(patients), used)
            ident = patients[orig_pid]
            orig = {k: str(ds.get(k, "")) for k in
                    ("PatientID", "PatientName", "StudyInstanceUID", "SeriesInstanceUID",
                     "SOPInstanceUID")}
            col = Collector()
            r = random.Random(f"obia-synth:{a.seed}:inject:{rel}")
            try:
                inject_patient(ds, ident, col, free_text_context="re-read")
                inst = institution(r)
                ds.InstitutionName = inst[0]
                ds.InstitutionAddress = inst[1]
                ds.ReferringPhysicianName = staff_name(r, with_title=True)
                ds.StudyDescription = f"Kontrolle follow-up {ident.family}"
                col.add("institution", inst[0], inst[1])
                col.add("referring_physician", ds.ReferringPhysicianName)
                col.add("free_text", ds.StudyDescription)
                if not a.keep_uids:
                    # unique per output file: the pydicom test files reuse UIDs across files
                    ds.StudyInstanceUID = uid_from(a.seed, "inj-study", orig_pid,
                                                   orig["StudyInstanceUID"])
                    ds.SeriesInstanceUID = uid_from(a.seed, "inj-series", orig_pid,
                                                    orig["SeriesInstanceUID"], rel)
                    ds.SOPInstanceUID = uid_from(a.seed, "inj-sop", rel)
                if not isinstance(ds.file_meta, FileMetaDataset) or \
                        "TransferSyntaxUID" not in ds.file_meta:
                    raise ValueError("no transfer syntax")
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                dst = os.path.join(out, rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                data = dicom_bytes(ds)
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    chk = pydicom.dcmread(io.BytesIO(data), force=False)
                    chk.walk(lambda d, e: e.value)
                with open(dst, "wb") as f:
                    f.write(data)
            except Exception as ex:  # noqa: BLE001
                skipped.append({"path": rel, "reason": "write: " + _why(ex)})
                continue
            e = {"path": rel, "source": path, "patient_id": ident.patient_id,
                 "patient_name": ident.name, "modality": str(ds.get("Modality", "")),
                 "sop_class_uid": sop_class,
                 "transfer_syntax_uid": str(ds.file_meta.TransferSyntaxUID),
                 "study_instance_uid": str(ds.StudyInstanceUID),
                 "series_instance_uid": str(ds.SeriesInstanceUID),
                 "sop_instance_uid": str(ds.SOPInstanceUID),
                 "original": orig}
            e.update(col.entry())
            e["dates"] = sorted({str(ds.get(k)) for k in ("StudyDate", "SeriesDate",
                                                          "AcquisitionDate", "ContentDate")
                                 if ds.get(k)})
            e["retained"] = {k: (str(ds.get(k)) if ds.get(k) not in (None, "") else None)
                             for k in ("PatientSex", "PatientAge", "PatientWeight",
                                       "Manufacturer")}
            files.append(e)
    m = {"schema": MANIFEST_SCHEMA, "generator": "obia_synth.py inject", "seed": a.seed,
         "uid_root": UID_ROOT, "retained_under": RETAINED_UNDER, "source": src,
         "files": files, "skipped": skipped}
    if a.manifest:
        write_json(a.manifest, m)
    print(f"injected {len(files)} files into {out}; skipped {len(skipped)}", file=sys.stderr)
    for s in skipped:
        print(f"  skipped {s['path']}: {s['reason']}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------------------
# `scan`

def cmd_scan(a):
    with open(a.manifest) as f:
        m = json.load(f)
    excl = set(a.exclude_category or [])
    for opt in a.profile_option or []:
        excl |= {c for c, o in m.get("retained_under", RETAINED_UNDER).items() if o == opt}
    needles = {}
    entries = m["files"].values() if isinstance(m["files"], dict) else m["files"]  # bad/series
    for e in entries:
        if "identifiers" not in e:
            continue
        src = e["identifiers"] if a.full_strings else e["needles"]
        for cat, vals in src.items():
            if cat in excl:
                continue
            for v in vals:
                if len(v) >= a.min_length:
                    needles.setdefault(v.lower().encode("latin-1", "replace"), cat)
    if not needles:
        print("manifest lists no identifying strings to search for", file=sys.stderr)
        return 2
    # A numeric needle (a postcode, an ID) can occur by chance inside the long decimal of a
    # remapped UID (2.25.<39 digits>): numbers count only as whole numbers.
    def alt(n):
        return (rb"(?<![0-9])" + re.escape(n) + rb"(?![0-9])") if n.isdigit() else re.escape(n)
    pattern = re.compile(b"|".join(alt(n) for n in sorted(needles, key=len, reverse=True)))
    hits = 0
    scanned = 0
    for p in a.paths:
        walk = [(p, [], [""])] if os.path.isfile(p) else os.walk(p)
        for root, _, names in walk:
            for nm in names:
                fp = os.path.join(root, nm) if nm else root
                try:
                    with open(fp, "rb") as f:
                        data = f.read()
                except OSError as ex:
                    print(f"{fp}: unreadable: {ex}", file=sys.stderr)
                    continue
                scanned += 1
                for mt in pattern.finditer(data.lower()):
                    hits += 1
                    n = mt.group(0)
                    print(f"{fp}: offset {mt.start()}: {n.decode('latin-1')!r} "
                          f"({needles[n]})")
                    if hits >= a.max_hits:
                        print("too many hits; stopping", file=sys.stderr)
                        return 1
    print(f"scanned {scanned} files for {len(needles)} strings: {hits} hit(s)", file=sys.stderr)
    return 1 if hits else 0


# ------------------------------------------------------------------------------------------
# CLI

EPILOG = """\
examples:
  # default set: 3 patients x 2 studies x 2 series (CT, MR) x 5 images, 64x64
  tests/tools/obia_synth.py series /tmp/synth --manifest /tmp/synth.json

  # benchmark set: 2000 files of ~500 KiB (20 patients x 2 x 2 x 25 images)
  tests/tools/obia_synth.py series /tmp/bench --patients 20 --images-per-series 25 \\
      --size-kb 500 --manifest /tmp/bench.json

  # bad-input corpus with expected outcomes in /tmp/bad/manifest.json
  tests/tools/obia_synth.py bad /tmp/bad

  # inject fake identifiers into pydicom's test files
  tests/tools/obia_synth.py inject /usr/lib/python3/dist-packages/pydicom/data/test_files \\
      /tmp/real --manifest /tmp/real.json

  # leak check: any identifying string of the manifest left in a mounted archive?
  tests/tools/obia_synth.py scan --manifest /tmp/synth.json /mnt/obia
  tests/tools/obia_synth.py scan --manifest /tmp/synth.json \\
      --profile-option retain-institution-identity /mnt/obia
"""


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="obia_synth.py", description=__doc__.split("\n\n")[0],
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    s = sub.add_parser("series", help="generate a multi-patient CT/MR set",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("outdir", help="created if missing; files go to "
                   "patNNN/studyNN/seriesNN_{CT,MR}/imgNNNN.dcm")
    s.add_argument("--patients", type=int, default=3, metavar="N", help="(default 3)")
    s.add_argument("--studies-per-patient", type=int, default=2, metavar="N",
                   help="(default 2)")
    s.add_argument("--series-per-study", type=int, default=2, metavar="N",
                   help="series alternate CT (axial thorax), MR (coronal head), CT, ... "
                        "(default 2)")
    s.add_argument("--images-per-series", type=int, default=5, metavar="N",
                   help="(default 5)")
    s.add_argument("--rows", type=int, default=64, metavar="R", help="(default 64)")
    s.add_argument("--cols", type=int, default=64, metavar="C", help="(default 64)")
    s.add_argument("--size-kb", type=int, default=0, metavar="K",
                   help="pick a square matrix so each file is about K KiB "
                        "(overrides --rows/--cols); 500 gives 504x504")
    s.add_argument("--seed", type=int, default=1, metavar="S",
                   help="all names, IDs, UIDs and pixels derive from it (default 1)")
    s.add_argument("--manifest", metavar="FILE", help="write the JSON manifest here")
    s.add_argument("-q", "--quiet", action="store_true")
    s.set_defaults(fn=cmd_series)

    b = sub.add_parser("bad", help="generate the bad-input corpus (+ manifest.json)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("outdir", help="created if missing; gets the files and manifest.json")
    b.add_argument("--from", dest="from_file", metavar="DICOMFILE",
                   help="base the corpus on this (uncompressed) file instead of a generated CT")
    b.add_argument("--seed", type=int, default=1, metavar="S")
    b.set_defaults(fn=cmd_bad)

    i = sub.add_parser("inject", help="inject fake identifiers into real DICOM files",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("srcdir", help="searched recursively")
    i.add_argument("outdir", help="output keeps the relative paths of srcdir")
    i.add_argument("--manifest", metavar="FILE", help="write the JSON manifest here")
    i.add_argument("--seed", type=int, default=1, metavar="S")
    i.add_argument("--keep-uids", action="store_true",
                   help="keep the original Study/Series/SOP Instance UIDs (default: replace "
                        "them so every output file is a distinct instance)")
    i.set_defaults(fn=cmd_inject)

    c = sub.add_parser("scan", help="search files for a manifest's identifying strings",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="+", help="files or directories")
    c.add_argument("--manifest", required=True, metavar="FILE",
                   help="a manifest of `series`, `inject` or `bad`")
    c.add_argument("--full-strings", action="store_true",
                   help="search the full identifying strings instead of the needle tokens")
    c.add_argument("--exclude-category", action="append", metavar="CAT",
                   help="ignore a category (repeatable), e.g. institution")
    c.add_argument("--profile-option", action="append", metavar="OPT",
                   help="ignore categories retained under this profile option (repeatable)")
    c.add_argument("--min-length", type=int, default=5, metavar="N",
                   help="ignore strings shorter than N (default 5)")
    c.add_argument("--max-hits", type=int, default=50, metavar="N",
                   help="stop after N hits (default 50)")
    c.set_defaults(fn=cmd_scan)

    import synth_qc  # `qc`: the quality-control corpus (issue 4), in its own module
    synth_qc.add_parser(sub, EPILOG, argparse.RawDescriptionHelpFormatter)

    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
