// The cluster scan's prefilter and the exact matching of the rows it returns (prefilter.h).
//
// Which atoms a rule needs: the rules component's own analysis, redone here over "atoms the
// prefilter can test" instead of "atoms the Vectorscan databases hold": a rule that is false
// whenever all such atoms are false needs one of its groups (a conjunction needs each part's,
// a disjunction one of each alternative's); one group suffices for a superset, and the most
// selective is taken (long literals on the request rather than a method or a status).
#include "warehouse/prefilter.h"

#include <algorithm>
#include <functional>
#include <map>

#include "logs/logs.h"

namespace tq::warehouse {
namespace {

using rules::Atom;
using rules::AtomKind;
using rules::CompiledRule;
using rules::Node;

enum Tri { kF, kT, kU };

template <typename Known>
Tri EvalTri(const CompiledRule& r, uint32_t n, const Known& known) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue: return kT;
    case Node::kFalse: return kF;
    case Node::kAtom: return known(node.atom) ? kF : kU;
    case Node::kNot: {
      Tri t = EvalTri(r, node.kids[0], known);
      return t == kU ? kU : t == kT ? kF : kT;
    }
    case Node::kAnd:
    case Node::kOr: {
      bool conj = node.op == Node::kAnd;
      Tri acc = conj ? kT : kF;
      for (uint32_t k : node.kids) {
        Tri t = EvalTri(r, k, known);
        if (t == (conj ? kF : kT)) return t;
        if (t == kU) acc = kU;
      }
      return acc;
    }
  }
  return kU;
}

using Group = std::vector<uint32_t>;
template <typename Known>
std::vector<Group> Needed(const CompiledRule& r, uint32_t n, bool positive, const Known& known) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue:
    case Node::kFalse: return {};
    case Node::kAtom:
      if (positive && known(node.atom)) return {Group{node.atom}};
      return {};
    case Node::kNot: return Needed(r, node.kids[0], !positive, known);
    default: break;
  }
  bool conj = (node.op == Node::kAnd) == positive;
  std::vector<Group> out;
  for (size_t i = 0; i < node.kids.size(); ++i) {
    std::vector<Group> kid = Needed(r, node.kids[i], positive, known);
    if (conj) {
      out.insert(out.end(), kid.begin(), kid.end());
      continue;
    }
    if (kid.empty()) return {};
    if (i == 0) {
      out = std::move(kid);
      out.resize(std::min<size_t>(out.size(), 8));
      continue;
    }
    std::vector<Group> next;
    for (const Group& a : out)
      for (const Group& b : kid) {
        if (next.size() == 8) break;
        Group u = a;
        u.insert(u.end(), b.begin(), b.end());
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        next.push_back(std::move(u));
      }
    out = std::move(next);
  }
  return out;
}

// The longest literal run of a Sigma wildcard value (\* \? \\ escape).
std::string LongestLiteral(std::string_view v) {
  std::string best, cur;
  for (size_t i = 0; i < v.size(); ++i) {
    char ch = v[i];
    if (ch == '\\' && i + 1 < v.size() &&
        (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      cur += v[++i];
    } else if (ch == '*' || ch == '?') {
      if (cur.size() > best.size()) best = cur;
      cur.clear();
    } else {
      cur += ch;
    }
  }
  return cur.size() > best.size() ? cur : best;
}

bool LowSelectivity(int field) {
  auto f = static_cast<logs::Field>(field);
  return f == logs::Field::kMethod || f == logs::Field::kStatus || f == logs::Field::kVersion ||
         f == logs::Field::kBytesSent || f == logs::Field::kBytesReceived ||
         f == logs::Field::kTimeTaken;
}

// How an atom goes into the prefilter: a regex piece on its field's values, an exact SQL term,
// or not at all.
struct AtomPlan {
  enum { kNone, kPiece, kTerm } how = kNone;
  std::string text;
  int score = 0;           // selectivity, higher is better
  bool re2_fails = false;  // a `re` the server cannot compile
  std::string ci_literal;  // a case-insensitive literal (multiSearchAnyCaseInsensitive, 20+)
};

}  // namespace

std::string Re2Literal(std::string_view lit) {
  std::string o;
  static const char* hex = "0123456789abcdef";
  for (unsigned char ch : lit) {
    if (isalnum(ch) || ch >= 0x80) {
      o += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      o += "\\x";
      o += hex[ch >> 4];
      o += hex[ch & 15];
    } else {
      o += '\\';
      o += static_cast<char>(ch);
    }
  }
  return o;
}

