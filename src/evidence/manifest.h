// The signed manifest (internal to the evidence component).
//
// File format (evidence/manifest.tqm), one record per line, fields separated by TAB:
//
//   tqm1 SEQ PREV TYPE FIELD... SIG
//
// - SEQ: 1, 2, 3, ... with no gap.
// - PREV: hex SHA-256 of the previous line's bytes (without its newline); 64 zeros on line 1.
//   The chain makes a removed, inserted or reordered line visible.
// - TYPE: `item` (one evidence item) or `custody` (one chain-of-custody record).
// - FIELDs: bytes 0x21..0x7e except '%' as is, every other byte as %XX, so raw file names
//   (newlines, TABs, invalid UTF-8) survive and the line stays one line of ASCII.
//   item:    batch collected_at_us kind label sha256 size mode(octal) uid gid owner group
//            mtime_ns ctime_ns atime_ns source path symlink_target skip_reason
//   custody: id at_us actor host action what origin sha256 outcome detail
//   seal:    first_seq line_hashes
// - SIG: hex Ed25519 signature (libsodium, detached) of the line's bytes up to and including
//   the TAB before it; or `-` on a line that a later seal line signs instead.
// - A seal line (signed itself) ends a batch of `-` lines: first_seq is the batch's first
//   record, line_hashes the hex SHA-256 of each line first_seq..SEQ-1, concatenated. One
//   signature per batch of a collect instead of one per item (signing was a third of the
//   committing thread's time), and verify still names each edited line: its hash is not the
//   one the seal signed.
// The manifest head (fingerprint) is the SHA-256 of the last line. The case database holds
// the same lines (table evidence_manifest); the file is written after each commit, and a run
// killed between the two completes the file from the database on its next start.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "evidence/evidence.h"

namespace tq::evidence::internal {

inline constexpr std::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr size_t kItemFields = 18;
inline constexpr size_t kCustodyFields = 10;
inline constexpr size_t kSealFields = 2;
inline constexpr std::string_view kSealedSignature = "-";

std::string EscapeField(std::string_view raw);
// Undoes EscapeField; false on a bad %XX or a byte that must have been escaped.
bool UnescapeField(std::string_view field, std::string* out);

struct ManifestLine {
  uint64_t seq = 0;
  std::string prev;  // hex
  std::string type;
  std::vector<std::string> fields;  // unescaped
  std::string signature_hex;
  std::string_view signed_part;  // view into the parsed text
};

// Parses one line (without its newline). Errors read "column N: message".
Result<ManifestLine> ParseManifestLine(std::string_view line);

// The fields of an item's / custody record's line, escaped, joined by TAB.
std::string ItemBody(const EvidenceItem& item);
std::string CustodyBody(const CustodyRecord& r);

struct KeyPair {
  std::array<uint8_t, 32> public_key{};
  std::array<uint8_t, 64> secret_key{};
  std::string public_hex() const;
};

// evidence/keys/manifest.sk (mode 0600) and manifest.pub; created on first use, the public
// key also recorded in evidence_key.
Result<KeyPair> LoadOrCreateKey(Case& c);
// The recorded public key (hex) without touching the secret key; empty when none yet.
Result<std::string> RecordedPublicKey(Case& c);
bool VerifySignature(std::string_view signed_part, std::string_view sig_hex,
                     const std::array<uint8_t, 32>& public_key);
bool ParsePublicKey(std::string_view hex, std::array<uint8_t, 32>* out);

Status EnsureEvidenceSchema(Case& c);
std::string ManifestPath(const Case& c);
std::string HostName();
// Testing only: $TQ_EVIDENCE_TEST_KILL=POINT:N sends SIGKILL to this process the Nth time
// POINT ("objects": an object was stored; "commit": a batch committed, its manifest lines not
// yet in the file) is reached. Used by the kill-and-resume tests.
void TestKillPoint(std::string_view point);

// Appends signed lines: holds an exclusive lock on the manifest file while a transaction
// adds rows and lines, commits, then writes the lines to the file and syncs it.
class ManifestWriter {
 public:
  // Loads the key and repairs a file left behind by a killed run (lines the database has
  // committed but the file lacks, a torn last line). A file that disagrees with the database
  // otherwise is an integrity error: run verify.
  static Result<std::unique_ptr<ManifestWriter>> Open(Case& c);
  ~ManifestWriter();

  class Batch {
   public:
    // Adds one line inside the transaction; returns its sequence number.
    Result<uint64_t> Add(Db& db, std::string_view type, std::string_view body, int64_t item_id,
                         int64_t custody_id);

   private:
    friend class ManifestWriter;
    explicit Batch(ManifestWriter* w) : w_(w) {}
    Result<uint64_t> AddLine(Db& db, std::string_view type, std::string_view body, int64_t item_id,
                             int64_t custody_id, bool sealed);
    ManifestWriter* w_;
    std::vector<std::string> lines_;
    uint64_t seq_ = 0;
    std::string prev_;
    std::unique_ptr<Stmt> insert_;  // the line INSERT, prepared on first use
    bool seal_ = false;
    uint64_t first_sealed_ = 0;
    std::string sealed_hashes_;  // hex, concatenated
  };
  // Runs fn in one transaction with a Batch; after commit the lines go to the file. `seal`:
  // the lines fn adds are signed together by one seal line that ends the batch.
  Status Commit(const std::function<Status(Db&, Batch&)>& fn, bool seal = false);

  const KeyPair& key() const { return key_; }
  std::string head() const { return head_; }
  uint64_t lines() const { return seq_; }
  // Lines the file lacked when opened (restored from the database), and a torn tail cut.
  uint64_t repaired_lines() const { return repaired_lines_; }

 private:
  ManifestWriter(Case& c) : case_(c) {}
  Status Reconcile();
  Case& case_;
  KeyPair key_;
  int fd_ = -1;
  uint64_t seq_ = 0;
  uint64_t repaired_lines_ = 0;
  std::string head_ = std::string(kZeroHash);
};

// Adds a custody record and its signed line through an open writer; fills id, at, host,
// manifest_line.
Status AddCustody(ManifestWriter& w, CustodyRecord& r);

}  // namespace tq::evidence::internal
