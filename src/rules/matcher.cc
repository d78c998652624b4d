// The matcher: compiles the atoms of all rules into Vectorscan databases (the chunk database
// of literal and glob atoms, and per-field databases of the regexes and globs that cannot be
// searched in raw text) and decides which rules must be evaluated on every line; evaluates
// one atom on a parsed record. The scan itself is in scanner.cc.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/shipped.h"
#include "rules/engine.h"
#include "rules/yaml_limits.h"

namespace tq::rules {

RuleSet::~RuleSet() {
  for (Atom& a : atoms)
    if (a.confirm_db) hs_free_database(a.confirm_db);
  if (chunk_db) hs_free_database(chunk_db);
  if (chunk_db_grouped) hs_free_database(chunk_db_grouped);
  for (hs_database_t* db : field_db)
    if (db) hs_free_database(db);
  if (scratch_proto) hs_free_scratch(scratch_proto);
}
void RuleSetDeleter::operator()(RuleSet* r) const { delete r; }

const std::vector<RuleInfo>& Rules(const RuleSet& rs) { return rs.info; }
const std::vector<RuleProblem>& Skipped(const RuleSet& rs) { return rs.skipped; }
const std::vector<CorrelationInfo>& Correlations(const RuleSet& rs) { return rs.corr_info; }
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

// The value of a rule's condition on a line where no prefiltered atom was reported: false,
// true, or unknown (the rule must then be evaluated on every line). With `batched`, atoms of
// the per-field batch scan count as prefiltered too.
enum Tri : uint8_t { kF = 0, kT = 1, kU = 2 };
// The value of node n when the atoms `prefiltered` says yes to are false and the others unknown:
// kF means the rule cannot hold on a line where none of its prefiltered atoms was reported.
template <typename Prefiltered>
Tri EvalTri(const CompiledRule& r, uint32_t n, const Prefiltered& prefiltered) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue: return kT;
    case Node::kFalse: return kF;
    case Node::kAtom: return prefiltered(node.atom) ? kF : kU;
    case Node::kNot: {
      Tri t = EvalTri(r, node.kids[0], prefiltered);
      return t == kU ? kU : t == kT ? kF : kT;
    }
    case Node::kAnd: {
      Tri acc = kT;
      for (uint32_t k : node.kids) {
        Tri t = EvalTri(r, k, prefiltered);
        if (t == kF) return kF;
        if (t == kU) acc = kU;
      }
      return acc;
    }
    case Node::kOr: {
      Tri acc = kF;
      for (uint32_t k : node.kids) {
        Tri t = EvalTri(r, k, prefiltered);
        if (t == kT) return kT;
        if (t == kU) acc = kU;
      }
      return acc;
    }
  }
  return kU;
}
Tri EvalTri(const CompiledRule& r, const std::vector<Atom>& atoms, bool batched) {
  return EvalTri(r, r.root,
                 [&](uint32_t a) { return atoms[a].scanned || (batched && atoms[a].batched); });
}

// Groups of prefiltered atoms of which at least one must be reported for node n to be true
// (`positive`) or false (not `positive`). A conjunction needs the groups of each of its parts;
// a disjunction needs, for one group of each alternative, their union (a few such unions are
// kept). No group: nothing is known to be needed.
using AtomGroup = std::vector<uint32_t>;
constexpr size_t kMaxGroupsPerDisjunction = 8;
template <typename Prefiltered>
std::vector<AtomGroup> NeededGroups(const CompiledRule& r, uint32_t n, bool positive,
                                    const Prefiltered& prefiltered) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue:
    case Node::kFalse: return {};
    case Node::kAtom:
      if (positive && prefiltered(node.atom)) return {AtomGroup{node.atom}};
      return {};  // an atom being false is never reported
    case Node::kNot: return NeededGroups(r, node.kids[0], !positive, prefiltered);
    case Node::kAnd:
    case Node::kOr: break;
  }
  bool conjunction = (node.op == Node::kAnd) == positive;
  std::vector<AtomGroup> out;
  for (size_t i = 0; i < node.kids.size(); ++i) {
    std::vector<AtomGroup> kid = NeededGroups(r, node.kids[i], positive, prefiltered);
    if (conjunction) {
      out.insert(out.end(), kid.begin(), kid.end());
      continue;
    }
    if (kid.empty()) return {};  // this alternative may hold without any reported atom
    if (i == 0) {
      out = std::move(kid);
      out.resize(std::min(out.size(), kMaxGroupsPerDisjunction));
      continue;
    }
    std::vector<AtomGroup> next;
    for (const AtomGroup& a : out)
      for (const AtomGroup& b : kid) {
        if (next.size() == kMaxGroupsPerDisjunction) break;
        AtomGroup u = a;
        u.insert(u.end(), b.begin(), b.end());
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        next.push_back(std::move(u));
      }
    out = std::move(next);
  }
  return out;
}

