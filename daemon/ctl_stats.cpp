// obiactl stats: counts per collection and level, from the catalog.
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/ctl.h"

namespace obia::ctl {

int cmd_stats(const std::string& archive, bool json) {
  auto a = open_archive(archive);
  if (!a) return fail(a.error().message);
  auto colls = a->catalog->collections();
  if (!colls) return fail(colls.error().message);
  nlohmann::json out = {{"collections", nlohmann::json::array()}};
  uint64_t totals[4] = {0, 0, 0, 0};
  for (auto& c : *colls) {
    uint64_t individuals = 0, studies = 0, series = 0, images = 0;
    auto inds = a->catalog->children(c.id);
    if (!inds) return fail(inds.error().message);
    for (auto& i : *inds) {
      ++individuals;
      auto sts = a->catalog->children(i.id);
      if (!sts) return fail(sts.error().message);
      for (auto& s : *sts) {
        ++studies;
        auto srs = a->catalog->children(s.id);
        if (!srs) return fail(srs.error().message);
        for (auto& r : *srs) {
          ++series;
          auto imgs = a->catalog->children(r.id);
          if (!imgs) return fail(imgs.error().message);
          images += imgs->size();
        }
      }
    }
    auto k = a->catalog->counters(c.id);
    if (!k) return fail(k.error().message);
    out["collections"].push_back({{"accession", c.accession},
                                  {"title", c.attr("title")},
                                  {"individuals", individuals},
                                  {"studies", studies},
                                  {"series", series},
                                  {"images", images},
                                  {"submitted", k->submitted},
                                  {"archived", k->archived},
                                  {"duplicates", k->duplicates},
                                  {"quarantined", k->quarantined}});
    totals[0] += individuals;
    totals[1] += studies;
    totals[2] += series;
    totals[3] += images;
  }
  out["totals"] = {{"individuals", totals[0]}, {"studies", totals[1]}, {"series", totals[2]},
                   {"images", totals[3]}};
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "collection\tindividuals\tstudies\tseries\timages\tsubmitted\tduplicates\tquarantined\n";
  for (auto& c : out["collections"])
    std::cout << c["accession"].get<std::string>() << "\t" << c["individuals"] << "\t"
              << c["studies"] << "\t" << c["series"] << "\t" << c["images"] << "\t"
              << c["submitted"] << "\t" << c["duplicates"] << "\t" << c["quarantined"] << "\n";
  std::cout << "total\t" << totals[0] << "\t" << totals[1] << "\t" << totals[2] << "\t"
            << totals[3] << "\n";
  return 0;
}

}  // namespace obia::ctl
