// Result<T> and Error: expected failures as values (STYLE.md "Errors").
// An Error carries a code chosen by what the caller does next, a stable detail
// string such as "mail.header_too_large", and a message for the log.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace replydesk::util {

enum class ErrorCode {
  kInvalidArgument,    // the input is wrong; retrying the same input fails again
  kNotFound,           // the thing asked for does not exist
  kAlreadyExists,      // a unique key is taken
  kPermissionDenied,   // the caller may not do this
  kResourceExhausted,  // a limit was hit (size, rate, disk)
  kUnavailable,        // transient: retry later (store busy, server down)
  kInternal,           // a bug or an unexpected library failure
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string detail;   // stable, machine-readable: "store.unavailable"
  std::string message;  // human-readable, for logs

  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string detail, std::string message = {}) {
  return Error{code, std::move(detail), std::move(message)};
}

// Holds either a T or an Error. Access to the wrong alternative is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Status OkStatus() { return Status(); }

}  // namespace replydesk::util

// Propagates an error from an expression returning Status or Result<T>.
#define RD_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto rd_status_ = (expr);                        \
    if (!rd_status_.ok()) return rd_status_.error(); \
  } while (0)

#define RD_CONCAT_INNER(a, b) a##b
#define RD_CONCAT(a, b) RD_CONCAT_INNER(a, b)
// `RD_ASSIGN_OR_RETURN(auto x, Foo());` declares x from a Result or returns its error.
#define RD_ASSIGN_OR_RETURN(decl, expr) \
  RD_ASSIGN_OR_RETURN_IMPL(RD_CONCAT(rd_result_, __LINE__), decl, expr)
#define RD_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.error();              \
  decl = std::move(tmp).value()
