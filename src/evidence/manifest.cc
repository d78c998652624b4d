// The signed, hash-chained manifest: line format, the case's Ed25519 key, the evidence
// tables, and the writer that keeps the file and the database in step.
#include "evidence/manifest.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "core/io.h"
#include "core/sha256.h"

namespace tq::evidence::internal {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE evidence_batches (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  actor TEXT NOT NULL,
  host TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  sources BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'running',
  items_added INTEGER NOT NULL DEFAULT 0,
  bytes_added INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE evidence_custody (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  host TEXT NOT NULL,
  action TEXT NOT NULL,
  what TEXT NOT NULL,
  origin BLOB NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT 'ok',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE evidence_manifest (
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  item_id INTEGER REFERENCES evidence_items(id),
  custody_id INTEGER REFERENCES evidence_custody(id),
  line BLOB NOT NULL,
  line_hash TEXT NOT NULL
);
CREATE INDEX evidence_manifest_item ON evidence_manifest(item_id);
CREATE TABLE evidence_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  public_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE evidence_hardlinks (
  item_id INTEGER PRIMARY KEY REFERENCES evidence_items(id),
  link_group BLOB NOT NULL,
  nlink INTEGER NOT NULL
);
)sql"},
    // The collecting process: a batch still 'running' whose process is gone was killed, and
    // the next collect marks it 'interrupted' (0: a batch from before this column).
    {2, "ALTER TABLE evidence_batches ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;"},
};

bool NeedsEscape(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '%'; }

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    int a = HexVal(hex[2 * i]), b = HexVal(hex[2 * i + 1]);
    if (a < 0 || b < 0) return false;
    out[i] = static_cast<uint8_t>(a * 16 + b);
  }
  return true;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  return io::WriteAll(fd, bytes, what);
}

