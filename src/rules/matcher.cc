// The matcher: compiles the atoms of all rules into one Vectorscan database, scans whole
// chunks of log lines with it (one call per chunk, not per line), maps each match back to its
// line, and evaluates only the rules a match points at, on the parsed fields. Matches in the
// URL-decoded request target (and in JSON values, whose raw text is escaped) come from a
// second, per-line scan of that decoded text, only for lines that have one.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/shipped.h"
#include "rules/engine.h"

namespace tq::rules {

RuleSet::~RuleSet() {
  for (Atom& a : atoms)
    if (a.confirm_db) hs_free_database(a.confirm_db);
  if (chunk_db) hs_free_database(chunk_db);
  if (scratch_proto) hs_free_scratch(scratch_proto);
}
void RuleSetDeleter::operator()(RuleSet* r) const { delete r; }

const std::vector<RuleInfo>& Rules(const RuleSet& rs) { return rs.info; }
const std::vector<RuleProblem>& Skipped(const RuleSet& rs) { return rs.skipped; }
size_t ScannedPatternCount(const RuleSet& rs) { return rs.scanned_atoms.size(); }

namespace {

using logs::Field;

// Fields with a small vocabulary or numbers: compared on the parsed value, not searched in
// the text (a search for "200" or "GET" would match nearly every line).
bool DirectField(int f) {
  switch (static_cast<Field>(f)) {
    case Field::kMethod:
    case Field::kStatus:
    case Field::kBytesSent:
    case Field::kBytesReceived:
    case Field::kTimeTaken:
    case Field::kVersion: return true;
    default: return false;
  }
}

enum Tri : uint8_t { kF = 0, kT = 1, kU = 2 };
Tri EvalTri(const CompiledRule& r, uint32_t n, const std::vector<Atom>& atoms) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue: return kT;
    case Node::kFalse: return kF;
    case Node::kAtom: return atoms[node.atom].scanned ? kF : kU;
    case Node::kNot: {
      Tri t = EvalTri(r, node.kids[0], atoms);
      return t == kU ? kU : t == kT ? kF : kT;
    }
    case Node::kAnd: {
      Tri acc = kT;
      for (uint32_t k : node.kids) {
        Tri t = EvalTri(r, k, atoms);
        if (t == kF) return kF;
        if (t == kU) acc = kU;
      }
      return acc;
    }
    case Node::kOr: {
      Tri acc = kF;
      for (uint32_t k : node.kids) {
        Tri t = EvalTri(r, k, atoms);
        if (t == kT) return kT;
        if (t == kU) acc = kU;
      }
      return acc;
    }
  }
  return kU;
}

void CollectAtoms(const CompiledRule& r, std::vector<uint32_t>* out) {
  for (const Node& n : r.nodes)
    if (n.op == Node::kAtom) out->push_back(n.atom);
}

