// verify: every manifest line's signature, the sequence and hash chain (edited, removed,
// reordered lines), the case database against the signed lines, and every object re-hashed
// (both cores). Each problem names the line, the item and what kind of tampering it shows.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/escape.h"
#include "core/sha256.h"
#include "evidence/evidence.h"
#include "evidence/manifest.h"

namespace tq::evidence {

std::string_view TamperKindName(TamperKind k) {
  switch (k) {
    case TamperKind::kObjectModified: return "object_modified";
    case TamperKind::kObjectMissing: return "object_missing";
    case TamperKind::kLineEdited: return "line_edited";
    case TamperKind::kLineOrder: return "line_order";
    case TamperKind::kLinesRemoved: return "lines_removed";
    case TamperKind::kLineMalformed: return "line_malformed";
    case TamperKind::kDatabaseMismatch: return "database_mismatch";
    case TamperKind::kKeyMismatch: return "key_mismatch";
    case TamperKind::kUnknownObject: return "unknown_object";
  }
  return "unknown";
}

namespace {

using internal::ManifestLine;

struct ObjectRef {
  std::string sha256;
  uint64_t size = 0;
  uint64_t line = 0;
  std::string path;
};

std::string JoinEscaped(const std::vector<std::string>& fields) {
  std::string b;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) b += '\t';
    b += internal::EscapeField(fields[i]);
  }
  return b;
}

std::string Shown(std::string_view raw) { return EscapeTerminal(Excerpt(raw, 120)); }

// Re-hashes objects with `threads` workers; problems appended under a lock.
void CheckObjects(const Case& c, const std::vector<ObjectRef>& objects, int threads,
                  VerifyReport* report, std::mutex* mu) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> bytes{0};
  auto work = [&] {
    for (size_t i = next++; i < objects.size(); i = next++) {
      const ObjectRef& o = objects[i];
      std::string path = c.ObjectPath(o.sha256);
      uint64_t size = 0;
      Result<std::string> got = Sha256File(path, &size);
      bytes += size;
      std::string where = " (manifest line " + std::to_string(o.line) + ": " + Shown(o.path) + ")";
      std::lock_guard lock(*mu);
      if (!got.ok()) {
        struct stat st;
        bool missing = ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
        report->problems.push_back(
            {missing ? TamperKind::kObjectMissing : TamperKind::kObjectModified, o.line,
             "object " + o.sha256 + where +
                 (missing ? ": missing from the store"
                          : ": unreadable: " + got.status().ToString())});
      } else if (*got != o.sha256) {
        report->problems.push_back({TamperKind::kObjectModified, o.line,
                                    "object " + o.sha256 + where + ": content now hashes to " +
                                        *got + " (" + std::to_string(size) + " bytes, recorded " +
                                        std::to_string(o.size) + "): modified"});
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  report->objects += objects.size();
  report->bytes += bytes;
}

}  // namespace

namespace {
// Everything under evidence/objects that no manifest line names: evidence is only what the
// signed manifest lists, so a file planted there (or one a killed collect stored and never
// recorded) is reported, never taken for evidence. Each is named; at most 1000 are listed.
void UnknownObjects(Case& c, const std::set<std::string>& known, VerifyReport* rep) {
  namespace fs = std::filesystem;
  std::string root = c.EvidenceDir() + "/objects";
  std::error_code ec;
  uint64_t unknown = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    std::string rel = it->path().lexically_relative(root).string();
    // objects/ab/abcdef...: the name is the content's SHA-256 (ObjectPath).
    size_t slash = rel.find('/');
    std::string sha = slash == 2 ? rel.substr(3) : "";
    if (sha.size() == 64 && sha.compare(0, 2, rel, 0, 2) == 0 && known.count(sha)) continue;
    if (++unknown <= 1000)
      rep->problems.push_back({TamperKind::kUnknownObject, 0,
                               "evidence/objects/" + Shown(rel) +
                                   " is in the object store but no manifest line names it "
                                   "(planted, or stored by a collect killed before it recorded "
                                   "the item): it is not evidence"});
  }
  if (unknown > 1000)
    rep->problems.push_back(
        {TamperKind::kUnknownObject, 0,
         std::to_string(unknown - 1000) + " more unknown files in " + "evidence/objects"});
  if (ec && ec != std::errc::no_such_file_or_directory)
    rep->problems.push_back(
        {TamperKind::kUnknownObject, 0, "evidence/objects could not be listed: " + ec.message()});
}
}  // namespace

