// obiactl access commands: grant, revoke, request list|approve|deny, audit, mounts.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/control.h"
#include "daemon/ctl.h"
#include "daemon/ctl_time.h"
#include "index/audit_log.h"
#include "index/policy.h"

namespace obia::ctl {
namespace {

struct Opts {
  std::string archive, collection, user, group, expires, since, note;
  uint64_t request = 0;
  bool json = false;
};

// Tells a running daemon to apply the change now; no daemon is fine (it reads policies at start).
void notify_daemon(const store::ArchivePaths& paths) {
  (void)daemon::control_request(paths.control_socket(), "policy", std::chrono::seconds(10));
}

std::string user_name(uint32_t uid) {
  passwd* pw = ::getpwuid(uid);
  return pw ? pw->pw_name : std::to_string(uid);
}

int cmd_grant(const Opts& o, bool revoke) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto coll = find_collection(*a, o.collection);
  if (!coll) return fail(coll.error().message);
  if (o.user.empty() == o.group.empty()) return fail("give exactly one of --user or --group");
  auto id = o.user.empty() ? resolve_group(o.group) : resolve_user(o.user);
  if (!id) return fail(id.error().message);
  auto store = index::PolicyStore::open(*a->catalog);
  if (!store) return fail(store.error().message);
  char kind = o.user.empty() ? 'g' : 'u';
  std::string who = (kind == 'u' ? "user " : "group ") + (o.user.empty() ? o.group : o.user);
  if (revoke) {
    auto r = store->revoke(coll->id, kind, *id);
    if (!r) return fail(r.error().message);
    if (!*r) return fail(who + " has no grant on " + coll->accession);
    std::cout << "revoked " << who << " on " << coll->accession << "\n";
  } else {
    int64_t expires = 0;
    if (!o.expires.empty()) {
      auto t = parse_time(o.expires, std::time(nullptr));
      if (!t) return fail("--expires: " + t.error().message);
      expires = *t;
    }
    index::Grant g{kind, *id, expires, std::time(nullptr), static_cast<uint32_t>(::getuid())};
    if (auto s = store->grant(coll->id, g); !s) return fail(s.error().message);
    std::cout << "granted " << who << " read access to " << coll->accession
              << (expires ? " until " + format_time(expires) : std::string()) << "\n";
  }
  notify_daemon(a->paths);
  return 0;
}

int cmd_request_list(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  std::optional<index::NodeId> filter;
  if (!o.collection.empty()) {
    auto coll = find_collection(*a, o.collection);
    if (!coll) return fail(coll.error().message);
    filter = coll->id;
  }
  auto store = index::PolicyStore::open(*a->catalog);
  if (!store) return fail(store.error().message);
  auto reqs = store->requests(filter);
  if (!reqs) return fail(reqs.error().message);
  nlohmann::json out = nlohmann::json::array();
  if (!o.json) std::cout << "id\tcollection\tuser\tstatus\tsubmitted\tterms\tpurpose\n";
  for (auto& r : *reqs) {
    auto coll = a->catalog->get(r.collection);
    std::string acc = coll ? coll->accession : "?";
    if (o.json) {
      out.push_back({{"id", r.id}, {"collection", acc}, {"uid", r.uid}, {"user", user_name(r.uid)},
                     {"status", r.status}, {"time", r.time}, {"terms_accepted", r.terms_accepted},
                     {"purpose", r.purpose}, {"note", r.note}});
    } else {
      std::cout << r.id << "\t" << acc << "\t" << user_name(r.uid) << "\t" << r.status << "\t"
                << format_time(r.time) << "\t" << (r.terms_accepted ? "accepted" : "NOT accepted")
                << "\t" << r.purpose << "\n";
    }
  }
  if (o.json) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

int cmd_decide(const Opts& o, bool approve) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto store = index::PolicyStore::open(*a->catalog);
  if (!store) return fail(store.error().message);
  int64_t expires = 0;
  if (approve && !o.expires.empty()) {
    auto t = parse_time(o.expires, std::time(nullptr));
    if (!t) return fail("--expires: " + t.error().message);
    expires = *t;
  }
  auto r = store->decide(o.request, approve, static_cast<uint32_t>(::getuid()), expires, o.note,
                         std::time(nullptr));
  if (!r) return fail(r.error().message);
  std::cout << "request " << r->id << " " << r->status << " (user " << user_name(r->uid) << ")"
            << (approve && expires ? ", access until " + format_time(expires) : std::string())
            << "\n";
  notify_daemon(a->paths);
  return 0;
}

int cmd_audit(const Opts& o) {
  auto paths = store::open_archive(o.archive);
  if (!paths) return fail(paths.error().message);
  index::AuditLog::Filter f;
  if (!o.collection.empty()) f.path_prefix = o.collection + "/";
  if (!o.user.empty()) {
    auto uid = resolve_user(o.user);
    if (!uid) return fail(uid.error().message);
    f.uid = *uid;
  }
  if (!o.since.empty()) {
    auto t = parse_time(o.since, std::time(nullptr));
    if (!t) return fail("--since: " + t.error().message);
    f.since = *t;
  }
  // Ask a running daemon to write out what it has queued, so the listing is complete.
  (void)daemon::control_request(paths->control_socket(), "policy", std::chrono::seconds(5));
  size_t n = 0;
  auto s = index::AuditLog::read(paths->root / "audit" / "audit.log", f, [&](const index::AuditEvent& e) {
    ++n;
    std::cout << format_time(e.time) << "\t" << user_name(e.uid) << "\t" << e.op << "\t" << e.path
              << "\n";
  });
  if (!s && s.error().code != ENOENT) return fail(s.error().message);
  std::cerr << n << " event(s)\n";
  return 0;
}

int cmd_mounts(const Opts& o) {
  auto paths = store::open_archive(o.archive);
  if (!paths) return fail(paths.error().message);
  std::ifstream pidf(paths->lock_file());
  long pid = 0;
  pidf >> pid;
  std::ifstream mp(paths->run() / "mountpoint");
  std::string mountpoint;
  std::getline(mp, mountpoint);
  bool alive = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
  bool mounted = false;
  std::ifstream mounts("/proc/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream f(line);
    std::string src, dst, type;
    f >> src >> dst >> type;
    if (type == "fuse.obiafs" && dst == mountpoint) mounted = true;
  }
  if (!alive || !mounted) {
    std::cout << "no active mount of " << paths->root.string() << "\n";
    return 0;
  }
  std::cout << mountpoint << "\tpid " << pid << "\n";
  return 0;
}

}  // namespace