inline char Low(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool Contains(std::string_view hay, std::string_view needle, bool cased) {
  if (needle.empty()) return true;
  if (cased) return hay.find(needle) != std::string_view::npos;
  if (hay.size() < needle.size()) return false;
  char f = needle[0];
  char fu = static_cast<char>(toupper(static_cast<unsigned char>(f)));
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (hay[i] != f && hay[i] != fu) continue;
    size_t k = 1;
    while (k < needle.size() && Low(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}
bool EqualsAt(std::string_view hay, size_t at, std::string_view needle, bool cased) {
  if (at + needle.size() > hay.size()) return false;
  for (size_t k = 0; k < needle.size(); ++k)
    if ((cased ? hay[at + k] : Low(hay[at + k])) != needle[k]) return false;
  return true;
}

int OnMatch(unsigned int, unsigned long long, unsigned long long, unsigned int, void*) {
  return 1;  // stop: one match answers the question
}

bool EvalOn(const Atom& a, std::string_view v, hs_scratch_t* scratch) {
  switch (a.kind) {
    case AtomKind::kEquals: return v.size() == a.value.size() && EqualsAt(v, 0, a.value, a.cased);
    case AtomKind::kContains: return Contains(v, a.value, a.cased);
    case AtomKind::kStartsWith: return EqualsAt(v, 0, a.value, a.cased);
    case AtomKind::kEndsWith:
      return v.size() >= a.value.size() && EqualsAt(v, v.size() - a.value.size(), a.value, a.cased);
    case AtomKind::kWildcard:
    case AtomKind::kRegex: {
      if (!a.confirm_db) return false;
      hs_error_t rc = hs_scan(a.confirm_db, v.data(), static_cast<unsigned>(v.size()), 0, scratch,
                              OnMatch, nullptr);
      return rc == HS_SCAN_TERMINATED;
    }
    case AtomKind::kCidr: {
      char buf[64];
      if (v.size() >= sizeof buf) return false;
      std::memcpy(buf, v.data(), v.size());
      buf[v.size()] = 0;
      uint8_t ip[16];
      if (inet_pton(a.v6 ? AF_INET6 : AF_INET, buf, ip) != 1) return false;
      int bits = a.prefix;
      for (int i = 0; bits > 0; ++i, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
        if ((ip[i] & mask) != (a.net[i] & mask)) return false;
      }
      return true;
    }
    case AtomKind::kLt:
    case AtomKind::kLte:
    case AtomKind::kGt:
    case AtomKind::kGte: {
      char buf[64];
      if (v.empty() || v.size() >= sizeof buf) return false;
      std::memcpy(buf, v.data(), v.size());
      buf[v.size()] = 0;
      char* end = nullptr;
      double x = std::strtod(buf, &end);
      if (*end) return false;
      if (a.kind == AtomKind::kLt) return x < a.number;
      if (a.kind == AtomKind::kLte) return x <= a.number;
      if (a.kind == AtomKind::kGt) return x > a.number;
      return x >= a.number;
    }
    default: return false;
  }
}

}  // namespace

bool EvalAtom(const Atom& a, const logs::AccessLogRecord& r, std::string_view decoded,
              hs_scratch_t* scratch) {
  if (a.field < 0)
    return EvalOn(a, r.line, scratch) || (!decoded.empty() && EvalOn(a, decoded, scratch));
  Field f = static_cast<Field>(a.field);
  bool has = r.has(f);
  std::string_view v = r.get(f);
  if (a.kind == AtomKind::kExists) return has && !v.empty() && v != "-";
  if (a.kind == AtomKind::kNull) return !has || v.empty() || v == "-";
  if (!has) return false;
  if (EvalOn(a, v, scratch)) return true;
  if (decoded.empty()) return false;
  size_t q = decoded.find('?');
  switch (f) {
    case Field::kUri: return EvalOn(a, decoded, scratch);
    case Field::kUriStem: return EvalOn(a, decoded.substr(0, q), scratch);
    case Field::kQuery:
      return q != std::string_view::npos && EvalOn(a, decoded.substr(q + 1), scratch);
    default: return false;
  }
}

Status CompileRuleSet(RuleSet& rs) {
  hs_compile_error_t* err = nullptr;
  // Per-atom databases for globs and regular expressions; a rule whose regex Vectorscan
  // cannot compile is skipped, with Vectorscan's reason.
  std::vector<std::string> atom_error(rs.atoms.size());
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    Atom& a = rs.atoms[i];
    if (a.kind != AtomKind::kWildcard && a.kind != AtomKind::kRegex) continue;
    if (hs_compile(a.confirm_pattern.c_str(), a.confirm_flags, HS_MODE_BLOCK, nullptr,
                   &a.confirm_db, &err) != HS_SUCCESS) {
      atom_error[i] = std::string("pattern '") + a.value + "' does not compile: " + err->message;
      hs_free_compile_error(err);
      a.confirm_db = nullptr;
    }
  }
  // Drop rules using a broken atom.
  {
    std::vector<RuleInfo> info;
    std::vector<CompiledRule> rules;
    for (size_t r = 0; r < rs.rules.size(); ++r) {
      std::vector<uint32_t> used;
      CollectAtoms(rs.rules[r], &used);
      std::string why;
      for (uint32_t a : used)
        if (!atom_error[a].empty()) why = atom_error[a];
      if (!why.empty()) {
        rs.skipped.push_back({rs.info[r].file, rs.info[r].line, rs.info[r].title, why});
        continue;
      }
      info.push_back(std::move(rs.info[r]));
      rules.push_back(std::move(rs.rules[r]));
    }
    rs.info = std::move(info);
    rs.rules = std::move(rules);
  }
  // Which atoms the chunk scan searches for.
  std::vector<bool> used(rs.atoms.size());
  for (const CompiledRule& r : rs.rules)
    for (const Node& n : r.nodes)
      if (n.op == Node::kAtom) used[n.atom] = true;
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    Atom& a = rs.atoms[i];
    bool textual = a.kind == AtomKind::kEquals || a.kind == AtomKind::kContains ||
                   a.kind == AtomKind::kStartsWith || a.kind == AtomKind::kEndsWith ||
                   (a.kind == AtomKind::kWildcard && !a.chunk_pattern.empty());
    bool long_enough = a.kind == AtomKind::kWildcard || a.value.size() >= 3;
    a.scanned = used[i] && textual && long_enough && !(a.field >= 0 && DirectField(a.field));
    a.chunk_flags = a.cased ? 0u : HS_FLAG_CASELESS;
  }
  for (;;) {
    rs.scanned_atoms.clear();
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < rs.atoms.size(); ++i) {
      if (!rs.atoms[i].scanned) continue;
      ids.push_back(static_cast<unsigned>(rs.scanned_atoms.size()));
      rs.scanned_atoms.push_back(static_cast<uint32_t>(i));
      exprs.push_back(rs.atoms[i].chunk_pattern.c_str());
      flags.push_back(rs.atoms[i].chunk_flags);
    }
    if (exprs.empty()) break;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &rs.chunk_db,
                         &err) == HS_SUCCESS)
      break;
    int bad = err->expression;
    std::string msg = err->message;
    hs_free_compile_error(err);
    if (bad < 0) return Status::Internal("Vectorscan: " + msg);
    rs.atoms[rs.scanned_atoms[static_cast<size_t>(bad)]].scanned = false;  // evaluate directly
  }
  rs.atom_rules.assign(rs.atoms.size(), {});
  rs.always_rules.clear();
  for (uint32_t r = 0; r < rs.rules.size(); ++r) {
    CompiledRule& cr = rs.rules[r];
    std::vector<uint32_t> at;
    CollectAtoms(cr, &at);
    std::sort(at.begin(), at.end());
    at.erase(std::unique(at.begin(), at.end()), at.end());
    for (uint32_t a : at)
      if (rs.atoms[a].scanned) rs.atom_rules[a].push_back(r);
    cr.always = EvalTri(cr, cr.root, rs.atoms) != kF;
    if (cr.always) rs.always_rules.push_back(r);
  }
  auto alloc = [&](const hs_database_t* db) -> Status {
    if (db && hs_alloc_scratch(db, &rs.scratch_proto) != HS_SUCCESS)
      return Status::Internal("Vectorscan: cannot allocate scratch");
    return Status::Ok();
  };
  TQ_RETURN_IF_ERROR(alloc(rs.chunk_db));
  for (const Atom& a : rs.atoms) TQ_RETURN_IF_ERROR(alloc(a.confirm_db));
  return Status::Ok();
}

