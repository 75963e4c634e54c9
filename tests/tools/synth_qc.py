"""obia_synth.py qc: the quality-control corpus (issue 4) with expected ingest outcomes.

Text burned into pixels (ultrasound, secondary capture, RGB screen capture, CT and MR without
a BurnedInAnnotation flag), a flagged ultrasound without text, an ultrasound whose header
text a pixel rule blanks, clean CT/MR negatives, a blank image, identical pixels under a new
SOP Instance UID, a mixed patient, and undecodable JPEG / JPEG 2000 pixel data.
Writes OUTDIR/manifest.json (schema obia-synth-qc/1):
  {"files": {"<relpath>": {"expected", "acceptable", "warning"?, "phase", "description"}},
   "rules": ["<line of ARCHIVE/rules/<C>.pixel>"], ...}
Files of phase 2 refer to archived phase-1 files: ingest phase 1, wait, then phase 2.
"""

import copy
import os
import random

import sys

import numpy as np
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate

import obia_synth as base

QC_SCHEMA = "obia-synth-qc/1"
US_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.6.1"
US_MULTIFRAME_STORAGE = "1.2.840.10008.5.1.4.1.1.3.1"
SC_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG2000_LOSSLESS = "1.2.840.10008.1.2.4.90"

# A 5x7 pixel font (bit 4 = left column), drawn anti-aliased at 2x or 3x below.
FONT = {
    " ": [0, 0, 0, 0, 0, 0, 0], "-": [0, 0, 0, 31, 0, 0, 0], ".": [0, 0, 0, 0, 0, 12, 12],
    "/": [1, 1, 2, 4, 8, 16, 16], ":": [0, 12, 12, 0, 12, 12, 0], ",": [0, 0, 0, 0, 12, 12, 8],
    "0": [14, 17, 19, 21, 25, 17, 14], "1": [4, 12, 4, 4, 4, 4, 14], "2": [14, 17, 1, 2, 4, 8, 31],
    "3": [31, 2, 4, 2, 1, 17, 14], "4": [2, 6, 10, 18, 31, 2, 2], "5": [31, 16, 30, 1, 1, 17, 14],
    "6": [6, 8, 16, 30, 17, 17, 14], "7": [31, 1, 2, 4, 8, 8, 8], "8": [14, 17, 17, 14, 17, 17, 14],
    "9": [14, 17, 17, 15, 1, 2, 12], "A": [14, 17, 17, 31, 17, 17, 17], "B": [30, 17, 17, 30, 17, 17, 30],
    "C": [14, 17, 16, 16, 16, 17, 14], "D": [28, 18, 17, 17, 17, 18, 28], "E": [31, 16, 16, 30, 16, 16, 31],
    "F": [31, 16, 16, 30, 16, 16, 16], "G": [14, 17, 16, 23, 17, 17, 15], "H": [17, 17, 17, 31, 17, 17, 17],
    "I": [14, 4, 4, 4, 4, 4, 14], "J": [7, 2, 2, 2, 2, 18, 12], "K": [17, 18, 20, 24, 20, 18, 17],
    "L": [16, 16, 16, 16, 16, 16, 31], "M": [17, 27, 21, 21, 17, 17, 17], "N": [17, 17, 25, 21, 19, 17, 17],
    "O": [14, 17, 17, 17, 17, 17, 14], "P": [30, 17, 17, 30, 16, 16, 16], "Q": [14, 17, 17, 17, 21, 18, 13],
    "R": [30, 17, 17, 30, 20, 18, 17], "S": [15, 16, 16, 14, 1, 1, 30], "T": [31, 4, 4, 4, 4, 4, 4],
    "U": [17, 17, 17, 17, 17, 17, 14], "V": [17, 17, 17, 17, 17, 10, 4], "W": [17, 17, 17, 21, 21, 21, 10],
    "X": [17, 17, 10, 4, 10, 17, 17], "Y": [17, 17, 10, 4, 4, 4, 4], "Z": [31, 1, 2, 4, 8, 16, 31],
}