Result<std::string> ReadWhole(int fd, const std::string& what) {
  std::string out;
  char buf[1 << 16];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(what, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

std::string Octal(uint32_t v) {
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 8);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string EscapeField(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (NeedsEscape(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

bool UnescapeField(std::string_view f, std::string* out) {
  out->clear();
  for (size_t i = 0; i < f.size(); ++i) {
    auto c = static_cast<unsigned char>(f[i]);
    if (c == '%') {
      if (i + 2 >= f.size()) return false;
      int a = HexVal(f[i + 1]), b = HexVal(f[i + 2]);
      if (a < 0 || b < 0) return false;
      out->push_back(static_cast<char>(a * 16 + b));
      i += 2;
    } else if (NeedsEscape(c)) {
      return false;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  return true;
}

Result<ManifestLine> ParseManifestLine(std::string_view line) {
  ManifestLine m;
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      parts.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  auto column = [&](size_t part) {
    size_t col = 1;
    for (size_t k = 0; k < part && k < parts.size(); ++k) col += parts[k].size() + 1;
    return col;
  };
  auto bad = [&](size_t part, const std::string& msg) {
    return Status::BadInput("column " + std::to_string(column(part)) + ": " + msg);
  };
  if (parts.size() < 5) return bad(0, "not a manifest line (too few fields)");
  if (parts[0] != "tqm1") return bad(0, "not a manifest line (no tqm1 tag)");
  uint64_t seq = 0;
  auto r = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), seq);
  if (r.ec != std::errc() || r.ptr != parts[1].data() + parts[1].size() || seq == 0)
    return bad(1, "bad sequence number");
  m.seq = seq;
  if (parts[2].size() != 64 || !IsLowerHex(parts[2])) return bad(2, "bad previous-line hash");
  m.prev = std::string(parts[2]);
  m.type = std::string(parts[3]);
  size_t want = m.type == "item"      ? kItemFields
                : m.type == "custody" ? kCustodyFields
                : m.type == "seal"    ? kSealFields
                                      : 0;
  if (want == 0) return bad(3, "unknown record type");
  if (parts.size() != 4 + want + 1)
    return bad(3, "a " + m.type + " line has " + std::to_string(want) + " fields, found " +
                      std::to_string(parts.size() - 5));
  for (size_t k = 4; k < 4 + want; ++k) {
    std::string f;
    if (!UnescapeField(parts[k], &f)) return bad(k, "bad escape in field");
    m.fields.push_back(std::move(f));
  }
  std::string_view sig = parts.back();
  bool sealed = sig == kSealedSignature && m.type != "seal";
  if (!sealed && (sig.size() != 128 || !IsLowerHex(sig)))
    return bad(parts.size() - 1, "bad signature field");
  if (m.type == "seal") {
    uint64_t first = 0;
    const std::string& f0 = m.fields[0];
    auto r0 = std::from_chars(f0.data(), f0.data() + f0.size(), first);
    if (r0.ec != std::errc() || r0.ptr != f0.data() + f0.size() || first == 0 || first >= seq)
      return bad(4, "bad first sealed record");
    // Divided, not multiplied: a hostile SEQ must not wrap the product (verify walks the
    // records a seal names).
    const std::string& hashes = m.fields[1];
    if (hashes.size() % 64 != 0 || hashes.size() / 64 != seq - first || !IsLowerHex(hashes))
      return bad(5, "a seal lists one line hash for each record it seals");
  }
  m.signature_hex = std::string(sig);
  m.signed_part = line.substr(0, line.size() - sig.size());
  return m;
}

std::string ItemBody(const EvidenceItem& e) {
  std::string b;
  auto add = [&](std::string_view f) {
    if (!b.empty()) b += '\t';
    b += EscapeField(f);
  };
  add(std::to_string(e.batch_id));
  add(std::to_string(e.collected_at));
  add(e.kind);
  add(e.label);
  add(e.sha256);
  add(std::to_string(e.size));
  add(Octal(e.mode));
  add(std::to_string(e.uid));
  add(std::to_string(e.gid));
  add(e.owner);
  add(e.group);
  add(std::to_string(e.mtime_ns));
  add(std::to_string(e.ctime_ns));
  add(std::to_string(e.atime_ns));
  add(e.source);
  add(e.original_path);
  add(e.symlink_target);
  add(e.skip_reason);
  return b;
}

std::string CustodyBody(const CustodyRecord& r) {
  std::string b;
  auto add = [&](std::string_view f) {
    if (!b.empty()) b += '\t';
    b += EscapeField(f);
  };
  add(std::to_string(r.id));
  add(std::to_string(r.at));
  add(r.actor);
  add(r.host);
  add(r.action);
  add(r.what);
  add(r.origin);
  add(r.sha256);
  add(r.outcome);
  add(r.detail);
  return b;
}

std::string KeyPair::public_hex() const { return ToHex(public_key.data(), public_key.size()); }

bool ParsePublicKey(std::string_view hex, std::array<uint8_t, 32>* out) {
  return ParseHex(hex, out->data(), out->size());
}

bool VerifySignature(std::string_view signed_part, std::string_view sig_hex,
                     const std::array<uint8_t, 32>& pk) {
  unsigned char sig[crypto_sign_BYTES];
  if (!ParseHex(sig_hex, sig, sizeof sig)) return false;
  return crypto_sign_verify_detached(sig,
                                     reinterpret_cast<const unsigned char*>(signed_part.data()),
                                     signed_part.size(), pk.data()) == 0;
}

Status EnsureEvidenceSchema(Case& c) { return c.EnsureSchema("evidence", kMigrations); }

std::string ManifestPath(const Case& c) { return c.EvidenceDir() + "/manifest.tqm"; }

void TestKillPoint(std::string_view point) {
  // Parsed once: "POINT:N" kills the process (SIGKILL) at the Nth time POINT is reached.
  static const std::pair<std::string, long> spec = [] {
    const char* env = std::getenv("TQ_EVIDENCE_TEST_KILL");
    std::string v = env ? env : "";
    size_t colon = v.find(':');
    if (colon == std::string::npos) return std::make_pair(std::string(), 0L);
    return std::make_pair(v.substr(0, colon), std::atol(v.c_str() + colon + 1));
  }();
  if (spec.first.empty() || spec.first != point) return;
  static std::atomic<long> count{0};
  if (++count == spec.second) ::kill(::getpid(), SIGKILL);
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

Result<std::string> RecordedPublicKey(Case& c) {
  TQ_RETURN_IF_ERROR(EnsureEvidenceSchema(c));
  TQ_ASSIGN_OR_RETURN(Stmt st, c.db().Prepare("SELECT public_key FROM evidence_key WHERE id=1"));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.String(0) : std::string();
}

Result<KeyPair> LoadOrCreateKey(Case& c) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to start");
  TQ_RETURN_IF_ERROR(EnsureEvidenceSchema(c));
  std::string dir = c.EvidenceDir() + "/keys";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::FromErrno(dir, errno);
  std::string sk_path = dir + "/manifest.sk", pk_path = dir + "/manifest.pub";
  TQ_ASSIGN_OR_RETURN(std::string recorded, RecordedPublicKey(c));
  KeyPair k;
  int fd = ::open(sk_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) ::fchmod(fd, 0600);
    ssize_t n = ::read(fd, k.secret_key.data(), k.secret_key.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(k.secret_key.size()))
      return Status::Integrity(sk_path + ": the manifest secret key is damaged");
    crypto_sign_ed25519_sk_to_pk(k.public_key.data(), k.secret_key.data());
    if (!recorded.empty() && recorded != k.public_hex())
      return Status::Integrity(sk_path + ": this key (public " + k.public_hex() +
                               ") is not the case's manifest key (" + recorded + ")");
  } else if (errno == ENOENT) {
    if (!recorded.empty())
      return Status::Integrity(sk_path +
                               ": the manifest secret key is missing (the case's "
                               "public key is " +
                               recorded + "); restore it to add evidence");
    crypto_sign_keypair(k.public_key.data(), k.secret_key.data());
    std::string tmp = sk_path + ".tmp";
    ::unlink(tmp.c_str());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::FromErrno(tmp, errno);
    Status s = WriteAll(
        fd,
        std::string_view(reinterpret_cast<const char*>(k.secret_key.data()), k.secret_key.size()),
        tmp);
    if (s.ok()) s = io::Fsync(fd, tmp);
    ::close(fd);
    TQ_RETURN_IF_ERROR(s);
    TQ_RETURN_IF_ERROR(io::Rename(tmp, sk_path));
    std::string pub = k.public_hex() + "\n";
    fd = ::open(pk_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno(pk_path, errno);
    s = WriteAll(fd, pub, pk_path);
    ::close(fd);
    TQ_RETURN_IF_ERROR(s);
    TQ_RETURN_IF_ERROR(c.Transaction([&](Db& db) -> Status {
      TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT OR IGNORE INTO evidence_key(id,public_key,"
                                              "created_at) VALUES(1,?,?)"));
      st.Bind(1, k.public_hex()).Bind(2, NowMicros());
      return st.Run();
    }));
    TQ_ASSIGN_OR_RETURN(std::string now_recorded, RecordedPublicKey(c));
    if (now_recorded != k.public_hex())
      return Status::Integrity(
          "another process created the case's manifest key meanwhile; "
          "run the command again");
  } else {
    return Status::FromErrno(sk_path, errno);
  }
  return k;
}

// ---- ManifestWriter ----

Result<std::unique_ptr<ManifestWriter>> ManifestWriter::Open(Case& c) {
  std::unique_ptr<ManifestWriter> w(new ManifestWriter(c));
  TQ_ASSIGN_OR_RETURN(w->key_, LoadOrCreateKey(c));
  std::string path = ManifestPath(c);
  w->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (w->fd_ < 0) return Status::FromErrno(path, errno);
  if (::flock(w->fd_, LOCK_EX) != 0) return Status::FromErrno(path, errno);
  Status s = w->Reconcile();
  ::flock(w->fd_, LOCK_UN);
  TQ_RETURN_IF_ERROR(s);
  return w;
}

ManifestWriter::~ManifestWriter() {
  if (fd_ >= 0) ::close(fd_);
}

// Under the lock: make the file hold exactly the database's lines.
Status ManifestWriter::Reconcile() {
  std::string path = ManifestPath(case_);
  Db& db = case_.db();
  TQ_ASSIGN_OR_RETURN(int64_t n, db.QueryInt("SELECT coalesce(max(seq),0) FROM evidence_manifest"));
  TQ_ASSIGN_OR_RETURN(std::string text, ReadWhole(fd_, path));
  size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  std::string_view whole(text.data(), complete);
  std::string_view tail(text.data() + complete, text.size() - complete);
  uint64_t file_lines = 0;
  std::string_view last;
  for (size_t pos = 0; pos < whole.size();) {
    size_t nl = whole.find('\n', pos);
    last = whole.substr(pos, nl - pos);
    ++file_lines;
    pos = nl + 1;
  }
  auto line_at = [&](int64_t seq) -> Result<std::pair<std::string, std::string>> {
    TQ_ASSIGN_OR_RETURN(Stmt st,
                        db.Prepare("SELECT line,line_hash FROM evidence_manifest WHERE seq=?"));
    st.Bind(1, seq);
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row)
      return Status::Integrity("the case database lacks manifest line " + std::to_string(seq) +
                               "; run `tourniquet verify`");
    return std::make_pair(st.String(0), st.String(1));
  };
  if (static_cast<int64_t>(file_lines) > n)
    return Status::Integrity(path + ": holds " + std::to_string(file_lines) +
                             " lines but the case database records " + std::to_string(n) +
                             "; run `tourniquet verify`");
  if (file_lines > 0) {
    TQ_ASSIGN_OR_RETURN(auto db_line, line_at(static_cast<int64_t>(file_lines)));
    if (Sha256Hex(last) != db_line.second)
      return Status::Integrity(path + ": line " + std::to_string(file_lines) +
                               " differs from the case database; run `tourniquet verify`");
  }
  if (!tail.empty()) {
    // A write torn by a kill: only a prefix of the next committed line may be there.
    bool prefix = false;
    if (static_cast<int64_t>(file_lines) < n) {
      TQ_ASSIGN_OR_RETURN(auto next, line_at(static_cast<int64_t>(file_lines) + 1));
      prefix = next.first.compare(0, tail.size(), tail) == 0;
    }
    if (!prefix)
      return Status::Integrity(path +
                               ": ends in an incomplete line that the case database "
                               "does not hold; run `tourniquet verify`");
    TQ_RETURN_IF_ERROR(io::Ftruncate(fd_, static_cast<off_t>(complete), path));
  }
  if (static_cast<int64_t>(file_lines) < n) {
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT line FROM evidence_manifest WHERE seq>? "
                                            "ORDER BY seq"));
    st.Bind(1, static_cast<int64_t>(file_lines));
    std::string add;
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      add.append(st.Text(0));
      add += '\n';
    }
    if (::lseek(fd_, 0, SEEK_END) < 0) return Status::FromErrno(path, errno);
    TQ_RETURN_IF_ERROR(WriteAll(fd_, add, path));
    TQ_RETURN_IF_ERROR(io::Fdatasync(fd_, path));
    repaired_lines_ += static_cast<uint64_t>(n) - file_lines;
  }
  seq_ = static_cast<uint64_t>(n);
  if (n > 0) {
    TQ_ASSIGN_OR_RETURN(auto head, line_at(n));
    head_ = head.second;
  } else {
    head_ = std::string(kZeroHash);
  }
  return Status::Ok();
}