void CollectAtoms(const CompiledRule& r, std::vector<uint32_t>* out) {
  for (const Node& n : r.nodes)
    if (n.op == Node::kAtom) out->push_back(n.atom);
}

// The atoms under an even number of `not`s in the condition. The condition can only go up
// with them and down with the others, so a rule that is false when none of its prefiltered
// atoms is reported stays false when only atoms of the other kind are (a `not filter`
// match alone never makes a rule a candidate).
void CollectPositiveAtoms(const CompiledRule& r, uint32_t n, bool positive,
                          std::vector<uint32_t>* out) {
  const Node& node = r.nodes[n];
  if (node.op == Node::kAtom) {
    if (positive) out->push_back(node.atom);
    return;
  }
  for (uint32_t k : node.kids)
    CollectPositiveAtoms(r, k, node.op == Node::kNot ? !positive : positive, out);
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
              hs_scratch_t* scratch, std::string_view normalized) {
  if (a.field == kExtraField) {  // only a parser that has it (JSON lines) can say
    std::string v;
    bool has = r.source && r.source->ExtraField(r.line, a.extra, &v);
    if (a.kind == AtomKind::kExists) return has && !v.empty() && v != "-";
    if (a.kind == AtomKind::kNull) return !has || v.empty() || v == "-";
    return has && EvalOn(a, v, scratch);
  }
  if (a.field < 0)
    return EvalOn(a, r.line, scratch) || (!decoded.empty() && EvalOn(a, decoded, scratch)) ||
           (!normalized.empty() && EvalOn(a, normalized, scratch));
  Field f = static_cast<Field>(a.field);
  bool has = r.has(f);
  std::string_view v = r.get(f);
  if (a.kind == AtomKind::kExists) return has && !v.empty() && v != "-";
  if (a.kind == AtomKind::kNull) return !has || v.empty() || v == "-";
  if (!has) return false;
  if (EvalOn(a, v, scratch)) return true;
  if (!normalized.empty()) {  // the path as the server resolved it; the query is unchanged
    if (f == Field::kUri && EvalOn(a, normalized, scratch)) return true;
    if (f == Field::kUriStem && EvalOn(a, normalized.substr(0, normalized.find('?')), scratch))
      return true;
  }
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

namespace {

// The batch prefilter of a glob or regex atom on a field: the atom's own pattern in multi-line
// mode, so that scanned over many values joined with '\n', `^` and `$` hold at each value's
// ends. Every match the pattern has in one value alone is then also reported inside that value
// (the separator is a non-word byte, like the ends of a lone value); matches that run across a
// separator only add candidates, which the per-line confirmation drops. Patterns anchored to
// the whole buffer (\A, \z, \Z) or able to match the empty string keep being evaluated on
// every line.
bool BatchPattern(const Atom& a, std::string* pattern, unsigned* flags) {
  if (a.field < 0 || !a.confirm_db || a.scanned) return false;
  if (a.kind != AtomKind::kRegex && a.kind != AtomKind::kWildcard) return false;
  const std::string& p = a.confirm_pattern;
  for (size_t i = 0; i + 1 < p.size(); ++i)
    if (p[i] == '\\') {
      char n = p[i + 1];
      if (n == 'A' || n == 'z' || n == 'Z') return false;
      ++i;
    }
  *pattern = p;
  *flags = (a.confirm_flags & ~(HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY)) | HS_FLAG_MULTILINE;
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(p.c_str(), *flags, &info, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return false;
  }
  bool ok = info->min_width > 0;
  free(info);
  return ok;
}

// What evaluating a node on a line roughly costs. A prefiltered atom that was not reported
// costs a lookup; a method or status comparison little more; a substring search on a field
// more, a regex scan most.
uint32_t Cost(const CompiledRule& r, uint32_t n, const std::vector<Atom>& atoms) {
  const Node& node = r.nodes[n];
  if (node.op == Node::kTrue || node.op == Node::kFalse) return 0;
  if (node.op != Node::kAtom) {
    uint32_t c = 0;
    for (uint32_t k : node.kids) c = std::min<uint32_t>(c + Cost(r, k, atoms), 1u << 20);
    return c;
  }
  const Atom& a = atoms[node.atom];
  if (a.scanned || a.batched) return 1;
  switch (a.kind) {
    case AtomKind::kExists:
    case AtomKind::kNull:
    case AtomKind::kEquals:
    case AtomKind::kStartsWith:
    case AtomKind::kEndsWith: return 2;
    case AtomKind::kContains: return a.field < 0 ? 16 : 4;
    case AtomKind::kCidr:
    case AtomKind::kLt:
    case AtomKind::kLte:
    case AtomKind::kGt:
    case AtomKind::kGte: return 8;
    case AtomKind::kWildcard:
    case AtomKind::kRegex: return 64;
  }
  return 64;
}

// `and` and `or` stop at the first operand that decides them; their operands have no side
// effects, so the cheap ones go first (a status comparison before a regex scan).
void OrderByCost(CompiledRule& r, uint32_t n, const std::vector<Atom>& atoms) {
  std::vector<uint32_t> kids = r.nodes[n].kids;
  for (uint32_t k : kids) OrderByCost(r, k, atoms);
  Node::Op op = r.nodes[n].op;
  if (op != Node::kAnd && op != Node::kOr) return;
  std::vector<std::pair<uint32_t, uint32_t>> by;
  for (uint32_t k : kids) by.emplace_back(Cost(r, k, atoms), k);
  std::stable_sort(by.begin(), by.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < by.size(); ++i) r.nodes[n].kids[i] = by[i].second;
}

// Literals on the request target (cs-uri-query, cs-uri-stem, cs-query) are most of a pack's
// atoms. Searched for in the request targets alone (a few dozen bytes a line) instead of in
// whole lines, they stop matching referers and user agents, and the chunk database left is
// small and fast. Parsers whose records do not view the line (JSON) keep the full chunk scan.
bool InRequestTarget(const Atom& a) {
  if (!a.scanned || a.span == 0) return false;
  auto f = static_cast<logs::Field>(a.field);
  return f == logs::Field::kUri || f == logs::Field::kUriStem || f == logs::Field::kQuery;
}

Status CompileChunkDatabase(RuleSet& rs, bool grouped, hs_database_t** db,
                            std::vector<uint32_t>* id_atom) {
  hs_compile_error_t* err = nullptr;
  for (;;) {
    id_atom->clear();
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < rs.atoms.size(); ++i) {
      const Atom& a = rs.atoms[i];
      if (!a.scanned || (grouped && a.in_field_db)) continue;
      ids.push_back(static_cast<unsigned>(id_atom->size()));
      id_atom->push_back(static_cast<uint32_t>(i));
      exprs.push_back(a.chunk_pattern.c_str());
      flags.push_back(a.chunk_flags);
    }
    if (exprs.empty()) return Status::Ok();
    if (CompileCached(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                      db, &err) == HS_SUCCESS)
      return Status::Ok();
    int bad = err->expression;
    std::string msg = err->message;
    hs_free_compile_error(err);
    if (bad < 0) return Status::Internal("Vectorscan: " + msg);
    Atom& a = rs.atoms[(*id_atom)[static_cast<size_t>(bad)]];
    a.scanned = false;  // evaluated directly
    a.in_field_db = false;
  }
}

// A literal on the path that the request target's database can search for: one that cannot
// match across the '?' after the path or the '\n' between values (within the path it then
// matches exactly where it matches in the path alone).
bool PathLiteralInTarget(const Atom& a) {
  return InRequestTarget(a) && static_cast<logs::Field>(a.field) == logs::Field::kUriStem &&
         a.value.find_first_of("?\n") == std::string::npos;
}

Status CompileFieldDatabases(RuleSet& rs, const std::vector<bool>& used) {
  constexpr auto kUri = static_cast<size_t>(logs::Field::kUri);
  constexpr auto kPath = static_cast<size_t>(logs::Field::kUriStem);
  // Whether the path's literals join the request target's database: when that has patterns
  // of its own (a database for the path's literals alone would scan fewer bytes).
  bool target_patterns = false;
  for (size_t i = 0; i < rs.atoms.size() && !target_patterns; ++i) {
    const Atom& a = rs.atoms[i];
    std::string p;
    unsigned fl = 0;
    target_patterns = used[i] && a.field == static_cast<int>(kUri) &&
                      (InRequestTarget(a) || BatchPattern(a, &p, &fl));
  }
  for (size_t f = 0; f < logs::kFieldCount; ++f) {
    std::vector<std::string> pats;
    std::vector<unsigned> flags;
    std::vector<uint32_t> atoms;
    auto add_field = [&](size_t field, bool path_literals) {
      for (size_t i = 0; i < rs.atoms.size(); ++i) {
        const Atom& a = rs.atoms[i];
        std::string p;
        unsigned fl = 0;
        if (!used[i] || a.field != static_cast<int>(field)) continue;
        if (target_patterns && field == kPath && PathLiteralInTarget(a) != path_literals) continue;
        if (InRequestTarget(a)) {
          p = a.chunk_pattern;
          fl = a.chunk_flags;
        } else if (!BatchPattern(a, &p, &fl)) {
          continue;
        }
        pats.push_back(std::move(p));
        flags.push_back(fl);
        atoms.push_back(static_cast<uint32_t>(i));
      }
    };
    add_field(f, false);
    size_t path_first = pats.size();
    if (f == kUri && target_patterns) add_field(kPath, true);
    for (;;) {
      if (pats.empty()) break;
      std::vector<const char*> exprs;
      std::vector<unsigned> ids;
      for (size_t k = 0; k < pats.size(); ++k) {
        exprs.push_back(pats[k].c_str());
        ids.push_back(static_cast<unsigned>(k));
      }
      hs_compile_error_t* err = nullptr;
      if (CompileCached(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                        &rs.field_db[f], &err) == HS_SUCCESS)
        break;
      int bad = err->expression;
      std::string msg = err->message;
      hs_free_compile_error(err);
      if (bad < 0) return Status::Internal("Vectorscan: " + msg);
      // This pattern is evaluated on every line instead.
      pats.erase(pats.begin() + bad);
      flags.erase(flags.begin() + bad);
      atoms.erase(atoms.begin() + bad);
      if (static_cast<size_t>(bad) < path_first) --path_first;
    }
    if (f == kUri) rs.uri_path_first = static_cast<uint32_t>(path_first);
    for (uint32_t a : atoms) {
      if (rs.atoms[a].scanned)
        rs.atoms[a].in_field_db = true;
      else
        rs.atoms[a].batched = true;
    }
    rs.field_atoms[f] = std::move(atoms);
  }
  return Status::Ok();
}

}  // namespace