def text_mask(text, scale, aa=True):
    """Float mask (0..1) of `text`, anti-aliased by a 3x3 box filter after scaling."""
    h, w = 7 * scale + 2, (6 * len(text)) * scale + 2
    m = np.zeros((h, w), dtype=np.float32)
    for i, ch in enumerate(text.upper()):
        rows = FONT.get(ch, FONT[" "])
        for r, bits in enumerate(rows):
            for c in range(5):
                if bits & (16 >> c):
                    y, x = 1 + r * scale, 1 + (i * 6 + c) * scale
                    m[y:y + scale, x:x + scale] = 1.0
    if not aa:
        return m
    p = np.pad(m, 1)
    blurred = sum(p[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)) / 9.0
    return np.maximum(m * 0.85, blurred)


def draw(img, x, y, text, scale, value, aa=True):
    """Burns `text` into a 2-D (or H x W x 3) array at (x, y) with the given value(s).
    Anti-aliasing belongs to display values (8-bit); scanners burn crisp text into 12-bit
    stored values, where a window would turn grey edges into fat white strokes."""
    m = text_mask(text, scale, aa)
    h = min(m.shape[0], img.shape[0] - y)
    w = min(m.shape[1], img.shape[1] - x)
    m = m[:h, :w]
    region = img[y:y + h, x:x + w].astype(np.float32)
    v = np.asarray(value, dtype=np.float32)
    if img.ndim == 3:
        m = m[:, :, None]
    img[y:y + h, x:x + w] = (region * (1 - m) + v * m).astype(img.dtype)


def ultrasound_frame(rng, rows, cols):
    """Speckle inside a sector, black outside: the look of a B-mode image."""
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    cx, top = cols / 2.0, rows * 0.12
    r = np.hypot(x - cx, y - top)
    ang = np.arctan2(x - cx, y - top)
    inside = (r > rows * 0.08) & (r < rows * 0.95) & (np.abs(ang) < 0.6)
    speckle = rng.rayleigh(1.0, (rows, cols)).astype(np.float32)
    depth_gain = 1.0 - 0.5 * (r / rows)
    img = np.clip(speckle * 45.0 * depth_gain, 0, 235) * inside
    return img.astype(np.uint8)


class Builder:
    """Minimal but valid instances: each call gets its own patient unless one is given."""

    def __init__(self, seed):
        self.seed = seed
        self.used = set()
        self.count = 0

    def patient(self, index):
        return base.Identity(self.seed + 7000, index, self.used)

    def dataset(self, tag, sop_class, modality, ident, study_uid=None, series_uid=None):
        ds = Dataset()
        sop = base.uid_from(self.seed, "qc-sop", tag)
        ds.file_meta = base.new_file_meta(sop_class, sop)
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop
        ds.StudyDate = ds.SeriesDate = "20210614"
        ds.StudyTime = "101500"
        ds.Modality = modality
        ds.Manufacturer = "Voxtrel Medical"
        ds.PatientName, ds.PatientID = ident.name, ident.patient_id
        ds.PatientBirthDate, ds.PatientSex = ident.birth_date, ident.sex
        ds.StudyInstanceUID = study_uid or base.uid_from(self.seed, "qc-study", tag)
        ds.SeriesInstanceUID = series_uid or base.uid_from(self.seed, "qc-series", tag)
        ds.StudyID, ds.SeriesNumber, ds.InstanceNumber = "1", 1, 1
        ds.AccessionNumber = ""
        ds.ReferringPhysicianName = ""
        return ds

    @staticmethod
    def pixels(ds, arr, photometric="MONOCHROME2", bits_stored=None):
        arr = np.ascontiguousarray(arr)
        frames = arr.shape[0] if (arr.ndim == 4 or (arr.ndim == 3 and photometric != "RGB")) else 1
        ds.SamplesPerPixel = 3 if photometric == "RGB" else 1
        ds.PhotometricInterpretation = photometric
        if photometric == "RGB":
            ds.PlanarConfiguration = 0
        ds.Rows, ds.Columns = arr.shape[-3:-1] if photometric == "RGB" else arr.shape[-2:]
        if frames > 1:
            ds.NumberOfFrames = frames
        ds.BitsAllocated = arr.dtype.itemsize * 8
        ds.BitsStored = bits_stored or ds.BitsAllocated
        ds.HighBit = ds.BitsStored - 1
        ds.PixelRepresentation = 0
        ds.PixelData = arr.astype("<u%d" % arr.dtype.itemsize).tobytes()