Result<VerifyReport> Verify(Case& c, const VerifyOptions& opt) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to start");
  TQ_RETURN_IF_ERROR(internal::EnsureEvidenceSchema(c));
  VerifyReport rep;
  std::mutex mu;
  auto problem = [&](TamperKind k, uint64_t line, std::string msg) {
    std::lock_guard lock(mu);
    rep.problems.push_back({k, line, std::move(msg)});
  };

  // The key: as recorded in the case, in keys/manifest.pub, and as written down.
  TQ_ASSIGN_OR_RETURN(std::string recorded, internal::RecordedPublicKey(c));
  std::string key_hex = recorded;
  if (!opt.expect_public_key.empty()) {
    if (!recorded.empty() && recorded != opt.expect_public_key)
      problem(TamperKind::kKeyMismatch, 0,
              "the case's manifest key is " + recorded + ", not the expected " +
                  opt.expect_public_key + ": the manifest may have been re-signed");
    key_hex = opt.expect_public_key;
  }
  {
    std::string pub_path = c.EvidenceDir() + "/keys/manifest.pub";
    int fd = ::open(pub_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
      char buf[65] = {};
      ssize_t n = ::read(fd, buf, 64);
      ::close(fd);
      std::string file_key(buf, n > 0 ? static_cast<size_t>(n) : 0);
      if (!recorded.empty() && file_key != recorded)
        problem(TamperKind::kKeyMismatch, 0,
                pub_path + " holds " + Shown(file_key) + ", the case records " + recorded);
    }
  }
  rep.public_key_hex = key_hex;
  std::array<uint8_t, 32> pk{};
  bool have_key = !key_hex.empty() && internal::ParsePublicKey(key_hex, &pk);
  if (!key_hex.empty() && !have_key)
    return Status::Usage("not an Ed25519 public key (64 hex digits): " + key_hex);

  // The manifest file.
  std::string path = internal::ManifestPath(c);
  std::string text;
  {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno != ENOENT) return Status::FromErrno(path, errno);
    if (fd >= 0) {
      char buf[1 << 16];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
      }
      ::close(fd);
    }
  }
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      lines.push_back(std::string_view(text).substr(pos));
      problem(TamperKind::kLineMalformed, lines.size(),
              "manifest line " + std::to_string(lines.size()) +
                  " is incomplete (no newline): an interrupted write or a cut file");
      break;
    }
    lines.push_back(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
  }
  rep.lines = lines.size();
  if (!lines.empty()) rep.manifest_head = Sha256Hex(lines.back());

  std::vector<std::optional<ManifestLine>> parsed(lines.size());
  std::map<uint64_t, size_t> seq_at;  // record -> first line index holding it
  for (size_t i = 0; i < lines.size(); ++i) {
    Result<ManifestLine> m = internal::ParseManifestLine(lines[i]);
    if (!m.ok()) {
      problem(TamperKind::kLineMalformed, i + 1,
              "manifest line " + std::to_string(i + 1) + ": " + m.status().message());
      continue;
    }
    parsed[i] = std::move(*m);
    if (!seq_at.count(parsed[i]->seq)) seq_at[parsed[i]->seq] = i;
  }
  std::set<std::string> line_hashes;
  std::unordered_map<uint64_t, size_t> item_line;  // seq -> line index, for the db check
  std::vector<ObjectRef> objects;
  std::set<std::string> object_seen;
  // Checked against a key other than the case's own: one problem, not one per line.
  bool foreign_key = !opt.expect_public_key.empty() && opt.expect_public_key != recorded;
  uint64_t unsigned_by_expected = 0;
  uint64_t expect = 1;
  std::string prev_hash(internal::kZeroHash);
  bool prev_flagged = false;
  std::vector<std::string> hash_of(lines.size());
  std::map<size_t, std::string> awaiting_seal;  // `-` lines no good seal has signed: what
  std::map<size_t, std::string> chain_after;    // line -> the next line's chain problem
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string this_hash = Sha256Hex(lines[i]);
    hash_of[i] = this_hash;
    line_hashes.insert(this_hash);
    std::string n = std::to_string(i + 1);
    bool flagged = false;
    if (!parsed[i]) {
      prev_hash = this_hash;
      prev_flagged = true;
      continue;
    }
    const ManifestLine& m = *parsed[i];
    std::string what = m.type == "item" && m.fields.size() == internal::kItemFields
                           ? "item " + Shown(m.fields[15])
                           : m.type + " record";
    bool sealed = m.signature_hex == internal::kSealedSignature;
    if (sealed) {
      awaiting_seal[i] = what;
    } else if (have_key && !internal::VerifySignature(m.signed_part, m.signature_hex, pk)) {
      if (foreign_key) {
        ++unsigned_by_expected;
      } else {
        problem(TamperKind::kLineEdited, i + 1,
                "manifest line " + n + " (" + what +
                    "): the signature does not match: the line was edited");
      }
      flagged = true;
    }
    if (m.seq != expect) {
      if (seq_at[m.seq] != i) {
        problem(TamperKind::kLineOrder, i + 1,
                "manifest line " + n + " repeats record " + std::to_string(m.seq) +
                    " (first at line " + std::to_string(seq_at[m.seq] + 1) + ")");
      } else if (m.seq > expect) {
        bool later = false;
        for (uint64_t s = expect; s < m.seq && !later; ++s)
          later = seq_at.count(s) && seq_at[s] > i;
        if (later) {
          problem(TamperKind::kLineOrder, i + 1,
                  "manifest line " + n + " holds record " + std::to_string(m.seq) +
                      " where record " + std::to_string(expect) + " belongs: lines reordered");
        } else {
          problem(TamperKind::kLinesRemoved, i + 1,
                  "manifest records " + std::to_string(expect) + ".." + std::to_string(m.seq - 1) +
                      " are missing before line " + n + ": lines removed");
        }
      } else {
        problem(TamperKind::kLineOrder, i + 1,
                "manifest line " + n + " holds record " + std::to_string(m.seq) + " after record " +
                    std::to_string(expect - 1) + ": lines reordered");
      }
      flagged = true;
    } else if (m.prev != prev_hash && !prev_flagged && !flagged) {
      std::string msg = "manifest line " + n + " does not chain to line " + std::to_string(i) +
                        " (previous-line hash differs): the manifest was spliced";
      // After a line only its seal can vouch for: a splice here unless that line was edited
      // (then the edit is the one problem), known once the seal is read.
      if (i > 0 && awaiting_seal.count(i - 1))
        chain_after[i - 1] = std::move(msg);
      else
        problem(TamperKind::kLineOrder, i + 1, std::move(msg));
      flagged = true;
    }
    if (m.seq >= expect) expect = m.seq + 1;
    prev_hash = this_hash;
    prev_flagged = flagged;
    if (m.type == "seal") {
      // A good seal signs the hash of each line it lists: a line whose hash differs was
      // edited. A seal that fails its own signature signs nothing.
      if (!have_key || !internal::VerifySignature(m.signed_part, m.signature_hex, pk)) continue;
      uint64_t first = std::strtoull(m.fields[0].c_str(), nullptr, 10);
      for (uint64_t s = first; s < m.seq; ++s) {
        auto at = seq_at.find(s);
        if (at == seq_at.end()) continue;  // removed: reported by the sequence check
        size_t j = at->second;
        auto waiting = awaiting_seal.find(j);
        if (waiting == awaiting_seal.end()) continue;
        std::string_view signed_hash = std::string_view(m.fields[1]).substr(64 * (s - first), 64);
        auto chain = chain_after.find(j);
        if (hash_of[j] != signed_hash)
          problem(TamperKind::kLineEdited, j + 1,
                  "manifest line " + std::to_string(j + 1) + " (" + waiting->second +
                      "): its hash is not the one its seal (line " + n +
                      ") signed: the line was edited");
        else if (chain != chain_after.end())
          problem(TamperKind::kLineOrder, j + 2, chain->second);
        if (chain != chain_after.end()) chain_after.erase(chain);
        awaiting_seal.erase(waiting);
      }
      continue;
    }
    if (m.type == "custody") {
      ++rep.custody_records;
      continue;
    }
    ++rep.items;
    item_line[m.seq] = i;
    const std::string& sha = m.fields[4];
    if (!sha.empty() && object_seen.insert(sha).second)
      objects.push_back(
          {sha, std::strtoull(m.fields[5].c_str(), nullptr, 10), i + 1, m.fields[15]});
  }

  // Lines left for a seal that never came, or whose seal fails its signature (with a key to
  // check against): edited, or their seal was.
  if (have_key && foreign_key)
    unsigned_by_expected += awaiting_seal.size();
  else if (have_key)
    for (const auto& [j, what] : awaiting_seal)
      problem(TamperKind::kLineEdited, j + 1,
              "manifest line " + std::to_string(j + 1) + " (" + what +
                  "): no valid seal signs it: the line or its seal was edited or removed");
  if (unsigned_by_expected)
    problem(TamperKind::kKeyMismatch, 0,
            std::to_string(unsigned_by_expected) + " of " + std::to_string(lines.size()) +
                " manifest lines are not signed by the expected key " + opt.expect_public_key);

  // The case database against the signed lines.
  TQ_ASSIGN_OR_RETURN(int64_t db_lines,
                      c.db().QueryInt("SELECT coalesce(max(seq),0) FROM evidence_manifest"));
  uint64_t file_max = seq_at.empty() ? 0 : seq_at.rbegin()->first;
  if (static_cast<uint64_t>(db_lines) > file_max)
    problem(TamperKind::kLinesRemoved, lines.size(),
            "the manifest ends at record " + std::to_string(file_max) + " but the case recorded " +
                std::to_string(db_lines) + ": records " + std::to_string(file_max + 1) + ".." +
                std::to_string(db_lines) + " were removed from its end");
  TQ_ASSIGN_OR_RETURN(std::vector<EvidenceItem> items, ListEvidence(c.db()));
  std::unordered_map<int64_t, uint64_t> seq_of_item;
  {
    TQ_ASSIGN_OR_RETURN(Stmt st, c.db().Prepare("SELECT item_id,seq FROM evidence_manifest "
                                                "WHERE item_id IS NOT NULL"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      seq_of_item[st.Int(0)] = static_cast<uint64_t>(st.Int(1));
    }
  }
  for (const EvidenceItem& e : items) {
    auto s = seq_of_item.find(e.id);
    std::string name =
        "evidence item " + std::to_string(e.id) + " (" + Shown(e.original_path) + ")";
    if (s == seq_of_item.end()) {
      problem(TamperKind::kDatabaseMismatch, 0, name + " has no signed manifest line");
      continue;
    }
    auto l = item_line.find(s->second);
    if (l == item_line.end()) continue;  // its line is gone: reported above
    const ManifestLine& m = *parsed[l->second];
    std::string body = internal::ItemBody(e);
    if (JoinEscaped(m.fields) == body) continue;
    static constexpr const char* kNames[internal::kItemFields] = {
        "batch",    "collected_at", "kind",   "label", "sha256",         "size",
        "mode",     "uid",          "gid",    "owner", "group",          "mtime_ns",
        "ctime_ns", "atime_ns",     "source", "path",  "symlink_target", "skip_reason"};
    std::string diff;
    size_t k = 0;
    for (size_t pos = 0; k < internal::kItemFields && pos <= body.size(); ++k) {
      size_t tab = body.find('\t', pos);
      if (tab == std::string::npos) tab = body.size();
      std::string db_field;
      internal::UnescapeField(std::string_view(body).substr(pos, tab - pos), &db_field);
      if (db_field != m.fields[k])
        diff += std::string(diff.empty() ? "" : ", ") + kNames[k] + ": database " +
                Shown(db_field) + ", signed " + Shown(m.fields[k]);
      pos = tab + 1;
    }
    problem(TamperKind::kDatabaseMismatch, l->second + 1,
            name + " in the case database differs from manifest line " +
                std::to_string(l->second + 1) + " (" + diff + ")");
  }

  if (!opt.expect_head.empty() && !line_hashes.count(opt.expect_head))
    problem(TamperKind::kLinesRemoved, 0,
            "the fingerprint " + Shown(opt.expect_head) +
                " written down earlier is no line of this manifest: it was rewritten or cut");

  int threads = opt.threads > 0
                    ? opt.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CheckObjects(c, objects, threads, &rep, &mu);
  UnknownObjects(c, object_seen, &rep);
  std::stable_sort(rep.problems.begin(), rep.problems.end(),
                   [](const TamperProblem& a, const TamperProblem& b) { return a.line < b.line; });

  if (opt.record_custody) {
    CustodyRecord r;
    r.actor = opt.actor;
    r.action = "verify";
    r.what = std::to_string(rep.objects) + " objects (" + std::to_string(rep.bytes) + " bytes), " +
             std::to_string(rep.lines) + " manifest lines";
    r.outcome = rep.ok() ? "ok" : "failed: " + std::to_string(rep.problems.size()) + " problems";
    r.origin = internal::HostName() + ":" + c.dir();
    r.sha256 = rep.manifest_head;
    for (size_t i = 0; i < rep.problems.size() && i < 20; ++i)
      r.detail += (i ? "\n" : "") + rep.problems[i].message;
    // Opening the writer would complete a manifest that lacks committed lines from the case
    // database; after tampering the file is left exactly as found.
    Status s = Status::Integrity("the manifest failed verification");
    if (rep.ok()) {
      auto writer = internal::ManifestWriter::Open(c);
      s = writer.ok() ? internal::AddCustody(**writer, r) : writer.status();
    }
    if (!s.ok()) {
      // The manifest cannot take a line (it is damaged): keep the record in the case anyway.
      r.detail +=
          (r.detail.empty() ? "" : "\n") + std::string("not added to the manifest: ") + s.message();
      TQ_RETURN_IF_ERROR(c.Transaction([&](Db& db) -> Status {
        TQ_ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO evidence_custody(at,actor,host,"
                                                "action,what,origin,sha256,outcome,detail) "
                                                "VALUES(?,?,?,?,?,?,?,?,?)"));
        st.Bind(1, NowMicros()).Bind(2, r.actor).Bind(3, internal::HostName());
        st.Bind(4, r.action).Bind(5, r.what).BindBlob(6, r.origin).Bind(7, r.sha256);
        st.Bind(8, r.outcome).Bind(9, r.detail);
        return st.Run();
      }));
    }
  }
  return rep;
}

}  // namespace tq::evidence
