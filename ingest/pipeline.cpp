// The ingest pipeline's stages, in order.
#include "ingest/pipeline.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "common/log.h"
#include "deid/deidentifier.h"
#include "ingest/dicom_io.h"
#include "common/utf8.h"
#include "ingest/dicom_json.h"
#include "ingest/qc_basic.h"
#include "ingest/quarantine.h"

namespace obia::ingest {
namespace fs = std::filesystem;
namespace {

std::string str(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  if (item.findAndGetOFStringArray(tag, v).bad()) return {};
  std::string s(v.c_str());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

long long integer(DcmItem& item, const DcmTagKey& tag, long long fallback) {
  std::string s = str(item, tag);
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    return used > 0 ? v : fallback;
  } catch (...) {
    return fallback;
  }
}

void put_if(std::map<std::string, std::string>& m, const char* key, std::string value) {
  if (!value.empty()) m[key] = std::move(value);
}

Outcome reject(Reason r, std::string detail) {
  Outcome o;
  o.disposition = Disposition::Quarantined;
  o.reason = r;
  o.detail = std::move(detail);
  return o;
}

}  // namespace

Pipeline::Pipeline(store::ArchivePaths paths, index::Catalog& catalog,
                   const store::ObjectStore& objects, deid::Secret secret, PipelineOptions options,
                   PipelineHooks hooks)
    : paths_(std::move(paths)),
      catalog_(catalog),
      objects_(objects),
      secret_(secret),
      options_(options),
      hooks_(std::move(hooks)) {}

Outcome Pipeline::process(const Job& job) {
  auto coll = catalog_.collection_by_accession(job.collection);
  if (!coll.ok() || !*coll) {
    log::error("ingest: unknown collection " + job.collection);
    Outcome o;
    o.disposition = Disposition::Retry;
    o.reason = Reason::Internal;
    return o;
  }
  Outcome o;
  try {
    o = run_stages(job, (*coll)->id);
  } catch (const std::exception& e) {
    o = reject(Reason::Internal, std::string("unexpected error: ") + e.what());
  }
  o = finish(job, (*coll)->id, std::move(o));
  if (hooks_.finished && o.disposition != Disposition::Retry) hooks_.finished(job, (*coll)->id, o);
  return o;
}

Outcome Pipeline::finish(const Job& job, index::NodeId collection, Outcome o) {
  fs::path staged = paths_.staging() / job.collection / job.relpath;
  if (o.disposition == Disposition::Archived || o.disposition == Disposition::Duplicate) {
    if (::unlink(staged.c_str()) != 0 && errno != ENOENT)
      log::warn("ingest: could not remove staged file after archiving");
    return o;
  }
  if (o.disposition == Disposition::Quarantined) {
    auto q = quarantine_file(paths_, job.collection, job.relpath, o);
    if (!q) {
      log::error("ingest: quarantine failed: " + q.error().message);
      o.disposition = Disposition::Retry;
      return o;
    }
    if (auto s = catalog_.count(collection, index::Counters{1, 0, 0, 1}); !s)
      log::error("ingest: counting a quarantined file failed: " + s.error().message);
    log::info("ingest: " + job.collection + " file quarantined: " +
              std::string(reason_code(o.reason)) + (o.detail.empty() ? "" : " (" + o.detail + ")"));
  }
  return o;
}

Outcome Pipeline::run_stages(const Job& job, index::NodeId collection) {
  fs::path staged = paths_.staging() / job.collection / job.relpath;

  // Stage: size.
  struct stat st {};
  if (::stat(staged.c_str(), &st) != 0) {
    Outcome o;
    o.disposition = Disposition::Retry;  // vanished (removed by the curator): nothing to do
    o.reason = Reason::None;
    return o;
  }
  if (st.st_size == 0) return reject(Reason::Corrupt, "the file is empty (0 bytes)");
  if (static_cast<uint64_t>(st.st_size) > options_.max_file_bytes)
    return reject(Reason::TooLarge, std::to_string(st.st_size) + " bytes; the limit is " +
                                        std::to_string(options_.max_file_bytes));

  // Stage: parse.
  auto file = load_dicom(staged);
  if (!file)
    return reject(file.error().code == ENODATA ? Reason::NoPatientId : Reason::Corrupt,
                  file.error().message);

  // Stage: basic quality control.
  QcResult qc = check_basic(**file);
  if (qc.reason != Reason::None) return reject(qc.reason, qc.detail);
  std::vector<std::string> warnings;
  CheckContext check_ctx{job, catalog_, collection, warnings};
  for (auto& check : hooks_.before_deid) {
    QcResult r = check(**file, check_ctx);
    if (r.reason != Reason::None) return reject(r.reason, r.detail);
  }

  // Stage: individual (keyed HMAC of the local PatientID; the ID itself is never stored).
  auto coll = catalog_.get(collection);
  if (!coll) return reject(Reason::Internal, coll.error().message);
  deid::Digest key = deid::keyed_hash(secret_, "patient", qc.identity.patient_id);
  auto individual = catalog_.individual_for(collection, key, std::time(nullptr));
  if (!individual) return reject(Reason::Internal, individual.error().message);

  // Stage: de-identify and verify.
  auto profile = deid::Profile::parse(coll->attr("profile").empty() ? "default" : coll->attr("profile"));
  if (!profile) return reject(Reason::Internal, "collection profile: " + profile.error().message);
  deid::Subject subject{individual->accession, qc.identity.patient_id};
  deid::Outcome d = deid::deidentify(**file, *profile, secret_, subject);
  if (!d.ok) {
    if (d.reason == "residual-phi") return reject(Reason::ResidualPhi, "residual-phi at " + d.detail);
    if (d.reason == "burned-in-annotation")  // Clean Pixel Data and the file declares text
      return reject(Reason::BurnedInText, "BurnedInAnnotation (0028,0301) is YES");
    return reject(Reason::DeidFailed, d.detail);
  }

  for (auto& check : hooks_.after_deid) {
    QcResult r = check(**file, check_ctx);
    if (r.reason != Reason::None) return reject(r.reason, r.detail);
  }

  // Stage: serialise and check the bytes themselves.
  auto bytes = serialize_dicom(**file);
  if (!bytes) return reject(Reason::DeidFailed, bytes.error().message);
  std::string residual = deid::find_residual(*bytes, d.identifying);
  if (!residual.empty()) return reject(Reason::ResidualPhi, "residual-phi at " + residual);

  // Stage: catalog facts from the de-identified dataset.
  DcmDataset& ds = *(*file)->getDataset();
  index::ImageCommit c;
  c.collection = collection;
  c.individual = individual->id;
  c.study_uid = str(ds, DCM_StudyInstanceUID);
  c.series_uid = str(ds, DCM_SeriesInstanceUID);
  c.sop_uid = str(ds, DCM_SOPInstanceUID);
  // The catalog and the sidecars made from it are UTF-8; the file's text is in its own
  // character set (a Latin-1 StudyDescription once made the study folder unreadable).
  const bool latin1 = is_latin1_charset(str(ds, DCM_SpecificCharacterSet));
  auto text = [&ds, latin1](const DcmTagKey& tag) { return to_utf8(str(ds, tag), latin1); };
  c.modality = text(DCM_Modality);
  c.series_number = integer(ds, DCM_SeriesNumber, 0);
  c.instance_number = integer(ds, DCM_InstanceNumber, 0);
  put_if(c.study_attrs, "date", text(DCM_StudyDate));
  put_if(c.study_attrs, "description", text(DCM_StudyDescription));
  put_if(c.study_attrs, "age", text(DCM_PatientAge));
  put_if(c.study_attrs, "sex", text(DCM_PatientSex));
  put_if(c.series_attrs, "modality", c.modality);
  put_if(c.series_attrs, "bodypart", text(DCM_BodyPartExamined));
  put_if(c.series_attrs, "description", text(DCM_SeriesDescription));
  put_if(c.series_attrs, "manufacturer", text(DCM_Manufacturer));
  put_if(c.series_attrs, "number", text(DCM_SeriesNumber));
  put_if(c.image_attrs, "sopclass", str(ds, DCM_SOPClassUID));
  c.size = bytes->size();
  c.now = std::time(nullptr);
  c.dicom_json = to_utf8(top_level_json(ds), latin1);
  if (c.study_uid.empty() || c.series_uid.empty() || c.sop_uid.empty())
    return reject(Reason::DeidFailed, "de-identified file lost a required UID");

  // Stage: duplicates, conflicts and mixed patients are decided before any object is written.
  auto existing = catalog_.find_uid(index::Kind::Image, c.sop_uid);
  if (!existing) return reject(Reason::Internal, existing.error().message);
  if (*existing) {
    auto img = catalog_.get(**existing);
    if (!img) return reject(Reason::Internal, img.error().message);
    auto found = objects_.find(*bytes);
    if (found.ok() && *found == img->object) {
      if (auto s = catalog_.count(collection, index::Counters{1, 0, 1, 0}); !s)
        return reject(Reason::Internal, s.error().message);
      Outcome o;
      o.disposition = Disposition::Duplicate;
      return o;
    }
    return reject(Reason::Conflict, "an image with this SOP Instance UID is archived as " +
                                        img->name + " with different content");
  }
  auto study = catalog_.find_uid(index::Kind::Study, c.study_uid);
  if (!study) return reject(Reason::Internal, study.error().message);
  if (*study) {
    auto s = catalog_.get(**study);
    if (s.ok() && s->parent != individual->id) {
      auto other = catalog_.get(s->parent);
      return reject(Reason::MixedPatient,
                    "study " + s->accession + " is archived under " +
                        (other ? other->accession : std::string("another individual")) +
                        ", but this file's patient is " + individual->accession);
    }
  }

  // Stage: object write, then the catalog commit (one transaction).
  auto object = objects_.put(*bytes);
  if (!object) return reject(Reason::Internal, object.error().message);
  c.object = *object;
  auto committed = catalog_.commit_image(c);
  if (!committed) return reject(Reason::Internal, committed.error().message);
  if (committed->status == index::CommitStatus::Conflict ||
      committed->status == index::CommitStatus::MixedPatient) {
    // Lost a race with another worker: drop our object unless something references it.
    auto refs = catalog_.object_refs(c.object);
    if (refs.ok() && *refs == 0) (void)objects_.remove(c.object);
  }
  Outcome o;
  o.warnings = std::move(warnings);
  switch (committed->status) {
    case index::CommitStatus::Archived:
      o.disposition = Disposition::Archived;
      if (hooks_.archived) hooks_.archived(committed->image, **file);
      return o;
    case index::CommitStatus::Duplicate:
      o.disposition = Disposition::Duplicate;
      return o;
    case index::CommitStatus::Conflict:
      return reject(Reason::Conflict, "an image with this SOP Instance UID is already archived with "
                                      "different content");
    case index::CommitStatus::MixedPatient:
      return reject(Reason::MixedPatient, committed->detail);
  }
  return o;
}

}  // namespace obia::ingest
