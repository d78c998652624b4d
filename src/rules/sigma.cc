// Sigma YAML to compiled rules: detection selections (maps of field|modifiers to values,
// lists of maps, keyword lists), value modifiers, and the condition language (and, or, not,
// parentheses, `1 of sel*`, `all of them`). Anything not understood skips the rule with the
// file, line and reason; it is never guessed.
#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>

#include "core/text.h"
#include "rules/engine.h"
#include "rules/yaml_limits.h"

namespace tq::rules {

std::string RuleProblem::ToString() const {
  return where.source + ":" + std::to_string(where.line) + ": " +
         (title.empty() ? "" : title + ": ") + where.reason;
}

namespace {

struct Skip {  // thrown inside the loader only, caught per rule
  int line;
  std::string reason;
};

// ---- Condition parser ----
struct CondNode {
  enum Op { kSel, kAnd, kOr, kNot, kOneOf, kAllOf } op = kSel;
  std::string name;  // kSel: selection; kOneOf/kAllOf: pattern ("them" or "sel*")
  std::vector<CondNode> kids;
};

class CondParser {
 public:
  explicit CondParser(std::string_view s) : s_(s) {}
  CondNode Parse() {
    CondNode n = Or();
    Space();
    if (p_ < s_.size() && s_[p_] == '|') Err("aggregations (| count() ...) are not supported");
    if (p_ < s_.size()) Err("unexpected '" + std::string(Peek()) + "'");
    return n;
  }