void TargetVariants(std::string_view uri, std::string* dec, std::string* norm) {
  dec->clear();
  norm->clear();
  bool d = (uri.find('%') != std::string_view::npos || uri.find('+') != std::string_view::npos) &&
           logs::UrlDecode(uri, dec);
  if (!d) dec->clear();
  std::string_view base = d ? std::string_view(*dec) : uri;
  if (!(logs::MayNeedNormalizing(base) && logs::NormalizeTarget(base, norm))) norm->clear();
}

Prefilter BuildPrefilter(const rules::RuleSet& rs, const ColumnMap& map, const ServerFeatures& f,
                         const std::function<bool(const std::string&)>& re2_ok,
                         const EstimateRows& estimate) {
  Prefilter out;
  const auto& info = rs.info;
  std::vector<AtomPlan> plan(rs.atoms.size());
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    const Atom& a = rs.atoms[i];
    AtomPlan& p = plan[i];
    switch (a.kind) {
      case AtomKind::kEquals:
      case AtomKind::kContains:
      case AtomKind::kStartsWith:
      case AtomKind::kEndsWith:
      case AtomKind::kWildcard: {
        std::string lit = a.kind == AtomKind::kWildcard ? LongestLiteral(a.value) : a.value;
        if (lit.empty()) break;
        p.how = AtomPlan::kPiece;
        // Anchored where the local matcher anchors (a whole value, its start, its end: each
        // column holds one whole value), so `status startswith 4` keeps 404, not 204 or 304.
        bool head = a.kind == AtomKind::kEquals || a.kind == AtomKind::kStartsWith;
        bool tail = a.kind == AtomKind::kEquals || a.kind == AtomKind::kEndsWith;
        bool anchored = a.field >= 0 && (head || tail);
        std::string re = Re2Literal(lit);
        if (anchored) re = (head ? "^" : "") + re + (tail ? "$" : "");
        p.text = a.cased ? "(?:" + re + ")" : "(?i:" + re + ")";
        if (!a.cased && !anchored) p.ci_literal = lit;  // multiSearch finds a literal anywhere
        p.score = static_cast<int>(lit.size()) + (anchored ? 2 : 0);
        break;
      }
      case AtomKind::kRegex: {
        std::string flags;
        if (a.confirm_flags & HS_FLAG_CASELESS) flags += 'i';
        if (a.confirm_flags & HS_FLAG_MULTILINE) flags += 'm';
        if (a.confirm_flags & HS_FLAG_DOTALL) flags += 's';
        p.how = AtomPlan::kPiece;
        p.text = "(?" + flags + ":" + a.confirm_pattern + ")";
        p.score = 3;
        if (!re2_ok(p.text)) {
          p = AtomPlan{};
          p.re2_fails = true;
        }
        break;
      }
      case AtomKind::kCidr:
      case AtomKind::kLt:
      case AtomKind::kLte:
      case AtomKind::kGt:
      case AtomKind::kGte:
      case AtomKind::kExists: {
        std::string why;
        if (AtomSql(rs, a, map, f, &p.text, &why)) {
          p.how = AtomPlan::kTerm;
          p.score = 1;
        }
        break;
      }
      default: break;  // null: holds where a field is missing, tells nothing
    }
    if (a.field >= 0 && LowSelectivity(a.field)) p.score = std::min(p.score, 1);
    if (a.field < 0 && map.Sql("line").empty()) p.how = AtomPlan::kNone;
  }
  auto known = [&](uint32_t a) { return plan[a].how != AtomPlan::kNone; };

  // Where an atom's piece is looked for: a field's column (and the target's variants), the raw
  // line for keywords, an extra column; none when the table lacks it.
  auto key_of = [&](const Atom& a) {
    return a.field == rules::kExtraField ? "x:" + a.extra : std::to_string(a.field);
  };
  const std::string dec = DecodedTargetSql(map);
  auto hays = [&](const std::string& key) {
    std::vector<std::string> hay;
    if (key.starts_with("x:")) {
      auto it = map.column.find(key.substr(2));
      if (it == map.column.end()) return hay;
      hay.push_back("toString(" + ColumnMap{{{it->first, it->second}}, {}}.Sql(it->first) + ")");
      return hay;
    }
    int field = std::stoi(key);
    if (field < 0) {
      hay.push_back(map.Sql("line"));
    } else {
      std::string col = map.Sql(OurColumns()[static_cast<size_t>(field)]);
      if (col.empty()) return hay;
      hay.push_back(map.column.count(OurColumns()[static_cast<size_t>(field)])
                        ? "toString(" + col + ")"
                        : col);
    }
    auto fld = static_cast<logs::Field>(field);
    bool target = field < 0 || fld == logs::Field::kUri || fld == logs::Field::kUriStem;
    if ((target || fld == logs::Field::kQuery) && !dec.empty()) hay.push_back(dec);
    if (target && !map.Sql("target_normalized").empty())
      hay.push_back(map.Sql("target_normalized"));
    return hay;
  };
  // An atom's own test as SQL, for the estimate.
  auto atom_sql = [&](uint32_t i) {
    if (plan[i].how == AtomPlan::kTerm) return plan[i].text;
    std::string e;
    for (const auto& h : hays(key_of(rs.atoms[i])))
      e += (e.empty() ? "" : " OR ") + ("match(" + h + ", " + SqlString(plan[i].text) + ")");
    return e.empty() ? std::string("0") : e;
  };

  // Pieces by where they are looked for: a field's column (and the target's variants), the
  // raw line for keywords, an extra column.
  std::map<std::string, std::vector<std::string>> pieces;  // haystack key -> pieces
  // Servers from 20 on search many literals at once, ASCII case-insensitively (the local
  // matcher's folding), faster than RE2's alternation; 18.16 has no multiSearch functions.
  const bool multi = f.major >= 20;
  std::map<std::string, std::vector<std::string>> ci_literals;  // haystack key -> literals
  std::vector<std::string> terms;
  std::vector<bool> used(rs.atoms.size(), false);
  out.atom_rules.assign(rs.atoms.size(), {});
  std::vector<std::pair<uint32_t, std::vector<Group>>> choices;  // rule -> its groups
  for (uint32_t r = 0; r < info.size(); ++r) {
    bool feeds = r < rs.rule_corr.size() && !rs.rule_corr[r].empty();
    if (!info[r].generate && !feeds) continue;
    const CompiledRule& cr = rs.rules[r];
    const std::string name = info[r].id.empty() ? info[r].title : info[r].id;
    if (EvalTri(cr, cr.root, known) != kF) {
      // May hold with every testable atom false: the rule's own SQL decides, unless it has a
      // pattern the server cannot compile.
      std::string sql, why;
      bool bad = false;
      for (const Node& node : cr.nodes)
        if (node.op == Node::kAtom && plan[node.atom].re2_fails) bad = true;
      if (bad) {
        out.not_run.push_back(name + ": a regular expression ClickHouse (RE2) cannot compile");
        continue;
      }
      if (!RuleSql(rs, r, map, f, &sql, &why)) {
        out.not_run.push_back(name + ": " + why);
        continue;
      }
      terms.push_back(sql);
      ++out.exact_rules;
      out.rules.push_back(r);
      out.every_row.push_back(r);
      continue;
    }
    std::vector<Group> groups = Needed(cr, cr.root, true, known);
    if (groups.empty()) {  // one of its positive atoms, whichever
      Group all;
      std::function<void(uint32_t, bool)> collect = [&](uint32_t n, bool pos) {
        const Node& node = cr.nodes[n];
        if (node.op == Node::kAtom) {
          if (pos && known(node.atom)) all.push_back(node.atom);
          return;
        }
        for (uint32_t k : node.kids) collect(k, node.op == Node::kNot ? !pos : pos);
      };
      collect(cr.root, true);
      groups.push_back(all);
    }
    out.rules.push_back(r);
    choices.emplace_back(r, std::move(groups));
  }
  // Which group each rule sends: the one the table's own rows say is rarest (the estimate: rows
  // of a sample matching each atom, a group costing the sum of its atoms'), else the one with
  // the longest literal. Length misleads on a store: `/static/version` is longer than `.php`
  // and on most of its requests.
  std::map<uint32_t, int64_t> rows_of;
  if (estimate) {
    std::vector<uint32_t> ask;
    for (const auto& [r, groups] : choices)
      if (groups.size() > 1)
        for (const Group& g : groups) ask.insert(ask.end(), g.begin(), g.end());
    std::sort(ask.begin(), ask.end());
    ask.erase(std::unique(ask.begin(), ask.end()), ask.end());
    std::vector<std::string> exprs;
    for (uint32_t a : ask) exprs.push_back(atom_sql(a));
    std::vector<int64_t> n = ask.empty() ? std::vector<int64_t>{} : estimate(exprs);
    if (n.size() == ask.size())
      for (size_t k = 0; k < ask.size(); ++k) rows_of[ask[k]] = n[k];
  }
  for (auto& [r, groups] : choices) {
    const Group* best = nullptr;
    int best_score = -1;
    int64_t best_rows = INT64_MAX;
    for (const Group& g : groups) {
      int s = 1 << 20;
      int64_t rows = 0;
      for (uint32_t a : g) {
        s = std::min(s, plan[a].score);
        auto it = rows_of.find(a);
        rows = (it == rows_of.end() || rows == INT64_MAX) ? INT64_MAX : rows + it->second;
      }
      bool better = rows != best_rows ? rows < best_rows
                    : s != best_score ? s > best_score
                                      : best && g.size() < best->size();
      if (!best || better) {
        best = &g;
        best_score = s;
        best_rows = rows;
      }
    }
    for (uint32_t a : *best) {
      used[a] = true;
      out.atom_rules[a].push_back(r);
    }
  }
  for (size_t i = 0; i < rs.atoms.size(); ++i) {
    if (!used[i]) continue;
    const Atom& a = rs.atoms[i];
    if (plan[i].how == AtomPlan::kTerm) {
      terms.push_back(plan[i].text);
      out.term_atoms.push_back(static_cast<uint32_t>(i));
      continue;
    }
    std::string key = key_of(a);
    if (multi && !plan[i].ci_literal.empty())
      ci_literals[key].push_back(plan[i].ci_literal);
    else
      pieces[key].push_back(plan[i].text);
    out.key_atoms[key].push_back(static_cast<uint32_t>(i));
  }
  std::vector<std::string> ors;
  for (auto& [key, lits] : ci_literals) pieces[key];  // a place for each
  for (auto& [key, ps] : pieces) {
    std::sort(ps.begin(), ps.end());
    ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
    std::string re;
    for (const auto& p : ps) re += (re.empty() ? "" : "|") + p;
    std::vector<std::string> hay = hays(key);
    if (hay.empty()) continue;  // the table has no such column: never true
    for (const auto& h : hay) {
      if (!re.empty()) ors.push_back("match(" + h + ", " + SqlString(re) + ")");
      std::vector<std::string>& lits = ci_literals[key];
      std::sort(lits.begin(), lits.end());
      lits.erase(std::unique(lits.begin(), lits.end()), lits.end());
      for (size_t b = 0; b < lits.size(); b += 255) {  // at most 255 needles a call
        std::string arr;
        for (size_t k = b; k < lits.size() && k < b + 255; ++k)
          arr += (arr.empty() ? "" : ", ") + SqlString(lits[k]);
        ors.push_back("multiSearchAnyCaseInsensitive(" + h + ", [" + arr + "])");
      }
    }
  }
  for (auto& t : terms) ors.push_back(t);
  out.calls = ors.size();
  std::string w;
  for (const auto& o : ors) w += (w.empty() ? "" : " OR ") + o;
  out.where = w.empty() ? "0" : w;
  return out;
}

