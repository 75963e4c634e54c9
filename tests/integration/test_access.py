"""Issue 5, must show: a matrix with real Unix users and groups (owner, curator, granted user,
member of a granted group, ungranted user, expired grant) over stat, ls, find, open/read, xattrs,
inbox writes and request writes; revocation with no stale cache; the request flow end to end;
audit entries for each open."""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import pytest

import conftest
from conftest import obiactl, run, synth, wait_until

USERS = {
    "obia_owner": [],
    "obia_curator": ["obia_curators"],
    "obia_granted": [],
    "obia_member": ["obia_lab"],
    "obia_nobody": [],
    "obia_expired": [],
}
GROUPS = ["obia_curators", "obia_lab"]


def ensure_accounts():
    for g in GROUPS:
        if subprocess.run(["getent", "group", g], capture_output=True).returncode != 0:
            run("groupadd", g)
    for u, groups in USERS.items():
        if subprocess.run(["getent", "passwd", u], capture_output=True).returncode != 0:
            run("useradd", "-M", "-U", "-s", "/bin/sh", *(["-G", ",".join(groups)] if groups else []), u)


def as_user(user, *cmd):
    r = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--",
                        *[str(c) for c in cmd]], capture_output=True, timeout=60, cwd="/")
    r.stdout = r.stdout.decode(errors="replace")
    r.stderr = r.stderr.decode(errors="replace")
    return r


def can(user, *cmd):
    return as_user(user, *cmd).returncode == 0


@pytest.fixture(scope="module")
def world():
    ensure_accounts()
    root = pathlib.Path(tempfile.mkdtemp(prefix="obia-it-access-"))
    os.chmod(root, 0o755)  # other users must reach the mount point
    a = conftest.Archive(root)
    a.init()
    assert a.create_collection("Open set") == "OBIA0001"
    assert obiactl("collection", "create", a.dir, "--title", "Controlled set", "--access", "controlled",
                   "--owner", "obia_owner", "--curators", "obia_curators").stdout.strip() == "OBIA0002"
    a.mount()
    try:
        for seed, coll in (("1", "OBIA0001"), ("2", "OBIA0002")):  # SOP UIDs are archive-wide
            src = root / f"src{seed}"
            synth("series", src, "--patients", "1", "--studies-per-patient", "1", "--series-per-study",
                  "1", "--images-per-series", "3", "--seed", seed, "-q")
            run("cp", "-r", src, a.mnt / "inbox" / coll / "set")
        a.wait()
        obiactl("grant", a.dir, "OBIA0002", "--user", "obia_granted")
        obiactl("grant", a.dir, "OBIA0002", "--group", "obia_lab")
        obiactl("grant", a.dir, "OBIA0002", "--user", "obia_expired", "--expires", "+2s")
        yield a
    finally:
        a.unmount()
        shutil.rmtree(root, ignore_errors=True)


READERS = ["obia_owner", "obia_curator", "obia_granted", "obia_member"]
NON_READERS = ["obia_nobody"]


def controlled_image(a):
    return a.archived_files("OBIA0002")[0]


def test_everyone_sees_the_controlled_collection_json(world):
    a = world
    for user in READERS + NON_READERS:
        r = as_user(user, "cat", a.mnt / "OBIA0002" / "collection.json")
        assert r.returncode == 0, (user, r.stderr)
        assert json.loads(r.stdout)["access"] == "controlled"


def test_matrix_read_paths(world):
    a = world
    image = controlled_image(a)
    individual = image.relative_to(a.mnt).parts[1]
    for user in READERS:
        assert can(user, "stat", image), user
        assert can(user, "cat", image), user
        ls = as_user(user, "ls", a.mnt / "OBIA0002")
        assert individual in ls.stdout.split(), (user, ls.stdout)
        found = as_user(user, "find", a.mnt / "OBIA0002", "-type", "f", "-name", "*.dcm")
        assert len(found.stdout.split()) == 3, (user, found.stdout, found.stderr)
        xattrs = as_user(user, "/usr/bin/python3", "-c", f"import os; print(os.listxattr({str(image)!r}))")
        assert "system.posix_acl_access" in xattrs.stdout, (user, xattrs.stderr)
    for user in NON_READERS:
        assert not can(user, "stat", image), user
        assert not can(user, "cat", image), user
        assert not can(user, "ls", a.mnt / "OBIA0002" / individual), user
        ls = as_user(user, "ls", a.mnt / "OBIA0002")
        assert ls.stdout.split() == ["collection.json"], ls.stdout
        found = as_user(user, "find", a.mnt / "OBIA0002", "-type", "f", "-name", "*.dcm")
        assert found.stdout.split() == [], found.stdout
        assert not can(user, "/usr/bin/python3", "-c", f"import os; os.listxattr({str(image)!r})")
    # The open collection is readable by all.
    for user in READERS + NON_READERS:
        assert can(user, "cat", a.archived_files("OBIA0001")[0]), user


def test_ls_l_tells_who_may_read(world):
    a = world
    image = controlled_image(a)
    st = image.stat()
    assert oct(st.st_mode & 0o777) == "0o440"
    import grp
    import pwd
    assert pwd.getpwuid(st.st_uid).pw_name == "obia_owner"
    assert grp.getgrgid(st.st_gid).gr_name == "obia_curators"
    if shutil.which("getfacl"):
        acl = run("getfacl", "-p", image).stdout
        assert "user:obia_granted:r--" in acl and "group:obia_lab:r--" in acl, acl
    open_image = a.archived_files("OBIA0001")[0]
    assert oct(open_image.stat().st_mode & 0o777) == "0o444"