void register_access_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<Opts>();
  for (bool revoke : {false, true}) {
    auto* cmd = app.add_subcommand(revoke ? "revoke" : "grant",
                                   revoke ? "withdraw a user's or group's read access"
                                          : "let a user or group read a controlled collection");
    cmd->add_option("ARCHIVE", o->archive)->required();
    cmd->add_option("COLLECTION", o->collection, "collection accession, e.g. OBIA0001")->required();
    cmd->add_option("--user", o->user, "user name or uid");
    cmd->add_option("--group", o->group, "group name or gid");
    if (!revoke)
      cmd->add_option("--expires", o->expires,
                      "end of access: 2027-06-30, 2027-06-30T12:00:00 (UTC), +90d, +12h, +30s");
    cmd->footer(revoke ? "Example: obiactl revoke /srv/archive OBIA0001 --user bob"
                       : "Example: obiactl grant /srv/archive OBIA0001 --group lab --expires +180d");
    cmd->callback([&rc, o, revoke] { rc = cmd_grant(*o, revoke); });
  }

  auto* req = app.add_subcommand("request", "access requests written to MOUNT/requests/<C>");
  req->require_subcommand(1);
  auto* list = req->add_subcommand("list", "list requests with their ids");
  list->add_option("ARCHIVE", o->archive)->required();
  list->add_option("--collection", o->collection, "only this collection");
  list->add_flag("--json", o->json, "JSON output");
  list->footer("Example: obiactl request list /srv/archive --collection OBIA0001");
  list->callback([&rc, o] { rc = cmd_request_list(*o); });
  for (bool approve : {true, false}) {
    auto* d = req->add_subcommand(approve ? "approve" : "deny",
                                  approve ? "approve a request: grants the requester read access"
                                          : "deny a request");
    d->add_option("ARCHIVE", o->archive)->required();
    d->add_option("ID", o->request, "request id (obiactl request list)")->required();
    if (approve) d->add_option("--expires", o->expires, "end of access (2027-06-30, +90d, ...)");
    d->add_option("--note", o->note, "a note the requester reads with the status");
    d->footer(approve ? "Example: obiactl request approve /srv/archive 3 --expires +365d"
                      : "Example: obiactl request deny /srv/archive 4 --note 'purpose unclear'");
    d->callback([&rc, o, approve] { rc = cmd_decide(*o, approve); });
  }

  auto* audit = app.add_subcommand("audit", "print the audit log of image opens");
  audit->add_option("ARCHIVE", o->archive)->required();
  audit->add_option("--collection", o->collection, "only this collection");
  audit->add_option("--user", o->user, "only this user");
  audit->add_option("--since", o->since, "from this time on (2026-11-01, -1d, -2h)");
  audit->footer("Example: obiactl audit /srv/archive --collection OBIA0002 --since -7d");
  audit->callback([&rc, o] { rc = cmd_audit(*o); });

  auto* mounts = app.add_subcommand("mounts", "list the active mount of an archive");
  mounts->add_option("ARCHIVE", o->archive)->required();
  mounts->footer("Example: obiactl mounts /srv/archive");
  mounts->callback([&rc, o] { rc = cmd_mounts(*o); });
}

}  // namespace obia::ctl
