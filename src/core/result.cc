// Status formatting and errno conversion.
#include "core/result.h"

#include <cstring>

namespace tq {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kBadInput: return "bad input";
    case ErrorCode::kCase: return "case";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kIntegrity: return "integrity";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Status Status::FromErrno(std::string_view path, int err) {
  std::string msg(path);
  msg += ": ";
  msg += std::strerror(err);
  return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, std::move(msg));
}

Status& Status::At(std::string file, uint64_t line, uint64_t column) & {
  where_.file = std::move(file);
  where_.line = line;
  where_.column = column;
  return *this;
}

Status&& Status::At(std::string file, uint64_t line, uint64_t column) && {
  At(std::move(file), line, column);
  return std::move(*this);
}

Status&& Status::AtOffset(std::string file, uint64_t offset) && {
  where_.file = std::move(file);
  where_.offset = offset;
  return std::move(*this);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out;
  if (!where_.file.empty()) {
    out += where_.file;
    if (where_.line) {
      out += ':' + std::to_string(where_.line);
      if (where_.column) out += ':' + std::to_string(where_.column);
    } else if (where_.offset) {
      out += '@' + std::to_string(*where_.offset);
    }
    out += ": ";
  }
  out += message_;
  return out;
}

}  // namespace tq