Status CompileRuleSet(RuleSet& rs) {
  hs_compile_error_t* err = nullptr;
  // Per-atom databases for globs and regular expressions; a rule whose regex Vectorscan
  // cannot compile is skipped, with Vectorscan's reason.
  std::vector<std::string> atom_error(rs.atoms.size());
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    Atom& a = rs.atoms[i];
    if (a.kind != AtomKind::kWildcard && a.kind != AtomKind::kRegex) continue;
    const char* expr = a.confirm_pattern.c_str();
    if (CompileCached(&expr, &a.confirm_flags, nullptr, 1, &a.confirm_db, &err) != HS_SUCCESS) {
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
        rs.skipped.push_back(
            MakeRuleProblem(rs.info[r].file, rs.info[r].line, rs.info[r].title, why));
        continue;
      }
      info.push_back(std::move(rs.info[r]));
      rules.push_back(std::move(rs.rules[r]));
    }
    rs.info = std::move(info);
    rs.rules = std::move(rules);
  }
  std::vector<bool> used(rs.atoms.size()), positive(rs.atoms.size());
  for (const CompiledRule& r : rs.rules) {
    for (const Node& n : r.nodes)
      if (n.op == Node::kAtom) used[n.atom] = true;
    std::vector<uint32_t> at;
    CollectPositiveAtoms(r, r.root, true, &at);
    for (uint32_t a : at) positive[a] = true;
  }
  auto textual = [](const Atom& a) {
    return a.kind == AtomKind::kEquals || a.kind == AtomKind::kContains ||
           a.kind == AtomKind::kStartsWith || a.kind == AtomKind::kEndsWith ||
           (a.kind == AtomKind::kWildcard && !a.chunk_pattern.empty());
  };
  auto scannable = [&](const Atom& a) {
    bool long_enough = a.kind == AtomKind::kWildcard || a.value.size() >= (a.field >= 0 ? 2 : 3);
    return textual(a) && long_enough && a.field != kExtraField &&
           !(a.field >= 0 && DirectField(a.field));
  };
  // Atoms that stand only under a `not` (filters such as `not cs-uri-stem|endswith: '.css'`)
  // never make a rule a candidate, and are often on most lines: they are left out of the
  // databases and evaluated when a rule using them is, unless a rule using them is evaluated
  // on every line anyway and they cost more there than in the databases. A plain comparison
  // with a field's value costs less evaluated directly on the lines where the rule's method,
  // status and version leave it open (a 4xx for `sc-status|startswith: '4' and not
  // cs-uri-stem|endswith: .png`) than searched for on every line (the static suffixes matched
  // a third of the request-target database's matches on the bench log).
  auto cheap_direct = [](const Atom& a) {
    return a.field >= 0 && a.field != kExtraField &&
           (a.kind == AtomKind::kEquals || a.kind == AtomKind::kContains ||
            a.kind == AtomKind::kStartsWith || a.kind == AtomKind::kEndsWith);
  };
  std::vector<bool> lazy(rs.atoms.size());
  for (size_t i = 0; i < rs.atoms.size(); ++i) lazy[i] = used[i] && !positive[i];
  auto would_prefilter = [&](uint32_t a) {
    const Atom& at = rs.atoms[a];
    if (lazy[a]) return false;
    return scannable(at) || (at.field >= 0 && at.confirm_db &&
                             (at.kind == AtomKind::kRegex || at.kind == AtomKind::kWildcard));
  };
  for (const CompiledRule& r : rs.rules) {
    if (EvalTri(r, r.root, would_prefilter) == kF) continue;
    for (const Node& n : r.nodes)
      if (n.op == Node::kAtom && !(lazy[n.atom] && cheap_direct(rs.atoms[n.atom])))
        lazy[n.atom] = false;
  }
  // Which atoms the chunk scan searches for.
  std::vector<bool> in_databases(rs.atoms.size());
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    Atom& a = rs.atoms[i];
    in_databases[i] = used[i] && !lazy[i];
    a.scanned = in_databases[i] && scannable(a);
    a.chunk_flags = a.cased ? 0u : HS_FLAG_CASELESS;
    bool literal = a.kind == AtomKind::kEquals || a.kind == AtomKind::kContains ||
                   a.kind == AtomKind::kStartsWith || a.kind == AtomKind::kEndsWith;
    a.span = a.scanned && literal && a.field >= 0 ? static_cast<uint32_t>(a.value.size()) : 0;
  }
  TQ_RETURN_IF_ERROR(CompileChunkDatabase(rs, false, &rs.chunk_db, &rs.scanned_atoms));
  TQ_RETURN_IF_ERROR(CompileFieldDatabases(rs, in_databases));
  TQ_RETURN_IF_ERROR(
      CompileChunkDatabase(rs, true, &rs.chunk_db_grouped, &rs.scanned_atoms_grouped));
  for (CompiledRule& cr : rs.rules) OrderByCost(cr, cr.root, rs.atoms);
  rs.always_rules.clear();
  rs.always_rules_unbatched.clear();
  for (uint32_t r = 0; r < rs.rules.size(); ++r) {
    CompiledRule& cr = rs.rules[r];
    cr.always = EvalTri(cr, rs.atoms, true) != kF;
    if (cr.always) rs.always_rules.push_back(r);
    if (EvalTri(cr, rs.atoms, false) != kF) rs.always_rules_unbatched.push_back(r);
  }
  for (int mode = 0; mode < 2; ++mode) {
    bool batched = mode == 1;
    auto prefiltered = [&](uint32_t a) {
      return rs.atoms[a].scanned || (batched && rs.atoms[a].batched);
    };
    std::vector<std::vector<uint32_t>> atom_groups(rs.atoms.size());
    RuleSet::Triggers& t = rs.triggers[mode];
    t = {};
    t.rule_groups.assign(rs.rules.size(), 0);
    for (uint32_t r = 0; r < rs.rules.size(); ++r) {
      const CompiledRule& cr = rs.rules[r];
      if (EvalTri(cr, rs.atoms, batched) != kF) continue;  // evaluated on every line
      std::vector<AtomGroup> groups = NeededGroups(cr, cr.root, true, prefiltered);
      if (groups.empty()) {  // not found by the analysis: one of its positive atoms will do
        AtomGroup all;
        std::vector<uint32_t> at;
        CollectPositiveAtoms(cr, cr.root, true, &at);
        for (uint32_t a : at)
          if (prefiltered(a)) all.push_back(a);
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        groups.push_back(std::move(all));
      }
      std::sort(groups.begin(), groups.end());
      groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
      for (const AtomGroup& g : groups) {
        auto id = static_cast<uint32_t>(t.group_rule.size());
        t.group_rule.push_back(r);
        for (uint32_t a : g) atom_groups[a].push_back(id);
      }
      t.rule_groups[r] = static_cast<uint32_t>(groups.size());
    }
    t.atom_begin.assign(1, 0);
    for (const std::vector<uint32_t>& g : atom_groups) {
      t.group_ids.insert(t.group_ids.end(), g.begin(), g.end());
      t.atom_begin.push_back(static_cast<uint32_t>(t.group_ids.size()));
    }
  }
  auto alloc = [&](const hs_database_t* db) -> Status {
    if (db && hs_alloc_scratch(db, &rs.scratch_proto) != HS_SUCCESS)
      return Status::Internal("Vectorscan: cannot allocate scratch");
    return Status::Ok();
  };
  TQ_RETURN_IF_ERROR(alloc(rs.chunk_db));
  TQ_RETURN_IF_ERROR(alloc(rs.chunk_db_grouped));
  for (const hs_database_t* db : rs.field_db) TQ_RETURN_IF_ERROR(alloc(db));
  for (const Atom& a : rs.atoms) TQ_RETURN_IF_ERROR(alloc(a.confirm_db));
  return Status::Ok();
}

Result<RuleSetPtr> LoadRulesFromText(const std::vector<std::pair<std::string, std::string>>& docs) {
  RuleSetPtr rs(new RuleSet);
  for (auto& [file, text] : docs) LoadSigmaText(*rs, file, text);
  ResolveCorrelations(*rs);
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
      // One byte past the limit is enough for LoadSigmaText to refuse it: a huge file given
      // as --rules is not read into memory. Read in pieces: a buffer of the limit zeroed for
      // each of the pack's 190 files (48 MB of memset and page faults) was a tenth of a
      // second of every run.
      std::string text;
      char piece[16384];
      while (text.size() <= kMaxRuleFileBytes && in) {
        size_t want = std::min(sizeof piece, kMaxRuleFileBytes + 1 - text.size());
        in.read(piece, static_cast<std::streamsize>(want));
        text.append(piece, static_cast<size_t>(in.gcount()));
      }
      if (in.bad()) return Status::FromErrno(f, errno);
      docs.emplace_back(f, std::move(text));
    }
  }
  return LoadRulesFromText(docs);
}

}  // namespace tq::rules
