// QC log tables: encoding, the per-file record, and the readers behind `obiactl qc report`.
#include "ingest/qc_log.h"

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace obia::ingest {
namespace {

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xFF);
  return s;
}

std::string counts_json(const SubmissionCounts& c) {
  nlohmann::json j = {{"folder", c.folder}, {"submitted", c.submitted}, {"archived", c.archived},
                      {"duplicates", c.duplicates}, {"warnings", c.warnings},
                      {"quarantined", c.quarantined}, {"first", c.first}, {"last", c.last}};
  return j.dump();
}

SubmissionCounts parse_counts(std::string name, std::string_view text) {
  SubmissionCounts c;
  c.name = std::move(name);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return c;
  c.folder = j.value("folder", false);
  c.submitted = j.value("submitted", uint64_t{0});
  c.archived = j.value("archived", uint64_t{0});
  c.duplicates = j.value("duplicates", uint64_t{0});
  c.first = j.value("first", int64_t{0});
  c.last = j.value("last", int64_t{0});
  if (j.contains("warnings") && j["warnings"].is_object())
    c.warnings = j["warnings"].get<std::map<std::string, uint64_t>>();
  if (j.contains("quarantined") && j["quarantined"].is_object())
    c.quarantined = j["quarantined"].get<std::map<std::string, uint64_t>>();
  return c;
}

}  // namespace

uint64_t SubmissionCounts::quarantined_total() const {
  uint64_t n = 0;
  for (const auto& [reason, count] : quarantined) n += count;
  return n;
}

std::string submission_of(const std::filesystem::path& relpath) {
  auto it = relpath.begin();
  if (it == relpath.end()) return {};
  return it->string();  // a folder's name, or the file's own name at top level
}

std::string warning_code(const std::string& warning) {
  size_t colon = warning.find(':');
  return colon == std::string::npos ? warning : warning.substr(0, colon);
}

Result<std::shared_ptr<QcLog>> QcLog::open(const index::Catalog& catalog) {
  auto s = catalog.table("qc_submissions");
  if (!s) return s.error();
  auto n = catalog.table("qc_notes");
  if (!n) return n.error();
  auto p = catalog.table("qc_pixels");
  if (!p) return p.error();
  return std::make_shared<QcLog>(catalog, *s, *n, *p);
}

Status QcLog::apply(index::lmdb::Txn& txn, const Entry& e) {
  const std::string name = submission_of(e.relpath);
  const std::string key = be64(e.collection) + name;
  auto existing = txn.get(submissions_, key);
  if (!existing) return existing.error();
  SubmissionCounts c = parse_counts(name, *existing ? **existing : std::string_view("{}"));
  if (c.first == 0) c.first = e.now;
  if (std::distance(e.relpath.begin(), e.relpath.end()) > 1) c.folder = true;
  c.last = e.now;
  ++c.submitted;
  switch (e.disposition) {
    case Disposition::Archived: ++c.archived; break;
    case Disposition::Duplicate: ++c.duplicates; break;
    case Disposition::Quarantined: ++c.quarantined[std::string(reason_code(e.reason))]; break;
    case Disposition::Retry: break;
  }
  for (const std::string& w : e.warnings) ++c.warnings[warning_code(w)];
  OBIA_TRY(txn.put(submissions_, key, counts_json(c)));

  // The file's own warnings, replacing what an earlier submission of the same path left.
  const std::string note_key = key + std::string(1, '\0') + e.relpath.string();
  if (!e.warnings.empty() && e.disposition == Disposition::Archived) {
    OBIA_TRY(txn.put(notes_, note_key, nlohmann::json(e.warnings).dump()));
  } else if (auto old = txn.get(notes_, note_key); old && *old) {
    OBIA_TRY(txn.del(notes_, note_key));
  }
  if (e.pixels && e.disposition == Disposition::Archived && !e.pixels->sop_uid.empty()) {
    const std::string pkey = be64(e.collection) + std::string(e.pixels->hash.begin(), e.pixels->hash.end());
    auto owner = txn.get(pixels_, pkey);
    if (owner && !*owner) OBIA_TRY(txn.put(pixels_, pkey, e.pixels->sop_uid));  // first one stays
  }
  return {};
}

