#!/usr/bin/python3
"""OBIA filesystem benchmark: ingest, reads and tree walks, each as a ratio to native.

One run builds (or reuses) a synthetic DICOM set, ingests it through a real mount, then reads
the archived images through the mount and the same bytes straight from ARCHIVE/objects/, and
walks the tree against a native copy of it. Every result is a ratio ours/native measured in the
same run, alternating the two sides; nothing here asserts an absolute time.

Progress goes to stderr; the Markdown table to stdout; --json writes every number.
"""
import argparse
import ctypes
import json
import os
import pathlib
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
SYNTH = REPO / "tests" / "tools" / "obia_synth.py"
READER_C = pathlib.Path(__file__).resolve().parent / "reader.c"
PYTHON = "/usr/bin/python3"
COLLECTION = "OBIA0001"
T0 = time.monotonic()

TARGETS = {"ingest": 0.5, "warm": 0.9, "cold": 0.6, "walk": 0.8}

EXAMPLES = """
examples:
  # the full benchmark (2,000 images of ~0.5 MB), Release binaries in build-bench:
  bench/bench_fs.py --bin build-bench/daemon --json /tmp/bench.json

  # a quick try (200 images of 100 KB, one repetition):
  bench/bench_fs.py --bin build/daemon --files 200 --size-kb 100 --repeat 1

  # on a machine busy with other work, give both sides (readers, cp, obiafs) priority:
  bench/bench_fs.py --bin build/daemon --nice -10

  # ingest with 4 workers instead of one per core:
  bench/bench_fs.py --bin build/daemon --obiafs-arg=--workers=4 --phases ingest

  # reads and walks also through a reader mount (obiafs --reader) beside the main mount:
  bench/bench_fs.py --bin build/daemon --reader-mount

  # keep the ingested archive, then measure reads and walks only with another build:
  bench/bench_fs.py --bin build/daemon --keep
  bench/bench_fs.py --bin /tmp/exp/build/daemon --reuse --phases reads,walk

The synthetic set is cached in WORKDIR/data/ (generated once per --files/--size-kb); each run
starts from a fresh archive in WORKDIR/run/ unless --reuse. Cold passes need root
(echo 3 > /proc/sys/vm/drop_caches); without it they are skipped.
"""