 private:
  [[noreturn]] void Err(const std::string& m) {
    throw Skip{0, "condition col " + std::to_string(p_ + 1) + ": " + m};
  }
  void Space() {
    while (p_ < s_.size() && isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  std::string_view Word() {
    Space();
    size_t b = p_;
    while (p_ < s_.size() && !isspace(static_cast<unsigned char>(s_[p_])) && s_[p_] != '(' &&
           s_[p_] != ')')
      ++p_;
    if (b == p_ && p_ < s_.size()) ++p_;
    return s_.substr(b, p_ - b);
  }
  std::string_view Peek() {
    size_t save = p_;
    std::string_view w = Word();
    p_ = save;
    return w;
  }
  static bool Is(std::string_view w, std::string_view kw) {
    if (w.size() != kw.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (tolower(static_cast<unsigned char>(w[i])) != kw[i]) return false;
    return true;
  }
  CondNode Or() {
    CondNode l = And();
    while (Is(Peek(), "or")) {
      Word();
      CondNode r = And();
      CondNode n{CondNode::kOr, "", {std::move(l), std::move(r)}};
      l = std::move(n);
    }
    return l;
  }
  CondNode And() {
    CondNode l = Not();
    while (Is(Peek(), "and")) {
      Word();
      CondNode r = Not();
      CondNode n{CondNode::kAnd, "", {std::move(l), std::move(r)}};
      l = std::move(n);
    }
    return l;
  }
  CondNode Not() {
    if (Is(Peek(), "not")) {
      Word();
      if (++depth_ > 64) Err("condition nested too deeply");
      CondNode k = Not();
      --depth_;
      return CondNode{CondNode::kNot, "", {std::move(k)}};
    }
    return Atom();
  }
  CondNode Atom() {
    std::string_view w = Word();
    if (w.empty()) Err("condition ends too early");
    if (w == "(") {
      if (++depth_ > 64) Err("condition nested too deeply");
      CondNode n = Or();
      --depth_;
      if (Word() != ")") Err("expected ')'");
      return n;
    }
    if (w == ")" || w == "|")
      Err(w == "|" ? "aggregations (| count() ...) are not supported" : "unexpected ')'");
    if (Is(w, "and") || Is(w, "or")) Err("'" + std::string(w) + "' needs a left operand");
    if (w == "1" || Is(w, "all") || Is(w, "any")) {
      if (!Is(Peek(), "of")) Err("expected 'of' after '" + std::string(w) + "'");
      Word();
      std::string_view target = Word();
      if (target.empty() || target == "(" || target == ")") Err("expected a name after 'of'");
      return CondNode{Is(w, "all") ? CondNode::kAllOf : CondNode::kOneOf, std::string(target), {}};
    }
    if (isdigit(static_cast<unsigned char>(w[0]))) Err("only '1 of' and 'all of' are supported");
    if (Is(w, "near")) Err("'near' is not supported");
    return CondNode{CondNode::kSel, std::string(w), {}};
  }
  std::string_view s_;
  size_t p_ = 0;
  int depth_ = 0;
};

bool GlobMatch(std::string_view pat, std::string_view name) {  // for "sel*" in "1 of sel*"
  if (pat.empty()) return name.empty();
  if (pat[0] == '*') {
    for (size_t i = 0; i <= name.size(); ++i)
      if (GlobMatch(pat.substr(1), name.substr(i))) return true;
    return false;
  }
  if (name.empty()) return false;
  if (pat[0] != '?' && pat[0] != name[0]) return false;
  return GlobMatch(pat.substr(1), name.substr(1));
}

// ---- Values and modifiers ----
std::string Base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += k[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += k[v >> 18], out += k[(v >> 12) & 63], out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += '=';
  }
  return out;
}

// The three shifted encodings of `v` as it can appear inside a longer base64 text.
std::vector<std::string> Base64Offsets(std::string_view v) {
  std::vector<std::string> out;
  static const size_t kStart[3] = {0, 2, 3};
  static const int kEnd[3] = {0, -3, -2};
  for (size_t i = 0; i < 3; ++i) {
    std::string enc = Base64(std::string(i, ' ') + std::string(v));
    size_t start = kStart[i];
    int cut = kEnd[(v.size() + i) % 3];
    size_t end = enc.size() - static_cast<size_t>(-cut);
    if (start < end) out.push_back(enc.substr(start, end - start));
  }
  return out;
}

std::vector<std::string> Windash(const std::string& v) {
  std::vector<std::string> out = {v};
  if (v.find('-') == std::string::npos && v.find('/') == std::string::npos) return out;
  for (const char* d : {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"}) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
      bool dash = (v[i] == '-' || v[i] == '/') && (i == 0 || v[i - 1] == ' ');
      s += dash ? std::string(d) : std::string(1, v[i]);
    }
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::string HsEscape(std::string_view lit) {
  std::string o;
  char buf[8];
  for (unsigned char c : lit) {
    if (isalnum(c)) {
      o += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      o += buf;
    }
  }
  return o;
}

// A Sigma value with * and ? wildcards (\ escapes them). Returns false when it has none,
// with the unescaped literal in *lit.
bool ParseWildcards(std::string_view v, std::string* lit, std::string* regex) {
  bool wild = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\' && i + 1 < v.size() && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      *lit += v[i + 1];
      *regex += HsEscape(v.substr(i + 1, 1));
      ++i;
    } else if (c == '*') {
      wild = true;
      *regex += ".*";
    } else if (c == '?') {
      wild = true;
      *regex += ".";
    } else {
      *lit += c;
      *regex += HsEscape(v.substr(i, 1));
    }
  }
  return wild;
}

class Loader {
 public:
  Loader(RuleSet& rs, std::string file) : rs_(rs), file_(std::move(file)) {}

  void LoadDoc(const YAML::Node& doc) {
    RuleInfo info;
    info.file = file_;
    info.line = doc["title"] ? doc["title"].Mark().line + 1 : doc.Mark().line + 1;
    info.title = Str(doc["title"]);
    info.id = Str(doc["id"]);
    info.name = Str(doc["name"]);
    info.status = Str(doc["status"]);
    info.level = Str(doc["level"]);
    info.description = Str(doc["description"]);
    for (const char* k : {"tags", "references"})
      if (doc[k] && doc[k].IsSequence())
        for (const auto& t : doc[k])
          (std::strcmp(k, "tags") == 0 ? info.tags : info.references).push_back(Str(t));
    try {
      if (info.title.empty()) throw Skip{info.line, "no title"};
      YAML::Node ls = doc["logsource"];
      if (!ls || !ls.IsMap()) throw Skip{info.line, "no logsource"};
      std::string cat = Lower(Str(ls["category"]));
      std::string product = Lower(Str(ls["product"]));
      std::string service = Lower(Str(ls["service"]));
      // Web server logs: the webserver category, or (SigmaHQ's error-log rules) the server as
      // product or service, or `service: error`; all run on access, WAF and error-log records.
      auto server = [](const std::string& s) {
        return s == "apache" || s == "nginx" || s == "php-fpm" || s == "modsecurity";
      };
      if (cat != "webserver" &&
          !(cat.empty() && (server(product) || server(service) || service == "error")))
        throw Skip{Line(ls), "logsource category is '" + cat + "', not webserver"};
      YAML::Node det = doc["detection"];
      if (!det || !det.IsMap()) throw Skip{info.line, "no detection map"};
      YAML::Node cond = det["condition"];
      if (!cond) throw Skip{Line(det), "no condition"};
      std::vector<std::string> conds;
      if (cond.IsSequence()) {
        for (const auto& c : cond) conds.push_back(Str(c));
      } else {
        conds.push_back(Str(cond));
      }
      // Sigma 1's aggregation, `selection | count(field) by X > N` over `timeframe`: the part
      // before the bar is this rule, the rest a correlation of it (correlation.cc).
      std::optional<CorrelationInfo> agg;
      if (conds.size() == 1 && conds[0].find('|') != std::string::npos) {
        size_t bar = conds[0].find('|');
        agg.emplace();
        std::string why;
        if (!ParseAggregation(conds[0], bar, Str(det["timeframe"]), &*agg, &why))
          throw Skip{Line(cond), why};
        conds[0].resize(bar);
      } else if (det["timeframe"]) {
        throw Skip{Line(det["timeframe"]), "timeframe without an aggregation (| count() ...)"};
      }
      CompiledRule rule;
      std::map<std::string, uint32_t> sel;  // selection name -> node
      std::vector<std::string> names;
      for (const auto& kv : det) {
        std::string name = Str(kv.first);
        if (name == "condition" || name == "timeframe") continue;
        sel[name] = Selection(rule, kv.second);
        names.push_back(name);
      }
      std::vector<uint32_t> roots;
      for (const std::string& c : conds) {
        CondNode n;
        try {
          n = CondParser(c).Parse();
        } catch (Skip& s) {
          s.line = Line(cond);
          throw;
        }
        roots.push_back(Cond(rule, n, sel, names, Line(cond)));
      }
      rule.root = roots.size() == 1 ? roots[0] : Push(rule, Node{Node::kOr, 0, roots});
      // Hits and counts are keyed by the rule id: a second rule with the same id (a renamed
      // copy of one rule in two files) would make them ambiguous.
      if (!info.id.empty())
        for (const RuleInfo& other : rs_.info)
          if (other.id == info.id)
            throw Skip{info.line, "duplicate rule id " + info.id + " (already loaded from " +
                                      other.file + ":" + std::to_string(other.line) + ")"};
      for (const Node& n : rule.nodes) {  // the fields outside the taxonomy, in order of use
        if (n.op != Node::kAtom || rs_.atoms[n.atom].field != kExtraField) continue;
        const std::string& extra = rs_.atoms[n.atom].extra;
        if (std::find(info.extra_fields.begin(), info.extra_fields.end(), extra) ==
            info.extra_fields.end())
          info.extra_fields.push_back(extra);
      }
      if (agg) {  // the correlation takes the rule's name; the rule feeds it
        agg->id = info.id, agg->title = info.title, agg->level = info.level;
        agg->status = info.status, agg->description = info.description;
        agg->file = info.file, agg->line = info.line;
        agg->tags = info.tags, agg->references = info.references;
        info.title += " (events)";
      }
      rs_.info.push_back(std::move(info));
      rs_.rules.push_back(std::move(rule));
      if (agg)
        AddLegacyCorrelation(rs_, static_cast<uint32_t>(rs_.info.size() - 1), std::move(*agg));
    } catch (const Skip& s) {
      rs_.skipped.push_back(
          MakeRuleProblem(file_, s.line ? s.line : info.line, info.title, s.reason));
    }
  }

 private:
  static std::string Str(const YAML::Node& n) {
    if (!n || !n.IsScalar()) return "";
    return n.Scalar();
  }
  static int Line(const YAML::Node& n) { return n.Mark().line + 1; }
  static uint32_t Push(CompiledRule& r, Node n) {
    r.nodes.push_back(std::move(n));
    return static_cast<uint32_t>(r.nodes.size() - 1);
  }

  uint32_t Cond(CompiledRule& r, const CondNode& c, const std::map<std::string, uint32_t>& sel,
                const std::vector<std::string>& names, int line) {
    switch (c.op) {
      case CondNode::kSel: {
        auto it = sel.find(c.name);
        if (it == sel.end()) throw Skip{line, "condition names unknown selection '" + c.name + "'"};
        return it->second;
      }
      case CondNode::kNot:
        return Push(r, Node{Node::kNot, 0, {Cond(r, c.kids[0], sel, names, line)}});
      case CondNode::kAnd:
      case CondNode::kOr: {
        Node n{c.op == CondNode::kAnd ? Node::kAnd : Node::kOr, 0, {}};
        for (const auto& k : c.kids) n.kids.push_back(Cond(r, k, sel, names, line));
        return Push(r, std::move(n));
      }
      case CondNode::kOneOf:
      case CondNode::kAllOf: {
        Node n{c.op == CondNode::kAllOf ? Node::kAnd : Node::kOr, 0, {}};
        for (const std::string& nm : names) {
          bool them = c.name == "them";
          if ((them && !nm.starts_with("_")) || (!them && GlobMatch(c.name, nm)))
            n.kids.push_back(sel.at(nm));
        }
        if (n.kids.empty()) throw Skip{line, "'" + c.name + "' matches no selection"};
        return Push(r, std::move(n));
      }
    }
    return 0;
  }

  // A selection: a map (AND of fields), a list of maps (OR), or a list of keywords (OR).
  uint32_t Selection(CompiledRule& r, const YAML::Node& n) {
    if (n.IsMap()) return FieldMap(r, n);
    if (n.IsSequence()) {
      Node any{Node::kOr, 0, {}};
      for (const auto& e : n) {
        if (e.IsMap())
          any.kids.push_back(FieldMap(r, e));
        else if (e.IsScalar())
          any.kids.push_back(Values(r, -1, {}, e, Line(e)));
        else
          throw Skip{Line(e), "selection list element is neither a map nor a value"};
      }
      if (any.kids.empty()) throw Skip{Line(n), "empty selection"};
      return Push(r, std::move(any));
    }
    if (n.IsScalar()) return Values(r, -1, {}, n, Line(n));
    throw Skip{Line(n), "empty selection"};
  }

  uint32_t FieldMap(CompiledRule& r, const YAML::Node& m) {
    Node all{Node::kAnd, 0, {}};
    for (const auto& kv : m) {
      std::string key = Str(kv.first);
      int line = Line(kv.first);
      std::vector<std::string> parts;
      size_t b = 0;
      for (;;) {
        size_t bar = key.find('|', b);
        parts.push_back(key.substr(b, bar == std::string::npos ? std::string::npos : bar - b));
        if (bar == std::string::npos) break;
        b = bar + 1;
      }
      int field = -1;
      extra_.clear();
      if (!parts[0].empty()) {
        logs::Field f;
        if (logs::FieldFromSigmaName(parts[0], &f)) {
          field = static_cast<int>(f);
        } else {  // outside the taxonomy: matched where a log carries it (JSON lines)
          field = kExtraField;
          extra_ = parts[0];
        }
      }
      std::vector<std::string> mods(parts.begin() + 1, parts.end());
      all.kids.push_back(Values(r, field, mods, kv.second, line));
    }
    if (all.kids.empty()) throw Skip{Line(m), "empty selection"};
    return Push(r, std::move(all));
  }

  uint32_t Values(CompiledRule& r, int field, const std::vector<std::string>& mods,
                  const YAML::Node& v, int line) {
    bool all = false, cased = false, b64 = false, b64off = false, windash = false;
    std::string kind;  // contains, startswith, endswith, re, cidr, exists, lt, ...
    std::string re_flags;
    for (const std::string& m0 : mods) {
      std::string m = Lower(m0);
      if (m == "all")
        all = true;
      else if (m == "cased")
        cased = true;
      else if (m == "base64")
        b64 = true;
      else if (m == "base64offset")
        b64off = true;
      else if (m == "windash")
        windash = true;
      else if (m == "i" || m == "m" || m == "s")
        re_flags += m;
      else if (m == "contains" || m == "startswith" || m == "endswith" || m == "re" ||
               m == "cidr" || m == "exists" || m == "lt" || m == "lte" || m == "gt" || m == "gte") {
        if (!kind.empty()) throw Skip{line, "modifiers '" + kind + "' and '" + m + "' together"};
        kind = m;
      } else {
        throw Skip{line, "modifier '" + m0 + "' is not supported"};
      }
    }
    if (b64off && kind != "contains") throw Skip{line, "base64offset needs contains"};
    std::vector<YAML::Node> items;
    if (v.IsSequence()) {
      for (const auto& e : v) items.push_back(e);
    } else {
      items.push_back(v);
    }
    Node group{all ? Node::kAnd : Node::kOr, 0, {}};
    for (const YAML::Node& item : items) {
      if (!item.IsNull() && !item.IsScalar())
        throw Skip{Line(item), "value is neither a string, a number nor null"};
      if (item.IsNull()) {
        if (field == -1) throw Skip{line, "null keyword"};
        Atom a;
        a.kind = AtomKind::kNull;
        a.field = field;
        group.kids.push_back(AtomNode(r, std::move(a)));
        continue;
      }
      std::string s = item.Scalar();
      if (kind == "exists") {
        if (field == -1) throw Skip{line, "exists needs a field"};
        Atom a;
        a.kind = AtomKind::kExists;
        a.field = field;
        uint32_t n = AtomNode(r, std::move(a));
        bool want = Lower(s) == "true" || s == "yes";
        group.kids.push_back(want ? n : Push(r, Node{Node::kNot, 0, {n}}));
        continue;
      }
      if (kind == "lt" || kind == "lte" || kind == "gt" || kind == "gte") {
        Atom a;
        a.kind = kind == "lt"    ? AtomKind::kLt
                 : kind == "lte" ? AtomKind::kLte
                 : kind == "gt"  ? AtomKind::kGt
                                 : AtomKind::kGte;
        a.field = field;
        char* end = nullptr;
        a.number = std::strtod(s.c_str(), &end);
        if (s.empty() || *end) throw Skip{Line(item), "'" + s + "' is not a number"};
        a.value = s;
        group.kids.push_back(AtomNode(r, std::move(a)));
        continue;
      }
      if (kind == "cidr") {
        Atom a;
        a.kind = AtomKind::kCidr;
        a.field = field == -1 ? static_cast<int>(logs::Field::kClientIp) : field;
        if (!ParseCidr(s, &a)) throw Skip{Line(item), "'" + s + "' is not a CIDR network"};
        a.value = s;
        group.kids.push_back(AtomNode(r, std::move(a)));
        continue;
      }
      if (kind == "re") {
        Atom a;
        a.kind = AtomKind::kRegex;
        a.field = field;
        a.value = s;
        a.confirm_pattern = s;
        a.confirm_flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
        if (re_flags.find('i') != std::string::npos) a.confirm_flags |= HS_FLAG_CASELESS;
        if (re_flags.find('m') != std::string::npos) a.confirm_flags |= HS_FLAG_MULTILINE;
        if (re_flags.find('s') != std::string::npos) a.confirm_flags |= HS_FLAG_DOTALL;
        group.kids.push_back(AtomNode(r, std::move(a)));
        continue;
      }
      // Strings: transforms, then the match type.
      std::vector<std::string> variants = {s};
      if (windash) {
        std::vector<std::string> w;
        for (auto& x : variants)
          for (auto& y : Windash(x)) w.push_back(y);
        variants = w;
      }
      if (b64off) {
        std::vector<std::string> w;
        for (auto& x : variants)
          for (auto& y : Base64Offsets(x)) w.push_back(y);
        variants = w;
      } else if (b64) {
        for (auto& x : variants) x = Base64(x);
      }
      Node alt{Node::kOr, 0, {}};
      for (const std::string& x : variants)
        alt.kids.push_back(StringAtom(r, field, kind, x, cased || b64 || b64off));
      group.kids.push_back(alt.kids.size() == 1 ? alt.kids[0] : Push(r, std::move(alt)));
    }
    if (group.kids.empty()) throw Skip{line, "empty value list"};
    return group.kids.size() == 1 ? group.kids[0] : Push(r, std::move(group));
  }

  uint32_t StringAtom(CompiledRule& r, int field, const std::string& kind, const std::string& s,
                      bool cased) {
    Atom a;
    a.field = field;
    a.cased = cased;
    std::string lit, regex;
    bool wild = ParseWildcards(s, &lit, &regex);
    if (field == -1 && kind.empty()) {  // keywords: anywhere in the line
      a.kind = wild ? AtomKind::kWildcard : AtomKind::kContains;
    } else if (kind == "contains") {
      a.kind = wild ? AtomKind::kWildcard : AtomKind::kContains;
    } else if (kind == "startswith") {
      a.kind = wild ? AtomKind::kWildcard : AtomKind::kStartsWith;
      if (wild) regex = "^" + regex;
    } else if (kind == "endswith") {
      a.kind = wild ? AtomKind::kWildcard : AtomKind::kEndsWith;
      if (wild) regex += "$";
    } else {
      a.kind = wild ? AtomKind::kWildcard : AtomKind::kEquals;
      if (wild) regex = "^" + regex + "$";
    }
    if (!wild) {
      a.chunk_pattern = HsEscape(cased ? lit : Lower(lit));
    } else {  // unanchored, for the chunk scan ('.' stops at the end of the line there)
      std::string l2, unanchored;
      ParseWildcards(s, &l2, &unanchored);
      while (unanchored.starts_with(".*")) unanchored.erase(0, 2);
      while (unanchored.ends_with(".*")) unanchored.resize(unanchored.size() - 2);
      a.chunk_pattern = l2.size() >= 3 ? unanchored : "";
    }
    if (wild) {
      a.value = s;
      a.confirm_pattern = regex;
      a.confirm_flags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | HS_FLAG_ALLOWEMPTY |
                        (cased ? 0u : HS_FLAG_CASELESS);
    } else {
      a.value = cased ? lit : Lower(lit);
    }
    return AtomNode(r, std::move(a));
  }

  static bool ParseCidr(const std::string& s, Atom* a) {
    size_t slash = s.find('/');
    std::string addr = s.substr(0, slash);
    int max = addr.find(':') != std::string::npos ? 128 : 32;
    a->v6 = max == 128;
    a->prefix = max;
    if (slash != std::string::npos) {
      std::string p = s.substr(slash + 1);
      if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), ::isdigit)) return false;
      a->prefix = std::stoi(p);
      if (a->prefix > max) return false;
    }
    return inet_pton(a->v6 ? AF_INET6 : AF_INET, addr.c_str(), a->net.data()) == 1;
  }

