// The path table for inbox and quarantine inodes.
#include "fs/inodes.h"

namespace obia::fs {

std::string PathTable::key(Area a, const std::string& rel) {
  return std::string(1, static_cast<char>(a)) + rel;
}

uint64_t PathTable::add_locked(Area area, const std::string& rel, uint64_t refs) {
  auto k = key(area, rel);
  auto it = by_path_.find(k);
  if (it != by_path_.end()) {
    by_ino_[it->second].nlookup += refs;
    return it->second;
  }
  uint64_t ino = (uint64_t(area) << index::kKindShift) | next_++;
  by_ino_[ino] = Entry{AreaPath{area, rel}, refs};
  by_path_[k] = ino;
  return ino;
}

uint64_t PathTable::ref(Area area, const std::string& rel) {
  std::lock_guard lock(mu_);
  return add_locked(area, rel, 1);
}

uint64_t PathTable::ino_of(Area area, const std::string& rel) {
  std::lock_guard lock(mu_);
  return add_locked(area, rel, 0);
}

std::optional<AreaPath> PathTable::get(uint64_t ino) const {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return std::nullopt;
  return it->second.path;
}

void PathTable::forget(uint64_t ino, uint64_t n) {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return;
  if (it->second.nlookup > n) {
    it->second.nlookup -= n;
    return;
  }
  by_path_.erase(key(it->second.path.area, it->second.path.rel));
  by_ino_.erase(it);
}

void PathTable::rename(Area area, const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  // Re-key the renamed entry and everything below it.
  std::string prefix = from + "/";
  std::unordered_map<std::string, uint64_t> moved;
  for (auto it = by_path_.begin(); it != by_path_.end();) {
    const std::string& k = it->first;
    if (k[0] == static_cast<char>(area)) {
      std::string rel = k.substr(1);
      if (rel == from || rel.compare(0, prefix.size(), prefix) == 0) {
        std::string nrel = to + rel.substr(from.size());
        by_ino_[it->second].path.rel = nrel;
        moved[key(area, nrel)] = it->second;
        it = by_path_.erase(it);
        continue;
      }
    }
    ++it;
  }
  for (auto& [k, v] : moved) by_path_[k] = v;
}

}  // namespace obia::fs