namespace {

// A Vectorscan pattern for the prefilter piece of atom `a` (the same test as its SQL piece).
bool LocalPattern(const Atom& a, std::string* pat, unsigned* flags) {
  *flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
  if (a.kind == AtomKind::kRegex) {
    *pat = a.confirm_pattern;
    *flags = a.confirm_flags | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    return true;
  }
  std::string lit = a.kind == AtomKind::kWildcard ? LongestLiteral(a.value) : a.value;
  if (lit.empty()) return false;
  static const char* hex = "0123456789abcdef";
  pat->clear();
  for (unsigned char ch : lit) {
    if (isalnum(ch)) {
      *pat += static_cast<char>(ch);
    } else {
      *pat += "\\x";
      *pat += hex[ch >> 4];
      *pat += hex[ch & 15];
    }
  }
  if (!a.cased) *flags |= HS_FLAG_CASELESS;
  return true;
}

int OnPiece(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* ctx) {
  static_cast<std::vector<uint32_t>*>(ctx)->push_back(id);
  return 0;
}

}  // namespace

RecordMatcher::RecordMatcher(const rules::RuleSet& rs, const Prefilter& pf) : rs_(rs), pf_(pf) {
  if (rs.scratch_proto) hs_clone_scratch(rs.scratch_proto, &scratch_);
  seen_.assign(rs.rules.size(), UINT32_MAX);
  for (const auto& [key, atoms] : pf.key_atoms) {
    Place p;
    if (key.starts_with("x:")) {
      p.field = rules::kExtraField;
      p.extra = key.substr(2);
    } else {
      p.field = std::stoi(key);
    }
    std::vector<std::string> pats;
    std::vector<unsigned> flags, ids;
    for (uint32_t a : atoms) {
      std::string pat;
      unsigned fl = 0;
      if (!LocalPattern(rs.atoms[a], &pat, &fl)) continue;
      pats.push_back(pat);
      flags.push_back(fl);
      ids.push_back(static_cast<unsigned>(p.atoms.size()));
      p.atoms.push_back(a);
    }
    std::vector<const char*> cs;
    for (const auto& x : pats) cs.push_back(x.c_str());
    hs_compile_error_t* err = nullptr;
    if (!cs.empty() &&
        hs_compile_multi(cs.data(), flags.data(), ids.data(), static_cast<unsigned>(cs.size()),
                         HS_MODE_BLOCK, nullptr, &p.db, &err) == HS_SUCCESS) {
      hs_alloc_scratch(p.db, &p.scratch);
    } else {
      // Not compiled (cannot happen for patterns the rule loader compiled): every rule these
      // atoms serve is evaluated on every row instead.
      if (err) hs_free_compile_error(err);
      p.db = nullptr;
    }
    places_.push_back(std::move(p));
  }
}