def test_inbox_writes_only_for_curators(world):
    a = world
    f = a.root / "x.dcm"  # a.root is world-readable, pytest's tmp_path is not
    f.write_bytes(b"not dicom")
    os.chmod(f, 0o644)
    for user in ["obia_owner", "obia_curator"]:
        r = as_user(user, "cp", f, a.mnt / "inbox" / "OBIA0002" / f"from_{user}.dcm")
        assert r.returncode == 0, (user, r.stderr)
    for user in ["obia_granted", "obia_member", "obia_nobody"]:
        r = as_user(user, "cp", f, a.mnt / "inbox" / "OBIA0002" / f"from_{user}.dcm")
        assert r.returncode != 0 and "Permission denied" in r.stderr, (user, r.stderr)
    a.wait()


def test_expired_grant_ends_access(world):
    a = world
    image = controlled_image(a)
    wait_until(lambda: not can("obia_expired", "cat", image), 30, "grant expiry")
    assert not can("obia_expired", "ls", a.mnt / "OBIA0002" / image.relative_to(a.mnt).parts[1])


def test_revoke_takes_effect_at_once(world):
    a = world
    image = controlled_image(a)
    for _ in range(3):  # grant and revoke several times: never a stale answer
        obiactl("grant", a.dir, "OBIA0002", "--user", "obia_nobody")
        assert can("obia_nobody", "cat", image)
        assert can("obia_nobody", "stat", image.parent)
        obiactl("revoke", a.dir, "OBIA0002", "--user", "obia_nobody")
        assert not can("obia_nobody", "cat", image)
        assert not can("obia_nobody", "ls", image.parent)


def test_request_flow_end_to_end(world):
    a = world
    req = a.mnt / "requests" / "OBIA0002"
    assert "re-identify" in as_user("obia_nobody", "cat", a.mnt / "requests" / "TERMS.txt").stdout
    r = as_user("obia_nobody", "sh", "-c",
                f"printf 'purpose: train a nodule detector\\naccept-terms: yes\\n' > {req}")
    assert r.returncode == 0, r.stderr
    # The request is recorded at release, which the kernel sends after close() returns.
    wait_until(lambda: "pending" in as_user("obia_nobody", "cat", req).stdout, 10, "request recorded")
    status = as_user("obia_nobody", "cat", req).stdout
    assert "pending" in status and "nodule detector" in status, status
    # Others see their own request state only.
    assert "nodule" not in as_user("obia_granted", "cat", req).stdout
    listing = json.loads(obiactl("request", "list", a.dir, "--collection", "OBIA0002", "--json").stdout)
    mine = [x for x in listing if x["user"] == "obia_nobody" and x["status"] == "pending"]
    assert len(mine) == 1 and mine[0]["terms_accepted"]
    obiactl("request", "approve", a.dir, str(mine[0]["id"]), "--expires", "+3s")
    image = controlled_image(a)
    assert can("obia_nobody", "cat", image)
    assert "approved" in as_user("obia_nobody", "cat", req).stdout
    wait_until(lambda: not can("obia_nobody", "cat", image), 30, "approved access to expire")


def test_request_without_terms_is_invalid(world):
    a = world
    req = a.mnt / "requests" / "OBIA0002"
    as_user("obia_member", "sh", "-c", f"echo 'purpose: curiosity' > {req}")
    wait_until(lambda: "invalid" in as_user("obia_member", "cat", req).stdout, 10, "request recorded")
    status = as_user("obia_member", "cat", req).stdout
    assert "invalid" in status and "accept-terms" in status, status
    r = obiactl("request", "list", a.dir, "--json")
    bad = [x for x in json.loads(r.stdout) if x["user"] == "obia_member"]
    r = obiactl("request", "approve", a.dir, str(bad[-1]["id"]), check=False)
    assert r.returncode != 0


def test_audit_records_each_open(world):
    a = world
    image = controlled_image(a)
    since = str(int(time.time()) - 1)
    for _ in range(3):
        assert can("obia_granted", "cat", image)
    out = obiactl("audit", a.dir, "--collection", "OBIA0002", "--user", "obia_granted", "--since", "@" + since)
    lines = [l for l in out.stdout.splitlines() if l.endswith(image.relative_to(a.mnt).as_posix())]
    assert len(lines) >= 3, out.stdout
    assert all("\tobia_granted\topen\t" in l for l in lines)


def test_writes_refused_for_users_too(world):
    a = world
    image = controlled_image(a)
    for user in ["obia_owner", "obia_curator", "obia_granted"]:
        assert not can(user, "rm", "-f", image)
        assert not can(user, "mv", image, image.parent / "x.dcm")
        assert not can(user, "touch", image.parent / "new.dcm")
        assert not can(user, "chmod", "777", image)
        assert not can(user, "ln", "-s", "/etc/passwd", a.mnt / "inbox" / "OBIA0002" / "link")
        # Nobody widens a grant by hand: ACLs and times of archived files are the daemon's.
        assert not can(user, "setfacl", "-m", "u:nobody:r", image), user
        assert not can(user, "setfacl", "-b", image), user
        assert not can(user, "touch", "-d", "2000-01-01", image), user
    assert "user:nobody" not in run("getfacl", "-p", image).stdout
