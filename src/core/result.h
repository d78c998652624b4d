// The one error type of tourniquet: a Status (code, message, and where in the evidence the
// problem is) and Result<T>, a value or a Status. No exceptions cross a component boundary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tq {

// Closed set of error classes. Each maps to one documented exit code in cli.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kUsage,      // the command line or an option value is wrong
  kBadInput,   // evidence, a rule or a data file could not be read as what it claims to be
  kCase,       // not a case, newer schema, corrupt or locked case file
  kIo,         // the operating system refused (permissions, disk full, missing file)
  kIntegrity,  // a hash or signature does not match
  kNotFound,   // a named thing does not exist
  kNetwork,    // a server refused or did not answer
  kInternal,   // a bug: an invariant broke
};

std::string_view ErrorCodeName(ErrorCode code);

// Where an error sits in the evidence. Any field may be absent.
struct SourceLocation {
  std::string file;
  uint64_t line = 0;               // 1-based; 0 = unknown
  uint64_t column = 0;             // 1-based; 0 = unknown
  std::optional<uint64_t> offset;  // byte offset in the file
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Usage(std::string msg) { return Status(ErrorCode::kUsage, std::move(msg)); }
  static Status BadInput(std::string msg) { return Status(ErrorCode::kBadInput, std::move(msg)); }
  static Status CaseError(std::string msg) { return Status(ErrorCode::kCase, std::move(msg)); }
  static Status Io(std::string msg) { return Status(ErrorCode::kIo, std::move(msg)); }
  static Status Integrity(std::string msg) { return Status(ErrorCode::kIntegrity, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(ErrorCode::kNotFound, std::move(msg)); }
  static Status Network(std::string msg) { return Status(ErrorCode::kNetwork, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(ErrorCode::kInternal, std::move(msg)); }
  // errno-based I/O error: "PATH: strerror(err)".
  static Status FromErrno(std::string_view path, int err);

  Status(ErrorCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const SourceLocation& where() const { return where_; }

  // Attach a location; returns *this for chaining: Status::BadInput("..").At(file, line).
  Status& At(std::string file, uint64_t line = 0, uint64_t column = 0) &;
  Status&& At(std::string file, uint64_t line = 0, uint64_t column = 0) &&;
  Status&& AtOffset(std::string file, uint64_t offset) &&;

  // "file:line:col: message", "file@offset: message" or just "message". File names are
  // shown as stored; callers escape for their output.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  SourceLocation where_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tq

// Early return on error. TQ_RETURN_IF_ERROR(status_expr); TQ_ASSIGN_OR_RETURN(auto x, expr);
#define TQ_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::tq::Status tq_status_ = (expr);        \
    if (!tq_status_.ok()) return tq_status_; \
  } while (0)

#define TQ_CONCAT_INNER(a, b) a##b
#define TQ_CONCAT(a, b) TQ_CONCAT_INNER(a, b)
#define TQ_ASSIGN_OR_RETURN(lhs, expr) \
  TQ_ASSIGN_OR_RETURN_IMPL(TQ_CONCAT(tq_result_, __LINE__), lhs, expr)
#define TQ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