Result<RuleSetPtr> LoadRulesFromText(const std::vector<std::pair<std::string, std::string>>& docs) {
  RuleSetPtr rs(new RuleSet);
  for (auto& [file, text] : docs) LoadSigmaText(*rs, file, text);
  TQ_RETURN_IF_ERROR(CompileRuleSet(*rs));
  return rs;
}

std::string ShippedRulesDir() {
  if (const char* env = std::getenv("TOURNIQUET_RULES"); env && *env) return env;
  return ShippedPath("rules/sigma");
}

Result<RuleSetPtr> LoadRules(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const std::string& p : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::string ext = it->path().extension().string();
        if (ext == ".yml" || ext == ".yaml") files.push_back(it->path().string());
      }
      if (ec) return Status::FromErrno(p, ec.value());
      std::sort(files.begin(), files.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      return Status::NotFound("rules: no such file or directory: " + p);
    }
    for (const std::string& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) return Status::FromErrno(f, errno);
      std::stringstream ss;
      ss << in.rdbuf();
      docs.emplace_back(f, ss.str());
    }
  }
  return LoadRulesFromText(docs);
}

// ---- Scanning ----

struct Scanner::State {
  const RuleSet& rs;
  hs_scratch_t* scratch = nullptr;
  std::vector<std::pair<uint64_t, uint32_t>> matches;  // (end offset, atom)
  std::vector<uint32_t> line_atoms, cand, hits;
  std::vector<uint32_t> seen, known, rule_mark;  // stamps
  std::vector<uint8_t> value;
  uint32_t stamp = 0;
  std::string decoded, side;
  explicit State(const RuleSet& r)
      : rs(r),
        seen(r.atoms.size()),
        known(r.atoms.size()),
        rule_mark(r.rules.size()),
        value(r.atoms.size()) {
    if (r.scratch_proto) hs_clone_scratch(r.scratch_proto, &scratch);
  }
  ~State() {
    if (scratch) hs_free_scratch(scratch);
  }

  static int OnChunk(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                     void* ctx) {
    auto* self = static_cast<State*>(ctx);
    self->matches.emplace_back(to, self->rs.scanned_atoms[id]);
    return 0;
  }
  static int OnSide(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                    void* ctx) {
    auto* self = static_cast<State*>(ctx);
    self->line_atoms.push_back(self->rs.scanned_atoms[id]);
    return 0;
  }

  bool Atom(uint32_t a, const logs::AccessLogRecord& r) {
    if (known[a] == stamp) return value[a];
    const rules::Atom& atom = rs.atoms[a];
    bool v = (atom.scanned && seen[a] != stamp) ? false : EvalAtom(atom, r, decoded, scratch);
    known[a] = stamp;
    value[a] = v;
    return v;
  }
  bool Eval(const CompiledRule& cr, uint32_t n, const logs::AccessLogRecord& r) {
    const Node& node = cr.nodes[n];
    switch (node.op) {
      case Node::kTrue: return true;
      case Node::kFalse: return false;
      case Node::kAtom: return Atom(node.atom, r);
      case Node::kNot: return !Eval(cr, node.kids[0], r);
      case Node::kAnd:
        for (uint32_t k : node.kids)
          if (!Eval(cr, k, r)) return false;
        return true;
      case Node::kOr:
        for (uint32_t k : node.kids)
          if (Eval(cr, k, r)) return true;
        return false;
    }
    return false;
  }

