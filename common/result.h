// Typed results used inside OBIA: a value or an errno-style error with a message.
// Converted to a bare errno once, at the FUSE boundary.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace obia {

struct Error {
  int code = EIO;       // errno-style
  std::string message;  // one line, never contains PHI
};

inline Error make_error(int code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

// Propagate an error from an expression yielding Result<...>.
#define OBIA_TRY(expr)                           \
  do {                                           \
    auto obia_try_r_ = (expr);                   \
    if (!obia_try_r_.ok()) return obia_try_r_.error(); \
  } while (0)

}  // namespace obia
