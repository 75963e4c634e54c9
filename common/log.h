// Minimal leveled logging to stderr (or a file). Callers never pass PHI: log accessions,
// tags and reason codes, not values.
#pragma once

#include <string_view>

namespace obia::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
void set_level(Level level);
void set_file(int fd);  // where log lines go; default stderr
void write(Level level, std::string_view message);
inline void debug(std::string_view m) { write(Level::Debug, m); }
inline void info(std::string_view m) { write(Level::Info, m); }
inline void warn(std::string_view m) { write(Level::Warn, m); }
inline void error(std::string_view m) { write(Level::Error, m); }

}  // namespace obia::log