  uint32_t AtomNode(CompiledRule& r, Atom a) {
    if (a.field == kExtraField) a.extra = extra_;
    std::string key = std::to_string(static_cast<int>(a.kind)) + "|" + std::to_string(a.field) +
                      "|" + a.extra + "|" + (a.cased ? "c" : "i") +
                      std::to_string(a.confirm_flags) + "|" + a.value;
    auto it = rs_.atom_index.find(key);
    uint32_t id;
    if (it != rs_.atom_index.end()) {
      id = it->second;
    } else {
      id = static_cast<uint32_t>(rs_.atoms.size());
      rs_.atoms.push_back(std::move(a));
      rs_.atom_index.emplace(key, id);
    }
    return Push(r, Node{Node::kAtom, id, {}});
  }

  RuleSet& rs_;
  std::string file_;
  std::string extra_;  // the selection key's field when outside the taxonomy (for AtomNode)
};

}  // namespace

void LoadSigmaText(RuleSet& rs, const std::string& file, const std::string& text) {
  if (text.size() > kMaxRuleFileBytes) {
    rs.skipped.push_back(MakeRuleProblem(file, 1, "",
                                         "larger than " + std::to_string(kMaxRuleFileBytes / 1024) +
                                             " KiB (rule files are limited)"));
    return;
  }
  std::string why;
  std::vector<std::string> parts = SplitYamlDocuments(text, &why);
  if (!why.empty()) {
    rs.skipped.push_back(MakeRuleProblem(file, 1, "", why));
    return;
  }
  for (const std::string& part : parts) {
    // Bytes, nesting, alias expansion and document count first: yaml-cpp builds nothing from
    // a document past them.
    YamlLimitProblem limit;
    if (!CheckYamlLimits(part, &limit)) {
      rs.skipped.push_back(MakeRuleProblem(file, limit.line ? limit.line : 1, "", limit.reason));
      continue;
    }
    if (limit.empty) continue;
    YAML::Node d;
    try {
      d = YAML::Load(part);
    } catch (const YAML::Exception& e) {
      rs.skipped.push_back(MakeRuleProblem(file, e.mark.line + 1, "", "not YAML: " + e.msg));
      continue;
    }
    if (!d.IsMap()) {
      rs.skipped.push_back(
          MakeRuleProblem(file, d.Mark().line + 1, "", "not a Sigma rule (no YAML map)"));
      continue;
    }
    try {
      if (d["correlation"])
        LoadCorrelationDoc(rs, file, d);
      else
        Loader(rs, file).LoadDoc(d);
    } catch (const YAML::Exception& e) {
      rs.skipped.push_back(
          MakeRuleProblem(file, e.mark.line + 1, "", std::string("bad rule: ") + e.msg));
    }
  }
}

Status CheckCondition(std::string_view condition, const std::vector<std::string>& selections) {
  try {
    CondNode n = CondParser(condition).Parse();
    std::function<void(const CondNode&)> walk = [&](const CondNode& c) {
      if (c.op == CondNode::kSel &&
          std::find(selections.begin(), selections.end(), c.name) == selections.end())
        throw Skip{0, "unknown selection '" + c.name + "'"};
      for (const auto& k : c.kids) walk(k);
    };
    walk(n);
  } catch (const Skip& s) {
    return Status::BadInput(s.reason);
  }
  return Status::Ok();
}

}  // namespace tq::rules
