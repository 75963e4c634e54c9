// Assembles the QC hooks.
#include "ingest/qc_stages.h"

#include <ctime>

#include "common/log.h"
#include "ingest/pixel_codecs.h"
#include "ingest/qc_blank.h"
#include "ingest/qc_decode.h"
#include "ingest/qc_log.h"
#include "ingest/qc_pixel_duplicate.h"
#include "ingest/qc_state.h"

namespace obia::ingest {

std::filesystem::path pixel_rules_dir(const store::ArchivePaths& paths) {
  return paths.root / "rules";
}

PipelineHooks make_qc_hooks(const store::ArchivePaths& paths, index::Catalog& catalog,
                            QcSettings settings, std::shared_ptr<QcLog>* log_out) {
  register_pixel_codecs();  // before any worker thread decodes
  PipelineHooks hooks;
  auto rules = std::make_shared<PixelRuleFiles>(pixel_rules_dir(paths));
  hooks.before_deid.push_back(check_decodable);
  hooks.before_deid.push_back(check_blank);
  hooks.before_deid.push_back(BurnedInTextCheck(rules, settings.burned_in));

  std::shared_ptr<QcLog> log;
  if (settings.log) {
    auto opened = QcLog::open(catalog);
    if (opened)
      log = *opened;
    else
      log::error("qc: log tables unavailable, no QC report or pixel duplicates: " +
                 opened.error().message);
  }
  if (log) hooks.after_deid.push_back(PixelDuplicateCheck(log));
  if (log_out) *log_out = log;
  hooks.finished = [log](const Job& job, index::NodeId collection, const Outcome& outcome) {
    if (log) {
      std::optional<PixelRecord> pixels;
      const QcScratch& s = qc_scratch();
      if (s.job == &job && s.pixel_hash && !s.archived_sop_uid.empty())
        pixels = PixelRecord{*s.pixel_hash, s.archived_sop_uid};
      log->enqueue(collection, job, outcome, pixels, std::time(nullptr));
    }
    clear_qc_scratch();  // frees the decoded pixels of this file
  };
  return hooks;
}

}  // namespace obia::ingest