Result<uint64_t> ManifestWriter::Batch::Add(Db& db, std::string_view type, std::string_view body,
                                            int64_t item_id, int64_t custody_id) {
  return AddLine(db, type, body, item_id, custody_id, /*sealed=*/seal_);
}

Result<uint64_t> ManifestWriter::Batch::AddLine(Db& db, std::string_view type,
                                                std::string_view body, int64_t item_id,
                                                int64_t custody_id, bool sealed) {
  uint64_t seq = ++seq_;
  std::string line = "tqm1\t" + std::to_string(seq) + "\t" + prev_ + "\t";
  line.append(type);
  line += '\t';
  line.append(body);
  line += '\t';
  if (sealed) {
    line.append(kSealedSignature);
  } else {
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(line.data()),
                         line.size(), w_->key_.secret_key.data());
    line += ToHex(sig, sizeof sig);
  }
  std::string hash = Sha256Hex(line);
  if (sealed) {
    if (sealed_hashes_.empty()) first_sealed_ = seq;
    sealed_hashes_ += hash;
  }
  // Prepared once per batch: parsing it again for each of a web root's lines cost more
  // than the insert.
  if (!insert_) {
    TQ_ASSIGN_OR_RETURN(Stmt prepared,
                        db.Prepare("INSERT INTO evidence_manifest(seq,type,item_id,"
                                   "custody_id,line,line_hash) VALUES(?,?,?,?,?,?)"));
    insert_ = std::make_unique<Stmt>(std::move(prepared));
  }
  Stmt& st = *insert_;
  TQ_RETURN_IF_ERROR(st.Reset());
  st.Bind(1, static_cast<int64_t>(seq)).Bind(2, type);
  item_id ? st.Bind(3, item_id) : st.BindNull(3);
  custody_id ? st.Bind(4, custody_id) : st.BindNull(4);
  st.BindBlob(5, line).Bind(6, hash);
  TQ_RETURN_IF_ERROR(st.Run());
  prev_ = hash;
  lines_.push_back(std::move(line));
  return seq;
}