Status QcLog::commit(const std::vector<Entry>& batch) {
  auto txn = index::lmdb::Txn::begin(catalog_.env(), true);
  if (!txn) return txn.error();
  for (const Entry& e : batch) OBIA_TRY(apply(*txn, e));
  return txn->commit();
}

Status QcLog::record(index::NodeId collection, const Job& job, const Outcome& outcome,
                     const std::optional<PixelRecord>& pixels, int64_t now) {
  return commit({Entry{collection, job.relpath, outcome.disposition, outcome.reason, outcome.warnings,
                       pixels, now}});
}

void QcLog::enqueue(index::NodeId collection, const Job& job, const Outcome& outcome,
                    const std::optional<PixelRecord>& pixels, int64_t now) {
  std::lock_guard lock(mu_);
  pending_.push_back(Entry{collection, job.relpath, outcome.disposition, outcome.reason,
                           outcome.warnings, pixels, now});
  ++queued_;
  if (!thread_.joinable()) thread_ = std::thread([this] { writer(); });
  wake_.notify_one();
}

void QcLog::writer() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) return;
    // Gather what arrives within the interval into one transaction (one disk flush).
    if (!stop_) wake_.wait_for(lock, interval, [&] { return stop_; });
    std::vector<Entry> batch;
    batch.swap(pending_);
    lock.unlock();
    if (auto st = commit(batch); !st)
      log::error("qc: " + std::to_string(batch.size()) + " QC log record(s) lost: " + st.error().message);
    lock.lock();
    committed_ += batch.size();
    done_.notify_all();
  }
}

Status QcLog::flush() {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return {};
  const uint64_t target = queued_;
  wake_.notify_one();
  done_.wait(lock, [&] { return committed_ >= target; });
  return {};
}

QcLog::~QcLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::vector<SubmissionCounts>> QcLog::submissions(index::NodeId collection) const {
  std::vector<SubmissionCounts> out;
  auto txn = index::lmdb::Txn::begin(catalog_.env(), false);
  if (!txn) return txn.error();
  OBIA_TRY(index::lmdb::scan_prefix(*txn, submissions_, be64(collection),
                                    [&](std::string_view key, std::string_view value) -> Status {
                                      out.push_back(parse_counts(std::string(key.substr(8)), value));
                                      return {};
                                    }));
  return out;
}

Result<std::vector<FileNote>> QcLog::notes(index::NodeId collection) const {
  std::vector<FileNote> out;
  auto txn = index::lmdb::Txn::begin(catalog_.env(), false);
  if (!txn) return txn.error();
  OBIA_TRY(index::lmdb::scan_prefix(
      *txn, notes_, be64(collection), [&](std::string_view key, std::string_view value) -> Status {
        std::string_view rest = key.substr(8);
        size_t nul = rest.find('\0');
        FileNote note;
        note.submission = std::string(rest.substr(0, nul));
        if (nul != std::string_view::npos) note.relpath = std::string(rest.substr(nul + 1));
        auto j = nlohmann::json::parse(value, nullptr, false);
        if (j.is_array())
          for (auto& w : j)
            if (w.is_string()) note.warnings.push_back(w.get<std::string>());
        out.push_back(std::move(note));
        return {};
      }));
  return out;
}

Result<std::optional<std::string>> QcLog::pixel_owner(index::NodeId collection, const PixelHash& hash) const {
  {
    // Queued, not yet written: still archived images.
    std::lock_guard lock(mu_);
    for (const Entry& e : pending_)
      if (e.collection == collection && e.pixels && e.pixels->hash == hash &&
          e.disposition == Disposition::Archived)
        return std::optional<std::string>(e.pixels->sop_uid);
  }
  auto txn = index::lmdb::Txn::begin(catalog_.env(), false);
  if (!txn) return txn.error();
  auto v = txn->get(pixels_, be64(collection) + std::string(hash.begin(), hash.end()));
  if (!v) return v.error();
  if (!*v) return std::optional<std::string>{};
  return std::optional<std::string>(std::string(**v));
}

}  // namespace obia::ingest
