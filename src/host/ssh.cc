// authorized_keys (sshd(8) AUTHORIZED_KEYS FILE FORMAT): "[options] keytype base64 [comment]",
// options being comma-separated, possibly quoted (command="...",from="..."). A key is
// identified as ssh-keygen -l shows it: SHA256 of the decoded key blob, base64 without
// padding. The blob's own type string must match the line's, or the line is reported.
#include <sodium.h>

#include <cctype>
#include <string>

#include "core/sha256.h"
#include "host/host.h"
#include "host/text.h"

namespace tq::host {
namespace {

bool KeyType(std::string_view t) {
  return t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") || t.starts_with("sk-ssh-") ||
         t.starts_with("sk-ecdsa-");
}

// Skips the options field: up to the first unquoted blank.
std::string_view TakeOptions(std::string_view& s) {
  bool quoted = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && quoted && i + 1 < s.size()) {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t')) break;
  }
  std::string_view opts = s.substr(0, i);
  s = Trim(s.substr(i));
  return opts;
}

std::string NextWord(std::string_view& s) {
  s = Trim(s);
  size_t i = 0;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
  std::string w(s.substr(0, i));
  s = Trim(s.substr(i));
  return w;
}

// "SHA256:" + base64 (no padding) of the blob's SHA-256; "" when the base64 is not valid or
// the blob does not start with `type`.
std::string Fingerprint(std::string_view b64, std::string_view type) {
  if (b64.empty() || b64.size() > 16384) return "";
  std::string blob(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(blob.data()), blob.size(), b64.data(),
                        b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return "";
  blob.resize(len);
  if (blob.size() < 4) return "";
  uint32_t n = (static_cast<uint32_t>(static_cast<unsigned char>(blob[0])) << 24) |
               (static_cast<uint32_t>(static_cast<unsigned char>(blob[1])) << 16) |
               (static_cast<uint32_t>(static_cast<unsigned char>(blob[2])) << 8) |
               static_cast<uint32_t>(static_cast<unsigned char>(blob[3]));
  if (n > blob.size() - 4 || std::string_view(blob).substr(4, n) != type) return "";
  Sha256 h;
  h.Update(blob);
  Sha256Digest d = h.Finish();
  std::string out(sodium_base64_ENCODED_LEN(d.size(), sodium_base64_VARIANT_ORIGINAL_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), d.data(), d.size(),
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return "SHA256:" + out;
}

}  // namespace

KeyFile ParseAuthorizedKeys(std::string_view text) {
  KeyFile out;
  LineReader lines(text);
  std::string_view line_raw;
  while (lines.Next(&line_raw)) {
    uint64_t line_no = lines.number();
    std::string_view line = Trim(line_raw);
    if (line.empty() || line[0] == '#') continue;
    SshKey k;
    k.line = line_no;
    std::string_view rest = line;
    std::string first = NextWord(rest);
    if (!KeyType(first)) {
      rest = line;
      k.options = std::string(TakeOptions(rest));
      first = NextWord(rest);
    }
    if (!KeyType(first)) {
      lines.Skip(out.skipped, "no key type");
      continue;
    }
    k.type = first;
    std::string b64 = NextWord(rest);
    k.comment = std::string(rest.substr(0, 256));
    k.fingerprint = Fingerprint(b64, k.type);
    if (k.fingerprint.empty()) {
      lines.Skip(out.skipped, "the " + k.type + " key is not valid base64 of a key of that type");
      continue;
    }
    out.keys.push_back(std::move(k));
  }
  return out;
}

std::vector<std::string> KnownFingerprints(std::string_view text) {
  std::vector<std::string> out;
  KeyFile kf = ParseAuthorizedKeys(text);
  for (const SshKey& k : kf.keys) out.push_back(k.fingerprint);
  LineReader lines(text);
  std::string_view raw;
  while (lines.Next(&raw)) {
    std::string_view line = Trim(raw);
    // "SHA256:abc..." alone, or as ssh-keygen -l prints it: "256 SHA256:abc... comment (ED25519)".
    size_t at = line.find("SHA256:");
    if (at == std::string_view::npos) continue;
    std::string_view fp = line.substr(at);
    size_t end = fp.find_first_of(" \t");
    out.emplace_back(fp.substr(0, end));
  }
  return out;
}

}  // namespace tq::host
