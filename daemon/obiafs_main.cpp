// obiafs: mounts an OBIA archive and runs its ingest workers.
//   obiafs ARCHIVE MOUNT [-f] [-o allow_other,...] [--workers N]
//   obiafs ARCHIVE MOUNT --reader     read-only mount for training nodes (daemon/reader_mount.h)
#include <fcntl.h>
#include <omp.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/fd.h"
#include "common/heap.h"
#include "common/log.h"
#include "daemon/control.h"
#include "daemon/policy_watch.h"
#include "daemon/reader_mount.h"
#include "fs/session.h"
#include "index/similarity/similarity_service.h"
#include "ingest/pipeline.h"
#include "ingest/qc_stages.h"
#include "ingest/queue.h"

namespace sfs = std::filesystem;
using namespace obia;

namespace {

// Files left in staging by an earlier run (killed, or stopped with a full queue).
void resume_staged(const store::ArchivePaths& paths, ingest::IngestQueue& queue) {
  std::error_code ec;
  size_t n = 0;
  for (auto& coll : sfs::directory_iterator(paths.staging(), ec)) {
    if (!coll.is_directory()) continue;
    for (auto it = sfs::recursive_directory_iterator(coll.path(), ec);
         !ec && it != sfs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file() || it->is_symlink()) continue;
      queue.submit({coll.path().filename().string(), sfs::relative(it->path(), coll.path())});
      ++n;
    }
  }
  if (n) log::info("resuming " + std::to_string(n) + " staged file(s)");
}