def phantom(modality, seed, size=256):
    rng = np.random.default_rng([seed, 99, 1 if modality == "CT" else 2])
    return base.Phantom(modality, size, size, rng).slice(0.1)


def set_ct_mr_header(ds, modality):
    if modality == "CT":
        ds.RescaleIntercept, ds.RescaleSlope = "-1024", "1"
        ds.WindowCenter, ds.WindowWidth = "40", "400"
    else:
        ds.WindowCenter, ds.WindowWidth = "900", "1800"


def cmd_ultrasounds(out, seed, n):
    """`qc --ultrasounds N`: N single-frame 480x640 ultrasounds without text (4 patients), for
    the ingest-rate comparison of docs/performance.md: every one goes to OCR (prone modality)
    and is archived, so the set measures OCR's full cost."""
    b = Builder(seed)
    rng = np.random.default_rng(seed)
    patients = [b.patient(100 + k) for k in range(4)]
    for i in range(n):
        p = patients[i % 4]
        ds = b.dataset(f"us-set-{i}", US_IMAGE_STORAGE, "US", p,
                       study_uid=base.uid_from(seed, "qc-us-study", str(i % 4)),
                       series_uid=base.uid_from(seed, "qc-us-series", str(i % 4)))
        ds.InstanceNumber = i // 4 + 1
        b.pixels(ds, ultrasound_frame(rng, 480, 640))
        path = os.path.join(out, f"us{i % 4:02d}", f"img{i // 4 + 1:05d}.dcm")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        base.write_dicom(path, ds)
    print(f"wrote {n} ultrasounds to {out}", file=sys.stderr)
    return 0


