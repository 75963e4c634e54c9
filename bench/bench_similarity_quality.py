#!/usr/bin/python3
"""Benchmark: retrieval quality of the trained model vs the training-free code on labelled real
and generated images, end to end through a mount (ingest, de-identification, codes, eval).

  bench/bench_similarity_quality.py --bin BUILD/daemon [--epochs 8] [--size 128] [--threads N] [--keep DIR]

Sets (each ingested into its own collections of one archive):
  mnist      ../shared/testdata/labeled/medical-mnist: 6 classes x 100 JPEGs, wrapped as DICOM
             with img2dcm; label = the class (collection disease)
  mixed      the 600 above + Debian's pydicom test files and the WG04 reference images (real,
             injected with fake identifiers and fresh UIDs by tests/tools/obia_synth.py) +
             generated CT/MR series (obia_synth.py series); label = modality
For each label: the training-free code (leave-one-out eval), then `similarity train` (prints
held-out scores of model and training-free code on the same split), reindex, eval again.
Prints a markdown table for docs/performance.md.
"""
import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent
SHARED = SOURCE.parent / "shared" / "testdata"
MNIST = SHARED / "labeled" / "medical-mnist"
PYDICOM = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")
SYNTH = SOURCE / "tests" / "tools" / "obia_synth.py"
MODALITY = {"AbdomenCT": "CT", "BreastMRI": "MR", "CXR": "CR", "ChestCT": "CT", "Hand": "CR", "HeadCT": "CT"}


def run(*args, timeout=7200, check=True):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        sys.exit(f"{args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="directory with obiafs and obiactl")
    ap.add_argument("--epochs", default="8")
    ap.add_argument("--size", default="128")
    ap.add_argument("--bits", default="64")
    ap.add_argument("--threads", help="training threads (default: all cores; on a loaded machine 1 is faster)")
    ap.add_argument("--keep", help="work here and keep it (default: a temp dir, removed)")
    a = ap.parse_args()
    obiactl = pathlib.Path(a.bin) / "obiactl"
    obiafs = pathlib.Path(a.bin) / "obiafs"
    work = pathlib.Path(a.keep or tempfile.mkdtemp(prefix="obia-bench-sim-"))
    work.mkdir(parents=True, exist_ok=True)
    archive, mnt, data = work / "archive", work / "mnt", work / "data"
    mnt.mkdir(exist_ok=True)
    try:
        t0 = time.time()
        if not archive.exists():
            run(obiactl, "init", archive)
            colls = {}
            for i, (name, modality) in enumerate(MODALITY.items(), 1):
                colls[name] = run(obiactl, "collection", "create", archive, "--title", f"Medical-MNIST {name}",
                                  "--disease", name).stdout.strip()
                out = data / name
                out.mkdir(parents=True)
                root = f"1.2.826.0.1.3680043.8.498.88.{i}"
                for j, jpeg in enumerate(sorted((MNIST / name).glob("*.jpeg")), 1):
                    run("img2dcm", "-q", "-i", "JPEG", jpeg, out / f"{j:04d}.dcm",
                        "-k", f"PatientID=MNIST-{name}-{(j - 1) // 10}", "-k", f"StudyInstanceUID={root}.{(j - 1) // 10}",
                        "-k", f"SeriesInstanceUID={root}.{(j - 1) // 10}.1", "-k", f"SOPInstanceUID={root}.9.{j}",
                        "-k", f"Modality={modality}", "-k", "SeriesNumber=1", "-k", f"InstanceNumber={j}",
                        "-k", "StudyDate=20200101")
            colls["real"] = run(obiactl, "collection", "create", archive, "--title", "pydicom and WG04").stdout.strip()
            colls["synthetic"] = run(obiactl, "collection", "create", archive, "--title", "Generated CT/MR").stdout.strip()
            src = data / "real-src"
            src.mkdir()
            for p in sorted(PYDICOM.glob("*.dcm")):
                shutil.copy(p, src / p.name)
            if (SHARED / "dicom" / "wg04" / "REF").is_dir():
                for p in sorted((SHARED / "dicom" / "wg04" / "REF").iterdir()):
                    shutil.copy(p, src / (p.name + ".dcm"))
            run("/usr/bin/python3", SYNTH, "inject", src, data / "real")
            run("/usr/bin/python3", SYNTH, "series", data / "synthetic", "--patients", "8", "--studies-per-patient", "1",
                "--series-per-study", "2", "--images-per-series", "12", "--rows", "128", "--cols", "128", "-q")
            run(obiafs, archive, mnt)
            try:
                for name, acc in colls.items():
                    run("cp", "-r", data / name, mnt / "inbox" / acc / name)
                run(obiactl, "wait", archive, "--timeout", "1800", timeout=1900)
            finally:
                run("fusermount3", "-u", mnt, check=False)
                time.sleep(1)
            print(f"ingested in {time.time() - t0:.0f} s", file=sys.stderr)
        print(run(obiactl, "stats", archive).stdout, file=sys.stderr)

        rows = []
        for label in ("disease", "modality"):
            run(obiactl, "similarity", "install", archive, "--training-free")
            run(obiactl, "similarity", "reindex", archive)
            free = run(obiactl, "similarity", "eval", archive, "--label", label, "--k", "30").stdout
            t1 = time.time()
            tr = run(obiactl, "similarity", "train", archive, "--label", label, "--epochs", a.epochs,
                     "--size", a.size, "--bits", a.bits, *(["--threads", a.threads] if a.threads else []),
                     timeout=14400)
            train_s = time.time() - t1
            print(tr.stderr, file=sys.stderr)
            held = re.search(r"held-out mAP@30: model ([0-9.]+), training-free ([0-9.]+)", tr.stdout)
            heldp = re.search(r"held-out precision@30: model ([0-9.]+), training-free ([0-9.]+)", tr.stdout)
            count = re.search(r"trained on (\d+) images \((\d+) labels", tr.stdout)
            run(obiactl, "similarity", "reindex", archive)
            model = run(obiactl, "similarity", "eval", archive, "--label", label, "--k", "30").stdout
            def grab(text, what):
                m = re.search(rf"{what}@30: ([0-9.]+)", text)
                return m.group(1) if m else "?"
            lat = re.search(r"p50 ([0-9.]+) ms, p99 ([0-9.]+) ms", model)
            imgs = re.search(r"\((\d+) of (\d+) labelled images, (\d+) labels", model)
            rows.append((label, imgs.group(2) if imgs else "?", imgs.group(3) if imgs else "?",
                         grab(free, "mAP"), grab(model, "mAP"), grab(free, "precision"), grab(model, "precision"),
                         held.group(2) if held else "?", held.group(1) if held else "?",
                         heldp.group(2) if heldp else "?", heldp.group(1) if heldp else "?",
                         count.group(1) if count else "?", f"{train_s:.0f}", lat.groups() if lat else ("?", "?")))
            print(free, model, tr.stdout, file=sys.stderr)

        print(f"\nepochs {a.epochs}, size {a.size}, bits {a.bits}\n")
        print("| label | images | labels | mAP@30 training-free (LOO) | mAP@30 trained (LOO) | P@30 training-free | P@30 trained "
              "| held-out mAP@30 training-free | held-out mAP@30 trained | held-out P@30 tf | held-out P@30 trained "
              "| trained on | train time | similar_to p50 / p99 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | {r[8]} | {r[9]} | {r[10]} "
                  f"| {r[11]} | {r[12]} s | {r[13][0]} / {r[13][1]} ms |")
    finally:
        subprocess.run(["fusermount3", "-u", "-z", str(mnt)], capture_output=True)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