int fail(const std::string& msg) {
  std::cerr << "obiafs: " << msg << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  keep_image_buffers();  // ingest workers reuse freed image buffers instead of faulting anew
  CLI::App app{"obiafs: mount an OBIA archive as a filesystem"};
  app.footer(
      "Examples:\n"
      "  obiafs /srv/archive /mnt/obia                 mount (runs in the background)\n"
      "  obiafs /srv/archive /mnt/obia -f              stay in the foreground, log to stderr\n"
      "  obiafs /srv/archive /mnt/obia -o allow_other  let other users see the mount\n"
      "  obiafs /srv/archive /mnt/train --reader       read-only mount of the open collections\n"
      "                                                for training jobs, beside the main mount\n"
      "Unmount with: fusermount3 -u /mnt/obia");
  std::string archive, mountpoint;
  bool foreground = false, debug = false;
  std::vector<std::string> options;
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  app.add_option("ARCHIVE", archive, "archive directory (created by obiactl init)")->required();
  app.add_option("MOUNT", mountpoint, "empty directory to mount on")->required();
  app.add_flag("-f,--foreground", foreground, "do not daemonise; log to stderr");
  app.add_flag("-d,--debug", debug, "log every FUSE request (implies -f)");
  app.add_option("-o", options, "mount options, comma separated (allow_other, ...)")
      ->delimiter(',');
  app.add_option("--workers", workers, "ingest worker threads (default: CPU count)");
  bool reader = false;
  app.add_flag("--reader", reader,
               "read-only mount of the open collections (no inbox, similar/, query/): the "
               "kernel serves opens and listings from its caches, for training jobs; runs "
               "beside the archive's main mount (also -o reader)");
  CLI11_PARSE(app, argc, argv);
  if (debug) foreground = true;
  // -o reader (as from fstab) is ours, not a kernel mount option.
  if (auto it = std::find(options.begin(), options.end(), "reader"); it != options.end()) {
    reader = true;
    options.erase(it);
  }

  auto paths = store::open_archive(archive);
  if (!paths) return fail(paths.error().message);
  std::error_code ec;
  sfs::path mount_abs = sfs::absolute(mountpoint, ec);
  sfs::path mount_real = sfs::weakly_canonical(mount_abs, ec);
  if (mount_real.string().rfind(paths->root.string() + "/", 0) == 0)
    return fail("the mount point must not be inside the archive directory");

  if (reader) {
    if (!foreground) {
      auto logfd = open_fd(paths->log_file(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (logfd) log::set_file(logfd->release());
    }
    fs::MountOptions mo;
    mo.mountpoint = mount_abs.string();
    mo.foreground = foreground;
    mo.debug = debug;
    mo.options = options;
    return daemon::run_reader_mount(*paths, mo);
  }

  // One writer daemon per archive (reader mounts take no lock).
  auto lock = open_fd(paths->lock_file(), O_RDWR | O_CREAT, 0600);
  if (!lock) return fail(lock.error().message);
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0)
    return fail("another obiafs is already serving " + paths->root.string());

  auto secret = store::load_secret(*paths);
  if (!secret) return fail(secret.error().message);
  auto catalog = index::Catalog::open(paths->catalog(), false);
  if (!catalog) return fail(catalog.error().message);
  auto objects = store::ObjectStore::open(paths->root);
  if (!objects) return fail(objects.error().message);
  (void)objects->clean_tmp();  // half-written objects of a killed run never got a name

  if (!foreground) {
    auto logfd = open_fd(paths->log_file(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (logfd) log::set_file(logfd->release());
  }
  log::info("serving " + paths->root.string() + " at " + mount_abs.string());

  auto policies = index::PolicyStore::open(**catalog);
  if (!policies) return fail(policies.error().message);
  std::unique_ptr<index::AuditLog> audit;  // its writer thread starts after daemonising

  // Opened after daemonising (it runs threads); until then, and if it cannot open, images are
  // archived without codes and `similarity reindex` or the next start computes them.
  std::unique_ptr<similarity::SimilarityService> similarity;
  fs::Context context;  // filled in below; its session is set once mounted
  // Quality control (issue 4): decode, blank, burned-in text before de-identification, pixel
  // duplicates after it, and the per-submission QC log of every outcome.
  std::shared_ptr<ingest::QcLog> qc_log;
  ingest::PipelineHooks hooks = ingest::make_qc_hooks(*paths, **catalog, {}, &qc_log);
  hooks.archived = [&, qc_archived = std::move(hooks.archived)](index::NodeId id,
                                                                DcmFileFormat& file) {
    if (qc_archived) qc_archived(id, file);
    if (similarity) similarity->on_archived(id, file);
    context.tree_changed(id);  // after the codes: similar/ listings see the new image
  };
  ingest::Pipeline pipeline(*paths, **catalog, *objects, *secret, {}, std::move(hooks));
  std::unique_ptr<ingest::IngestQueue> queue;
  std::atomic<ingest::IngestQueue*> queue_ptr{nullptr};  // for workers, without racing `queue`
  // The QC log commits in batches; when a worker finishes the last queued file it flushes, so
  // `obiactl wait` returns only once `obiactl qc report` can see every outcome.
  auto process = [&](const ingest::Job& j) {
    // OCR (Tesseract) and LibTorch parallelise with OpenMP inside each ingest worker, which
    // already runs one file per core: extra threads only spin against each other (a whole-frame
    // OCR took 3x longer). With no active parallel level, this worker's OpenMP regions run on
    // the worker alone. The setting is per thread in libgomp, hence here and not in main().
    thread_local const bool serial = (omp_set_max_active_levels(0), true);
    (void)serial;
    ingest::Outcome o = pipeline.process(j);
    ingest::IngestQueue* q = queue_ptr.load();
    if (qc_log && (q == nullptr || q->stats().queued == 0)) (void)qc_log->flush();
    return o;
  };
  std::unique_ptr<daemon::ControlServer> control;
  std::unique_ptr<daemon::PolicyWatch> policy_watch;

  context.paths = *paths;
  context.catalog = catalog->get();
  context.objects = &*objects;
  context.policies = &*policies;
  context.policy_cache.set_store(&*policies);

  context.inbox.submit = [&](const std::string& c, const std::string& rel) {
    queue->submit({c, rel});
  };
  context.inbox.writer_opened = [&] { queue->writer_opened(); };
  context.inbox.writer_closed = [&] { queue->writer_closed(); };

  fs::MountOptions mo;
  mo.mountpoint = mount_abs.string();
  mo.foreground = foreground;
  mo.debug = debug;
  mo.options = options;
  mo.on_mounted = [&] {
    // After daemonising: threads do not survive fork().
    (void)::write(lock->get(), "", 0);
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock->get(), 0) == 0) (void)::pwrite(lock->get(), pid.data(), pid.size(), 0);
    (void)write_file_atomic(paths->run() / "mountpoint", mount_abs.string() + "\n");
    queue = std::make_unique<ingest::IngestQueue>(process, workers);
    queue_ptr = queue.get();
    auto opened = index::AuditLog::open(paths->root / "audit" / "audit.log", [&](index::NodeId id) {
      return daemon::path_of(**catalog, id);
    });
    if (opened) {
      audit = std::move(*opened);
      context.audit = audit.get();
    } else {
      log::error("audit log: " + opened.error().message + " (opens are not audited)");
    }
    auto sim = similarity::SimilarityService::open(*paths, **catalog, *objects);
    if (sim) {
      similarity = std::move(*sim);
      context.similarity = similarity.get();
    } else {
      log::error("similarity search unavailable: " + sim.error().message);
    }
    policy_watch = std::make_unique<daemon::PolicyWatch>(*policies, **catalog, context);
    // Staged files go back in the queue before the control socket answers: a `wait` must
    // never see an empty queue while files of a killed run are still waiting.
    resume_staged(*paths, *queue);
    auto server = daemon::ControlServer::start(paths->control_socket(), *queue, [&] {
      policy_watch->check_now();
      if (audit) audit->flush();  // obiactl audit reads next
    });
    if (server)
      control = std::move(*server);
    else
      log::error("control socket: " + server.error().message);
  };
  mo.on_unmounting = [&] {
    log::info("stopping: finishing files in progress");
    control.reset();
    policy_watch.reset();
    if (queue) queue->stop();
    queue_ptr = nullptr;
    if (qc_log) (void)qc_log->flush();
    context.similarity = nullptr;
    similarity.reset();  // writes pending codes and the index
    context.audit = nullptr;
    audit.reset();  // writes what is queued
  };
  int rc = fs::run_mount(context, mo);
  log::info("stopped");
  return rc;
}