def log(msg):
    print(f"[bench {time.monotonic() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def run(args, check=True, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def is_mounted(path):
    path = os.path.realpath(path)
    with open("/proc/mounts") as f:
        return any(line.split()[1] == path for line in f)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (None if gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


class Mount:
    """One obiafs mount that this script started; torn down even on failure or Ctrl-C."""

    live = []

    def __init__(self, bindir, archive, mnt, extra=()):
        self.bindir, self.archive, self.mnt, self.extra = bindir, archive, mnt, list(extra)
        self.pid = None

    def __enter__(self):
        self.mnt.mkdir(parents=True, exist_ok=True)
        if is_mounted(self.mnt):  # left over by an interrupted earlier run
            run(["fusermount3", "-u", "-z", self.mnt], check=False)
        Mount.live.append(self)
        run([self.bindir / "obiafs", self.archive, self.mnt, *self.extra])
        deadline = time.monotonic() + 10
        while not is_mounted(self.mnt):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.mnt} did not appear in /proc/mounts")
            time.sleep(0.05)
        if "--reader" not in self.extra:  # reader mounts take no lock and write no pid
            text = (self.archive / "run" / "obiafs.lock").read_text().strip()
            self.pid = int(text) if text.isdigit() else None
        log(f"mounted {self.archive} at {self.mnt} (obiafs pid {self.pid})")
        return self

    def __exit__(self, *exc):
        self.unmount()

    def unmount(self):
        if self not in Mount.live:
            return
        if is_mounted(self.mnt):
            run(["fusermount3", "-u", self.mnt], check=False)
            if is_mounted(self.mnt):
                run(["fusermount3", "-u", "-z", self.mnt], check=False)
        if self.pid:
            deadline = time.monotonic() + 30
            while pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if pid_alive(self.pid):
                log(f"obiafs {self.pid} still running after unmount; killing it")
                os.kill(self.pid, signal.SIGKILL)
        Mount.live.remove(self)
        log(f"unmounted {self.mnt}")

    @classmethod
    def cleanup_all(cls):
        for m in list(cls.live):
            try:
                m.unmount()
            except Exception as e:  # keep going: every mount must go
                print(f"bench: cleanup of {m.mnt} failed: {e}", file=sys.stderr)
                run(["fusermount3", "-u", "-z", m.mnt], check=False)


# ---------------------------------------------------------------- caches, conditions

def can_drop_caches():
    return os.geteuid() == 0 and os.access("/proc/sys/vm/drop_caches", os.W_OK)


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")
    time.sleep(0.3)  # let the FORGETs the eviction sends to the daemon settle (same for both sides)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def conditions(args):
    def first(cmd):
        r = run(cmd, check=False)
        return r.stdout.strip() if r.returncode == 0 else None

    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // (1024 * 1024)
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "mem_gib": mem,
        "libfuse": first(["pkg-config", "--modversion", "fuse3"]),
        "workdir_fs": first(["findmnt", "-no", "FSTYPE,SOURCE", "-T", str(args.workdir)]),
        "commit": first(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "bin": str(args.bin),
        "loadavg_start": loadavg(),
        "obiafs_args": args.obiafs_arg,
        "nice": os.nice(0),
        "env": {k: v for k, v in os.environ.items() if k.startswith("OBIA_")},
    }


# ---------------------------------------------------------------- data set

def dataset_shape(files):
    """(patients, images per series) for obia_synth's 2 studies x 2 series per patient."""
    if files >= 100:
        return max(1, round(files / 100)), 25
    return 1, max(1, files // 4)


def ensure_dataset(args):
    patients, ips = dataset_shape(args.files)
    count = patients * 4 * ips
    if count != args.files:
        log(f"--files {args.files} rounded to {count} ({patients} patients x 2 studies x 2 series x {ips})")
    src = args.workdir / "data" / f"n{count}-k{args.size_kb}"
    stamp = src / ".complete"
    params = {"patients": patients, "images_per_series": ips, "size_kb": args.size_kb, "seed": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        log(f"reusing the synthetic set in {src}")
        return src / "set", count
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    log(f"generating {count} images of ~{args.size_kb} KB into {src} (obia_synth.py series)")
    run([PYTHON, SYNTH, "series", src / "set", "--patients", patients, "--images-per-series", ips,
         "--size-kb", args.size_kb, "--seed", 1, "-q"])
    stamp.write_text(json.dumps(params))
    return src / "set", count


def archived_images(root):
    """The archived images under a collection folder: regular *.dcm files, not the links in the
    generated similar/ folders."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "similar")
        for f in sorted(files):
            p = os.path.join(d, f)
            if f.endswith(".dcm") and not os.path.islink(p):
                out.append(p)
    return out


def all_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        out.extend(os.path.join(d, f) for f in sorted(files))
    return out


# ---------------------------------------------------------------- readers

def build_reader(args):
    """Compile bench/reader.c into the work dir; None (Python readers) if there is no compiler."""
    exe = args.workdir / "reader"
    if args.python_reader:
        return None
    if exe.exists() and exe.stat().st_mtime >= READER_C.stat().st_mtime:
        return exe
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        log("no C compiler: falling back to Python readers (more overhead per file)")
        return None
    run([cc, "-O2", "-pthread", "-o", exe, READER_C])
    return exe


def python_read(paths, threads, bufsize):
    lock = threading.Lock()
    state = {"next": 0, "bytes": 0, "files": 0}

    def work():
        nbytes = nfiles = 0
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(paths):
                break
            fd = os.open(paths[i], os.O_RDONLY | os.O_CLOEXEC)
            try:
                while True:
                    b = os.read(fd, bufsize)
                    if not b:
                        break
                    nbytes += len(b)
            finally:
                os.close(fd)
            nfiles += 1
        with lock:
            state["bytes"] += nbytes
            state["files"] += nfiles

    ts = [threading.Thread(target=work) for _ in range(threads)]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return {"files": state["files"], "bytes": state["bytes"], "seconds": time.perf_counter() - t, "errors": 0}


def read_pass(reader, listfile, paths, threads, bufsize):
    if reader is None:
        return python_read(paths, threads, bufsize)
    r = run([reader, listfile, threads, bufsize])
    return json.loads(r.stdout)


# ---------------------------------------------------------------- object pairing

class _XXH128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


def object_name_fn():
    try:
        lib = ctypes.CDLL("libxxhash.so.0")
    except OSError:
        return None
    fn = lib.XXH3_128bits
    fn.restype = _XXH128
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t]

    def name(data):
        h = fn(data, len(data))
        return f"{h.high64:016x}{h.low64:016x}"  # canonical (big-endian) form, as store/ names it

    return name


def pair_objects(mount_files, objects_dir):
    """For every archived image (mount path), the object file holding the same bytes."""
    by_name = {}
    for d, _, files in os.walk(objects_dir):
        for f in files:
            by_name[f] = os.path.join(d, f)
    name = object_name_fn()
    if name is None:
        raise RuntimeError("libxxhash.so.0 not found: cannot pair images with objects")
    pairs = []
    for p in mount_files:
        with open(p, "rb") as f:
            data = f.read()
        n = name(data)
        cands = [by_name[k] for k in [n] + [f"{n}-{i}" for i in range(1, 10)] if k in by_name]
        for c in cands:  # a '-N' variant is a true hash collision: compare the bytes
            if os.path.getsize(c) == len(data) and (len(cands) == 1 or pathlib.Path(c).read_bytes() == data):
                pairs.append(c)
                break
        else:
            raise RuntimeError(f"no object holds the bytes of {p}")
    return pairs


# ---------------------------------------------------------------- phases

def timed(cmd, **kw):
    t = time.perf_counter()
    run(cmd, **kw)
    return time.perf_counter() - t


def phase_ingest(args, src, count, m, run_dir, result):
    log("warming the source set (both copies read it from the page cache)")
    src_files = all_files(src)
    read_pass(args.reader, write_list(run_dir / "src.list", src_files), src_files, 8, args.bufsize)

    native = run_dir / "native-ingest"
    if native.exists():
        shutil.rmtree(native)
    native.mkdir()
    os.sync()
    log(f"native: cp -r {src} {native}/")
    t = time.perf_counter()
    run(["cp", "-r", src, native])
    t_cp = time.perf_counter() - t
    os.sync()
    t_cp_sync = time.perf_counter() - t
    log(f"native cp -r: {t_cp:.2f} s ({t_cp_sync:.2f} s with sync)")
    shutil.rmtree(native)
    os.sync()

    inbox = m.mnt / "inbox" / COLLECTION
    cpu0 = cpu_seconds(m.pid) if m.pid else None
    log(f"ours: cp -r {src} {inbox}/ && obiactl wait")
    t = time.perf_counter()
    run(["cp", "-r", src, inbox])
    t_inbox = time.perf_counter() - t
    run([args.bin / "obiactl", "wait", m.archive, "--timeout", 3600])
    t_ingest = time.perf_counter() - t
    cpu1 = cpu_seconds(m.pid) if m.pid else None
    log(f"ingest: {t_ingest:.2f} s (cp into the inbox returned after {t_inbox:.2f} s)")

    archived = archived_images(m.mnt / COLLECTION)
    quarantined = [p for p in all_files(m.mnt / "quarantine" / COLLECTION) if not p.endswith(".reason")]
    if len(archived) != count:
        raise RuntimeError(f"{len(archived)} images archived of {count} submitted "
                           f"({len(quarantined)} quarantined): see {m.archive}/run/obiafs.log")
    result["ingest"] = {
        "files": count,
        "native_cp_s": t_cp, "native_cp_sync_s": t_cp_sync,
        "ours_cp_into_inbox_s": t_inbox, "ours_ingest_s": t_ingest,
        "daemon_cpu_s": (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
        "archived": len(archived), "quarantined": len(quarantined),
    }


def write_list(path, paths):
    path.write_text("".join(p + "\n" for p in paths))
    return path


def median_pair(samples):
    return statistics.median(s["seconds"] for s in samples)


def phase_reads(args, m, run_dir, result):
    ours = archived_images(m.mnt / COLLECTION)
    log(f"pairing {len(ours)} archived images with their objects (xxHash3-128 of the bytes)")
    native = pair_objects(ours, m.archive / "objects")
    ours_list = write_list(run_dir / "ours.list", ours)
    native_list = write_list(run_dir / "native.list", native)
    total = sum(os.path.getsize(p) for p in native)
    result["reads_set"] = {"files": len(ours), "bytes": total, "bufsize": args.bufsize,
                           "reader": "C (bench/reader.c)" if args.reader else "Python threads"}
    sides = {"ours": (ours_list, ours), "native": (native_list, native)}
    modes = (["cold"] if not args.no_cold else []) + ["warm"]
    result["reads"] = {}
    for readers in args.readers:
        for mode in modes:
            samples = {"ours": [], "native": []}
            if mode == "warm":
                for side in ("native", "ours"):
                    read_pass(args.reader, *sides[side], readers, args.bufsize)
            for rep in range(args.repeat):
                order = ("native", "ours") if rep % 2 == 0 else ("ours", "native")
                for side in order:
                    if mode == "cold":
                        drop_caches()
                    s = read_pass(args.reader, *sides[side], readers, args.bufsize)
                    if s["files"] != len(ours) or s["bytes"] != total:
                        raise RuntimeError(f"{side} pass read {s['files']} files / {s['bytes']} bytes, "
                                           f"expected {len(ours)} / {total}")
                    samples[side].append(s)
            t_ours, t_native = median_pair(samples["ours"]), median_pair(samples["native"])
            key = f"{mode}_{readers}"
            result["reads"][key] = {
                "mode": mode, "readers": readers,
                "ours_s": t_ours, "native_s": t_native,
                "ours_files_per_s": len(ours) / t_ours, "native_files_per_s": len(ours) / t_native,
                "ours_mb_per_s": total / 1e6 / t_ours, "native_mb_per_s": total / 1e6 / t_native,
                "ratio": t_native / t_ours,
                "samples_ours_s": [s["seconds"] for s in samples["ours"]],
                "samples_native_s": [s["seconds"] for s in samples["native"]],
            }
            log(f"reads {mode}, {readers} reader(s): ours {len(ours) / t_ours:.0f} files/s, "
                f"native {len(ours) / t_native:.0f} files/s, ratio {t_native / t_ours:.2f}")


def phase_walk(args, m, run_dir, result):
    native_root = run_dir / "native-tree"
    if native_root.exists():
        shutil.rmtree(native_root)
    native_root.mkdir()
    log(f"copying the tree {m.mnt / COLLECTION} to {native_root}/ (native walk reference)")
    run(["cp", "-r", m.mnt / COLLECTION, native_root])
    os.sync()
    dirs = {"ours": m.mnt / COLLECTION, "native": native_root / COLLECTION}
    walks = {
        "find": "find {d} | wc -l",
        "ls_lR": "ls -lR {d} > /dev/null",
        "find_nosimilar": "find {d} -name similar -prune -o -print | wc -l",
    }
    counts = {side: int(run(["bash", "-c", walks["find"].format(d=d)]).stdout) for side, d in dirs.items()}
    if counts["ours"] != counts["native"]:
        raise RuntimeError(f"find counts differ: {counts}")
    plain = int(run(["bash", "-c", walks["find_nosimilar"].format(d=dirs["native"])]).stdout)
    result["walk"] = {"entries": counts["ours"], "entries_without_similar": plain}
    for name, cmd in walks.items():
        if name == "find_nosimilar" and plain == counts["ours"]:
            continue  # no similar/ folders: same as "find"
        warm = {side: timed(["bash", "-c", cmd.format(d=d)]) for side, d in dirs.items()}  # warm-up
        # Short walks are looped so a sample lasts long enough to time; slow ones are not.
        slowest = max(warm.values())
        loops = max(1, min(args.walk_loops, int(0.5 / max(slowest, 1e-3))))
        reps = max(args.repeat, 5) if slowest < 1.0 else args.repeat
        loop = {side: f"for i in $(seq {loops}); do {cmd.format(d=d)} >/dev/null; done"
                for side, d in dirs.items()}
        samples = {"ours": [], "native": []}
        for rep in range(reps):
            order = ("native", "ours") if rep % 2 == 0 else ("ours", "native")
            for side in order:
                samples[side].append(timed(["bash", "-c", loop[side]]) / loops)
        t_ours, t_native = statistics.median(samples["ours"]), statistics.median(samples["native"])
        result["walk"][name] = {
            "ours_s": t_ours, "native_s": t_native, "ratio": t_native / t_ours, "loops_per_sample": loops,
            "samples_ours_s": samples["ours"], "samples_native_s": samples["native"],
        }
        log(f"walk {name}: ours {t_ours * 1000:.1f} ms, native {t_native * 1000:.1f} ms, "
            f"ratio {t_native / t_ours:.2f}")
    shutil.rmtree(native_root)


# ---------------------------------------------------------------- report

def verdict(ratio, target):
    return "pass" if ratio >= target else "FAIL"


def table(result, prefix=""):
    rows = []
    ing = result.get("ingest")
    if ing:
        n = ing["files"]
        ours, cp, cps = n / ing["ours_ingest_s"], n / ing["native_cp_s"], n / ing["native_cp_sync_s"]
        rows.append(("Ingest: `cp -r` into inbox + `obiactl wait` vs `cp -r` (files/s)",
                     f"{ours:.0f}", f"{cp:.0f}", ours / cp, TARGETS["ingest"]))
        rows.append(("Ingest vs `cp -r; sync` (files/s, informative)",
                     f"{ours:.0f}", f"{cps:.0f}", ours / cps, None))
        inbox = n / ing["ours_cp_into_inbox_s"]
        rows.append(("`cp -r` into the inbox alone, as the curator sees it (files/s, informative)",
                     f"{inbox:.0f}", f"{cp:.0f}", inbox / cp, None))
    for key, r in result.get("reads", {}).items():
        rows.append((f"{prefix}Read {r['mode']}, {r['readers']} reader{'s' if r['readers'] > 1 else ''} "
                     "(files/s, MB/s)",
                     f"{r['ours_files_per_s']:.0f}, {r['ours_mb_per_s']:.0f}",
                     f"{r['native_files_per_s']:.0f}, {r['native_mb_per_s']:.0f}",
                     r["ratio"], TARGETS[r["mode"]]))
    walk = result.get("walk")
    if walk:
        for name, label in (("find", "`find \\| wc -l`"), ("ls_lR", "`ls -lR > /dev/null`")):
            w = walk[name]
            rows.append((f"{prefix}Tree walk warm: {label}, {walk['entries']} entries (ms per walk)",
                         f"{w['ours_s'] * 1000:.1f}", f"{w['native_s'] * 1000:.1f}", w["ratio"],
                         TARGETS["walk"]))
        w = walk.get("find_nosimilar")
        if w and walk.get("entries_without_similar") != walk["entries"]:
            rows.append((f"{prefix}Tree walk warm: `find` pruning `similar/`, {walk['entries_without_similar']} "
                         "entries (ms per walk, informative)",
                         f"{w['ours_s'] * 1000:.1f}", f"{w['native_s'] * 1000:.1f}", w["ratio"], None))
    if result.get("reader_mount"):
        rows += table(result["reader_mount"], "Reader mount (`--reader`): ")
    if prefix:
        return rows
    out = ["| metric | ours | native | ratio | target | result |", "|---|---:|---:|---:|---:|---|"]
    for metric, ours, native, ratio, target in rows:
        t = f"≥ {target:.1f}×" if target is not None else "—"
        v = verdict(ratio, target) if target is not None else "—"
        out.append(f"| {metric} | {ours} | {native} | {ratio:.2f}× | {t} | {v} |")
    return "\n".join(out)


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="bench_fs.py", description=__doc__.strip().splitlines()[0],
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", type=pathlib.Path,
                   default=pathlib.Path(os.environ.get("OBIA_BIN", REPO / "build" / "daemon")),
                   help="directory holding obiafs and obiactl (default: $OBIA_BIN or REPO/build/daemon;"
                        " use a Release build)")
    p.add_argument("--workdir", type=pathlib.Path, default=pathlib.Path("/var/tmp/obia-bench"),
                   help="cache and scratch directory (default: %(default)s); needs ~5x the set size free")
    p.add_argument("--files", type=int, default=2000, help="number of images (default: %(default)s)")
    p.add_argument("--size-kb", type=int, default=500, help="approximate image size (default: %(default)s)")
    p.add_argument("--readers", default="1,8", help="parallel reader counts (default: %(default)s)")
    p.add_argument("--repeat", type=int, default=3,
                   help="timed passes per side and configuration; the median is reported (default: %(default)s)")
    p.add_argument("--walk-loops", type=int, default=5,
                   help="at most this many walks per timed tree-walk sample, as many as fit in about"
                        " 0.5 s (default: %(default)s)")
    p.add_argument("--bufsize", type=int, default=1 << 20, help="bytes per read(2) (default: 1 MiB)")
    p.add_argument("--phases", default="ingest,reads,walk",
                   help="which results to measure: any of ingest,reads,walk (default: all)")
    p.add_argument("--obiafs-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for obiafs, repeatable (e.g. --obiafs-arg=--workers=4)")
    p.add_argument("--reader-mount", action="store_true",
                   help="also measure reads and walks through a reader mount (obiafs --reader) of the"
                        " same archive, mounted beside the main one")
    p.add_argument("--python-reader", action="store_true",
                   help="read with Python threads instead of the compiled bench/reader.c")
    p.add_argument("--no-cold", action="store_true", help="skip the cold (drop_caches) read passes")
    p.add_argument("--keep", action="store_true", help="keep WORKDIR/run/archive for a later --reuse")
    p.add_argument("--reuse", action="store_true",
                   help="reuse the archive kept by an earlier --keep run (no ingest)")
    p.add_argument("--nice", type=int, default=0,
                   help="change the scheduling priority of the whole run (readers, cp, obiafs) by N,"
                        " e.g. -10 on a machine busy with other work (default: 0)")
    p.add_argument("--json", type=pathlib.Path, help="also write every number to this JSON file")
    a = p.parse_args(argv)
    a.readers = [int(x) for x in a.readers.split(",") if x]
    a.phases = {x.strip() for x in a.phases.split(",") if x.strip()}
    if a.phases - {"ingest", "reads", "walk"}:
        p.error(f"unknown phase(s): {', '.join(sorted(a.phases - {'ingest', 'reads', 'walk'}))}")
    if a.reuse and "ingest" in a.phases:
        a.phases.discard("ingest")
    a.bin = a.bin.resolve()
    a.workdir = a.workdir.resolve()
    for exe in ("obiafs", "obiactl"):
        if not os.access(a.bin / exe, os.X_OK):
            p.error(f"{a.bin / exe} not found: build it or pass --bin")
    if not a.no_cold and not can_drop_caches():
        log("not root (cannot write /proc/sys/vm/drop_caches): skipping cold passes")
        a.no_cold = True
    return a


def main(argv):
    args = parse_args(argv)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    if args.nice:
        os.nice(args.nice)  # inherited by every process the run starts, the daemon included
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = {"conditions": conditions(args), "args": {
        k: (str(v) if isinstance(v, pathlib.Path) else sorted(v) if isinstance(v, set) else v)
        for k, v in vars(args).items()}}
    log(f"conditions: {result['conditions']}")
    run_dir = args.workdir / "run"
    archive, mnt = run_dir / "archive", run_dir / "mnt"
    try:
        args.reader = build_reader(args)
        src, count = ensure_dataset(args)
        if is_mounted(mnt):
            run(["fusermount3", "-u", "-z", mnt], check=False)
        if args.reuse:
            if not (archive / "config.json").exists():
                raise RuntimeError(f"--reuse: no kept archive in {archive} (run once with --keep)")
        else:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            run_dir.mkdir(parents=True)
            run([args.bin / "obiactl", "init", archive])
            coll = run([args.bin / "obiactl", "collection", "create", archive, "--title", "bench"]).stdout.strip()
            if coll != COLLECTION:
                raise RuntimeError(f"expected collection {COLLECTION}, got {coll!r}")
        with Mount(args.bin, archive, mnt, args.obiafs_arg) as m:
            if not args.reuse:
                phase_ingest(args, src, count, m, run_dir, result)
                if "ingest" not in args.phases:
                    result.pop("ingest", None)
            if "reads" in args.phases:
                phase_reads(args, m, run_dir, result)
            if "walk" in args.phases:
                phase_walk(args, m, run_dir, result)
            if args.reader_mount and args.phases & {"reads", "walk"}:
                result["reader_mount"] = {}
                with Mount(args.bin, archive, run_dir / "rmnt", ["--reader"]) as rm:
                    if "reads" in args.phases:
                        phase_reads(args, rm, run_dir, result["reader_mount"])
                    if "walk" in args.phases:
                        phase_walk(args, rm, run_dir, result["reader_mount"])
    except KeyboardInterrupt as e:
        log(f"interrupted{f' ({e})' if str(e) else ''}: mounts removed, stopping")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the clean-up
        Mount.cleanup_all()
        if not args.keep and not args.reuse and run_dir.exists() and not is_mounted(mnt):
            shutil.rmtree(run_dir, ignore_errors=True)
    result["conditions"]["loadavg_end"] = loadavg()
    md = table(result)
    print(md)
    print(f"\nload average at start {result['conditions']['loadavg_start']}, "
          f"at end {result['conditions']['loadavg_end']} ({result['conditions']['cpus']} CPUs, "
          f"nice {result['conditions']['nice']})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as e:
        print(f"bench_fs.py: {e}", file=sys.stderr)
        sys.exit(1)