RecordMatcher::~RecordMatcher() {
  for (Place& p : places_) {
    if (p.scratch) hs_free_scratch(p.scratch);
    if (p.db) hs_free_database(p.db);
  }
  if (scratch_) hs_free_scratch(scratch_);
}

bool RecordMatcher::Eval(const CompiledRule& r, uint32_t n, const logs::AccessLogRecord& rec) {
  const Node& node = r.nodes[n];
  switch (node.op) {
    case Node::kTrue: return true;
    case Node::kFalse: return false;
    case Node::kAtom: return rules::EvalAtom(rs_.atoms[node.atom], rec, dec_, scratch_, norm_);
    case Node::kNot: return !Eval(r, node.kids[0], rec);
    case Node::kAnd:
      for (uint32_t k : node.kids)
        if (!Eval(r, k, rec)) return false;
      return true;
    case Node::kOr:
      for (uint32_t k : node.kids)
        if (Eval(r, k, rec)) return true;
      return false;
  }
  return false;
}

void RecordMatcher::Match(const logs::AccessLogRecord& rec, std::vector<uint32_t>* hits) {
  hits->clear();
  queue_.clear();
  ++row_;
  TargetVariants(rec.get(logs::Field::kUri), &dec_, &norm_);
  auto queue_rules = [&](uint32_t atom) {
    for (uint32_t r : pf_.atom_rules[atom])
      if (seen_[r] != row_) {
        seen_[r] = row_;
        queue_.push_back(r);
      }
  };
  std::vector<uint32_t> found;
  for (Place& p : places_) {
    if (!p.db) {
      for (uint32_t a : p.atoms) queue_rules(a);
      continue;
    }
    std::vector<std::string_view> hay;
    std::string extra;
    if (p.field == rules::kExtraField) {
      if (!(rec.source && rec.source->ExtraField(rec.line, p.extra, &extra))) continue;
      hay.push_back(extra);
    } else {
      auto f = static_cast<logs::Field>(p.field);
      if (p.field < 0) {
        hay.push_back(rec.line);
      } else {
        if (!rec.has(f)) continue;
        hay.push_back(rec.get(f));
      }
      bool target = p.field < 0 || f == logs::Field::kUri || f == logs::Field::kUriStem;
      if ((target || f == logs::Field::kQuery) && !dec_.empty()) hay.push_back(dec_);
      if (target && !norm_.empty()) hay.push_back(norm_);
    }
    found.clear();
    for (std::string_view h : hay)
      hs_scan(p.db, h.data(), static_cast<unsigned>(h.size()), 0, p.scratch, OnPiece, &found);
    for (uint32_t id : found) queue_rules(p.atoms[id]);
  }
  for (uint32_t a : pf_.term_atoms) queue_rules(a);  // cidr, numbers, exists: cheap, evaluated
  for (uint32_t r : pf_.every_row)
    if (seen_[r] != row_) {
      seen_[r] = row_;
      queue_.push_back(r);
    }
  std::sort(queue_.begin(), queue_.end());
  for (uint32_t r : queue_)
    if (Eval(rs_.rules[r], rs_.rules[r].root, rec)) hits->push_back(r);
}

}  // namespace tq::warehouse