  // line_atoms holds the scanned atoms reported for this line.
  void EvaluateLine(const logs::AccessLogRecord& r, bool json) {
    decoded.clear();
    std::string_view uri = r.get(logs::Field::kUri);
    bool dec =
        (uri.find('%') != std::string_view::npos || uri.find('+') != std::string_view::npos) &&
        logs::UrlDecode(uri, &decoded);
    if (!dec) decoded.clear();
    if (rs.chunk_db && (dec || json)) {
      side.clear();
      if (dec) side = decoded;
      if (json)
        for (size_t f = 0; f < logs::kFieldCount; ++f)
          if (r.present & (1u << f)) (side += '\n') += r.field[f];
      hs_scan(rs.chunk_db, side.data(), static_cast<unsigned>(side.size()), 0, scratch, OnSide,
              this);
    }
    ++stamp;
    if (stamp == 0) {  // wrapped: clear the stamps
      std::fill(seen.begin(), seen.end(), 0);
      std::fill(known.begin(), known.end(), 0);
      std::fill(rule_mark.begin(), rule_mark.end(), 0);
      stamp = 1;
    }
    cand.clear();
    hits.clear();
    for (uint32_t a : line_atoms) {
      if (seen[a] == stamp) continue;
      seen[a] = stamp;
      for (uint32_t rule : rs.atom_rules[a])
        if (rule_mark[rule] != stamp) {
          rule_mark[rule] = stamp;
          cand.push_back(rule);
        }
    }
    for (uint32_t rule : rs.always_rules)
      if (rule_mark[rule] != stamp) {
        rule_mark[rule] = stamp;
        cand.push_back(rule);
      }
    std::sort(cand.begin(), cand.end());
    for (uint32_t rule : cand) {
      const CompiledRule& cr = rs.rules[rule];
      if (Eval(cr, cr.root, r)) hits.push_back(rule);
    }
  }
};

Scanner::Scanner(const RuleSet& rs) : s_(std::make_unique<State>(rs)) {}
Scanner::~Scanner() = default;

void Scanner::ScanChunk(std::string_view chunk, uint64_t first_line, uint64_t offset,
                        logs::LineParser& parser, LineSink& sink, size_t max_line) {
  State& s = *s_;
  s.matches.clear();
  if (s.rs.chunk_db && !chunk.empty())
    hs_scan(s.rs.chunk_db, chunk.data(), static_cast<unsigned>(chunk.size()), 0, s.scratch,
            State::OnChunk, &s);
  // Vectorscan reports in end-offset order per pattern set; sort to be safe.
  if (!std::is_sorted(s.matches.begin(), s.matches.end()))
    std::sort(s.matches.begin(), s.matches.end());
  bool json = parser.name() == "jsonl";
  logs::AccessLogRecord rec;
  size_t mi = 0, p = 0;
  uint64_t line_no = first_line;
  while (p < chunk.size()) {
    const char* nl =
        static_cast<const char*>(std::memchr(chunk.data() + p, '\n', chunk.size() - p));
    size_t e = nl ? static_cast<size_t>(nl - chunk.data()) : chunk.size();
    s.line_atoms.clear();
    while (mi < s.matches.size() && s.matches[mi].first <= e) {
      if (s.matches[mi].first > p) s.line_atoms.push_back(s.matches[mi].second);
      ++mi;
    }
    std::string_view line = chunk.substr(p, e - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view why;
    if (line.empty()) {
      sink.OnSkip("empty line", line_no);
    } else if (line.size() > max_line) {
      sink.OnSkip("line too long", line_no);
    } else if (parser.Parse(line, rec, &why)) {
      rec.line_no = line_no;
      rec.offset = offset + p;
      s.EvaluateLine(rec, json);
      sink.OnRecord(rec, s.hits);
    } else {
      sink.OnSkip(why, line_no);
    }
    ++line_no;
    p = e + 1;
  }
}

std::vector<uint32_t> Scanner::MatchLine(std::string_view line, logs::LineParser& parser) {
  struct Collect : LineSink {
    std::vector<uint32_t> hits;
    void OnRecord(const logs::AccessLogRecord&, std::span<const uint32_t> h) override {
      hits.assign(h.begin(), h.end());
    }
    void OnSkip(std::string_view, uint64_t) override {}
  } sink;
  std::string buf(line);
  buf += '\n';
  ScanChunk(buf, 1, 0, parser, sink);
  return sink.hits;
}

}  // namespace tq::rules
