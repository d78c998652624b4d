// SHA-256, streaming, through OpenSSL's libcrypto (the SHA extensions of the CPU where it
// has them: about 4x libsodium's portable code, and collect hashes every byte of evidence).
// Evidence objects are named by it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tq {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& o) noexcept : ctx_(o.ctx_) { o.ctx_ = nullptr; }
  Sha256& operator=(Sha256&& o) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view bytes) { Update(bytes.data(), bytes.size()); }
  Sha256Digest Finish();  // once

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};

std::string ToHex(const uint8_t* data, size_t size);
inline std::string ToHex(const Sha256Digest& d) { return ToHex(d.data(), d.size()); }
std::string Sha256Hex(std::string_view bytes);
// Hashes a file by streaming it; also returns its size.
Result<std::string> Sha256File(const std::string& path, uint64_t* size_out = nullptr);
// Parses 64 hex characters.
bool ParseSha256Hex(std::string_view hex, Sha256Digest* out);

// libsodium's sodium_init, once per process; false if the library cannot start.
bool SodiumReady();

}  // namespace tq