Status ManifestWriter::Commit(const std::function<Status(Db&, Batch&)>& fn, bool seal) {
  std::string path = ManifestPath(case_);
  if (::flock(fd_, LOCK_EX) != 0) return Status::FromErrno(path, errno);
  struct Unlock {
    int fd;
    ~Unlock() { ::flock(fd, LOCK_UN); }
  } unlock{fd_};
  // Another process may have appended since: catch up (cheap when nothing changed).
  TQ_ASSIGN_OR_RETURN(int64_t n,
                      case_.db().QueryInt("SELECT coalesce(max(seq),0) FROM evidence_manifest"));
  if (static_cast<uint64_t>(n) != seq_) TQ_RETURN_IF_ERROR(Reconcile());
  Batch batch(this);
  Status s = case_.Transaction([&](Db& db) -> Status {
    // Re-read the head inside the write lock of the database.
    TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT seq,line_hash FROM evidence_manifest "
                                            "ORDER BY seq DESC LIMIT 1"));
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    batch.seq_ = row ? static_cast<uint64_t>(st.Int(0)) : 0;
    batch.prev_ = row ? st.String(1) : std::string(kZeroHash);
    batch.lines_.clear();
    batch.sealed_hashes_.clear();
    batch.seal_ = seal;
    Status added = fn(db, batch);
    if (added.ok() && !batch.sealed_hashes_.empty()) {
      // One signature for the batch: the seal lists each line's hash, so verify still
      // names every edited line.
      std::string body = std::to_string(batch.first_sealed_) + "\t" + batch.sealed_hashes_;
      added = batch.AddLine(db, "seal", body, 0, 0, /*sealed=*/false).status();
    }
    batch.insert_.reset();  // finalized before the commit
    return added;
  });
  TQ_RETURN_IF_ERROR(s);
  if (batch.lines_.empty()) return Status::Ok();
  TestKillPoint("commit");
  std::string add;
  for (auto& l : batch.lines_) {
    add += l;
    add += '\n';
  }
  if (::lseek(fd_, 0, SEEK_END) < 0) return Status::FromErrno(path, errno);
  TQ_RETURN_IF_ERROR(WriteAll(fd_, add, path));
  TQ_RETURN_IF_ERROR(io::Fdatasync(fd_, path));
  seq_ = batch.seq_;
  head_ = batch.prev_;
  return Status::Ok();
}

}  // namespace tq::evidence::internal