def cmd_qc(a):
    out, seed = a.outdir, a.seed
    os.makedirs(out, exist_ok=True)
    if a.ultrasounds:
        return cmd_ultrasounds(out, seed, a.ultrasounds)
    b = Builder(seed)
    rng = np.random.default_rng(seed)
    files, order = {}, []

    def put(rel, ds, expected, why, acceptable=None, warning=None, phase=1):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        base.write_dicom(path, ds)
        e = {"expected": expected, "acceptable": acceptable or [expected], "description": why,
             "phase": phase, "patient_id": str(ds.get("PatientID", "")),
             "sop_instance_uid": str(ds.get("SOPInstanceUID", ""))}
        if warning:
            e["warning"] = warning
        files[rel] = e
        order.append(rel)

    # --- text burned into the pixels
    p = b.patient(0)
    ds = b.dataset("us-text", US_IMAGE_STORAGE, "US", p)
    img = ultrasound_frame(rng, 480, 640)
    draw(img, 8, 6, f"{p.family} {p.given}", 2, 255)
    draw(img, 8, 26, p.patient_id.replace("-", " "), 2, 255)
    draw(img, 470, 6, "14/06/2021 10:15", 2, 230)
    b.pixels(ds, img)
    put("text/us_name_mrn.dcm", ds, "burned-in-text", "ultrasound, patient name and MRN rendered top left")

    p = b.patient(1)
    ds = b.dataset("us-cine", US_MULTIFRAME_STORAGE, "US", p)
    frames = np.stack([ultrasound_frame(rng, 400, 520) for _ in range(5)])
    for f in frames:
        draw(f, 10, 8, f"{p.family} {p.patient_id}", 2, 250)
    b.pixels(ds, frames)
    put("text/us_cine_text.dcm", ds, "burned-in-text", "5-frame ultrasound cine, name and MRN in every frame")

    p = b.patient(2)
    ds = b.dataset("sc-form", SC_IMAGE_STORAGE, "OT", p)
    ds.ConversionType = "WSD"
    form = np.full((512, 512), 235, dtype=np.uint8)
    for k, line in enumerate([f"PATIENT {p.family}", f"ID {p.patient_id}", "BIRTH 1964 05 20",
                              "REFERRAL CARDIOLOGY", "FINDINGS NORMAL"]):
        draw(form, 24, 30 + 40 * k, line, 3, 20)
    b.pixels(ds, form)
    put("text/sc_scanned_form.dcm", ds, "burned-in-text", "secondary capture of a form: dark text on light")

    p = b.patient(3)
    ds = b.dataset("rgb-capture", SC_IMAGE_STORAGE, "OT", p)
    ds.ConversionType = "WSD"
    cap = np.zeros((480, 640, 3), dtype=np.uint8)
    cap[:, :] = (40, 44, 52)
    cap[0:28, :] = (30, 80, 160)
    cap[60:420, 160:520] = (phantom("MR", seed, 360)[:, :, None] // 16).astype(np.uint8)
    draw(cap, 8, 6, f"VIEWER - {p.family}", 2, (255, 255, 255))
    draw(cap, 8, 60, p.patient_id, 2, (255, 220, 0))
    draw(cap, 8, 90, "SERIES 3", 2, (200, 200, 200))
    b.pixels(ds, cap, "RGB")
    put("text/rgb_screen_capture.dcm", ds, "burned-in-text", "RGB screen capture of a viewer with a title bar")

    for k, modality in enumerate(["CT", "MR"]):
        p = b.patient(4 + k)
        ds = b.dataset(f"{modality}-text", base.CT_IMAGE_STORAGE if modality == "CT" else base.MR_IMAGE_STORAGE,
                       modality, p)
        # The anatomy inside a field of view with air around it; the text in the air, where
        # scanners put it (crisp, at the top of the stored range).
        img = np.zeros((320, 320), dtype=np.uint16)
        img[32:288, 32:288] = phantom(modality, seed + k)
        if modality == "CT":
            img[img == 0] = 24  # air, -1000 HU
        draw(img, 4, 4, p.family, 2, 4095, aa=False)
        draw(img, 4, 300, p.patient_id, 2, 4095, aa=False)
        draw(img, 190, 4, "14 06 2021", 2, 4095, aa=False)
        b.pixels(ds, img, bits_stored=12)
        set_ct_mr_header(ds, modality)
        put(f"text/{modality.lower()}_annotated.dcm", ds, "burned-in-text",
            f"{modality} phantom with name, ID and date rendered at full intensity; no BurnedInAnnotation")

    p = b.patient(6)
    ds = b.dataset("us-flag", US_IMAGE_STORAGE, "US", p)
    ds.BurnedInAnnotation = "YES"
    b.pixels(ds, ultrasound_frame(rng, 480, 640))
    put("text/us_flagged_without_text.dcm", ds, "burned-in-text",
        "BurnedInAnnotation YES, no text in the pixels, no rule: quarantined on the flag")

    # --- a known header region blanked by the collection's rule
    p = b.patient(7)
    ds = b.dataset("us-rule", US_IMAGE_STORAGE, "US", p)
    ds.Manufacturer = "Acme Sonics"
    ds.BurnedInAnnotation = "YES"
    img = ultrasound_frame(rng, 480, 640)
    img[:40, :] = 0
    draw(img, 8, 10, f"{p.family} {p.patient_id}", 2, 255)
    b.pixels(ds, img)
    put("rules/us_acme_header.dcm", ds, "ok",
        "text only in rows 0-39, which the rule blanks; archived with BurnedInAnnotation NO")
    rules = ['modality=US manufacturer="Acme Sonics" rows=480 columns=640 : 0,0,640,40']

    # --- clean negatives, warnings, and phase-2 files that refer to them
    clean_ct = None
    for k in range(3):
        for modality in ("CT", "MR"):
            p = b.patient(10 + 2 * k + (modality == "MR"))
            ds = b.dataset(f"clean-{modality}-{k}",
                           base.CT_IMAGE_STORAGE if modality == "CT" else base.MR_IMAGE_STORAGE, modality, p)
            b.pixels(ds, phantom(modality, seed + 10 + k, 256), bits_stored=12)
            set_ct_mr_header(ds, modality)
            put(f"clean/{modality.lower()}_{k + 1:02d}.dcm", ds, "ok", f"{modality} phantom without text")
            if clean_ct is None:
                clean_ct = ds

    p = b.patient(20)
    ds = b.dataset("blank", base.CT_IMAGE_STORAGE, "CT", p)
    b.pixels(ds, np.full((128, 128), 24, dtype=np.uint16), bits_stored=12)
    set_ct_mr_header(ds, "CT")
    put("warn/blank_ct.dcm", ds, "ok", "every pixel 24 (-1000 HU)", warning="blank-image")

    ds = copy.deepcopy(clean_ct)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = base.uid_from(seed, "qc-sop", "pixel-copy")
    ds.InstanceNumber = 2
    put("warn/pixel_copy.dcm", ds, "ok", "clean/ct_01.dcm's pixels under a new SOP Instance UID",
        warning="duplicate-pixels", phase=2)

    other = b.patient(21)
    ds = copy.deepcopy(clean_ct)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = base.uid_from(seed, "qc-sop", "mixed")
    ds.PatientName, ds.PatientID = other.name, other.patient_id
    ds.PixelData = phantom("CT", seed + 55, 256).tobytes()
    ds.InstanceNumber = 3
    put("bad/mixed_patient.dcm", ds, "mixed-patient",
        "clean/ct_01.dcm's study under another PatientID", phase=2)

    for tag, ts, name in (("jpeg", JPEG_BASELINE, "undecodable_jpeg.dcm"),
                          ("j2k", JPEG2000_LOSSLESS, "undecodable_j2k.dcm")):
        p = b.patient(30 + len(name))
        ds = b.dataset(f"undecodable-{tag}", base.CT_IMAGE_STORAGE, "CT", p)
        b.pixels(ds, phantom("CT", seed, 64), bits_stored=12)
        r = random.Random(f"{seed}:{tag}")
        junk = (b"\xff\xd8\xff\xdb" if tag == "jpeg" else b"\xff\x4f\xff\x51") + bytes(
            r.getrandbits(8) for _ in range(2000))
        ds.PixelData = encapsulate([junk])
        ds["PixelData"].is_undefined_length = True
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = ts
        ds.is_little_endian, ds.is_implicit_VR = True, False
        put(f"bad/{name}", ds, "undecodable", f"{tag.upper()} transfer syntax, fragment of random bytes")

    manifest = {"schema": QC_SCHEMA, "generator": "obia_synth.py qc", "seed": seed,
                "outcomes": ["ok", "burned-in-text", "mixed-patient", "undecodable"],
                "warnings": ["blank-image", "duplicate-pixels"],
                "rules": rules, "ingest_order": order, "files": files}
    base.write_json(os.path.join(out, "manifest.json"), manifest)
    print(f"wrote {len(files)} files + manifest.json to {out}", file=sys.stderr)
    return 0


def add_parser(sub, epilog, formatter):
    q = sub.add_parser("qc", help="generate the quality-control corpus (+ manifest.json)",
                       epilog=epilog, formatter_class=formatter)
    q.add_argument("outdir", help="created if missing; gets text/ rules/ clean/ warn/ bad/ and manifest.json")
    q.add_argument("--seed", type=int, default=1, metavar="S")
    q.add_argument("--ultrasounds", type=int, default=0, metavar="N",
                   help="instead: N text-free ultrasounds (the OCR ingest-rate set)")
    q.set_defaults(fn=cmd_qc)

