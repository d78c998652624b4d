// Sigma rules (the rules component's compiled model: a condition tree over atoms) to ClickHouse
// WHERE clauses, atom by atom with the local matcher's semantics (matcher.cc, EvalAtom):
//   - a field the record lacks matches nothing but `null` (exists: present, not empty, not "-");
//   - case-insensitive unless `cased` (ASCII folding, as the local matcher: lower(),
//     positionCaseInsensitive; multiSearchAnyCaseInsensitive from 19.1 is not in 18.16);
//   - the request target also matches as URL-decoded and as path-normalised (the export stores
//     both, computed by the logs component; on other tables decodeURLComponent twice stands in);
//   - wildcards and `re` through match() (RE2): wrapped as (?flags)(?:...) because 18.16's
//     regex optimiser misreads a leading (?i) before a literal (`(?i)hel` misses "Hello");
//   - cidr by address ranges (IPv4StringToNum; IPv6 by bytes: 18.16 has no isIPAddressInRange);
//   - lt/gt on the number the text is, never on text that is not one.
// Keywords search the raw line (the export's `line` column).
#include <cstdio>

#include "rules/engine.h"
#include "warehouse/prefilter.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {
namespace {

using rules::Atom;
using rules::AtomKind;
using rules::Node;

std::string Hex(const uint8_t* p, size_t n) {
  static const char* h = "0123456789abcdef";
  std::string o;
  for (size_t i = 0; i < n; ++i) o += h[p[i] >> 4], o += h[p[i] & 15];
  return o;
}

struct Gen {
  const rules::RuleSet& rs;
  const ColumnMap& map;
  const ServerFeatures& f;
  std::string why;

  // Our column for a field of the taxonomy (OurColumns() is in logs::Field order).
  std::string Col(int field) const { return map.Sql(OurColumns()[static_cast<size_t>(field)]); }
  bool Has(const std::string& ours) const { return !map.Sql(ours).empty(); }

  // The value test of an atom on one string expression `v`.
  std::string On(const Atom& a, const std::string& v) {
    const std::string lit = SqlString(a.value);
    switch (a.kind) {
      case AtomKind::kEquals: return a.cased ? v + " = " + lit : "lower(" + v + ") = " + lit;
      case AtomKind::kContains:
        return a.cased ? "position(" + v + ", " + lit + ") > 0"
                       : "positionCaseInsensitive(" + v + ", " + lit + ") > 0";
      case AtomKind::kStartsWith:
        return a.cased ? "startsWith(" + v + ", " + lit + ")"
                       : "startsWith(lower(" + v + "), " + lit + ")";
      case AtomKind::kEndsWith:
        return a.cased ? "endsWith(" + v + ", " + lit + ")"
                       : "endsWith(lower(" + v + "), " + lit + ")";
      case AtomKind::kWildcard:
      case AtomKind::kRegex: {
        std::string flags;
        if (a.confirm_flags & HS_FLAG_CASELESS) flags += 'i';
        if (a.confirm_flags & HS_FLAG_MULTILINE) flags += 'm';
        // Vectorscan's '.' stops at '\n' unless DOTALL; RE2's (in ClickHouse) does not.
        std::string re = "(?" + flags + ((a.confirm_flags & HS_FLAG_DOTALL) ? "s" : "-s") +
                         ")(?:" + a.confirm_pattern + ")";
        return "match(" + v + ", " + SqlString(re) + ")";
      }
      case AtomKind::kCidr: {
        if (!a.v6) {
          uint32_t net = (uint32_t(a.net[0]) << 24) | (uint32_t(a.net[1]) << 16) |
                         (uint32_t(a.net[2]) << 8) | a.net[3];
          uint32_t mask = a.prefix == 0 ? 0 : ~uint32_t{0} << (32 - a.prefix);
          uint32_t lo = net & mask, hi = lo | ~mask;
          // The round trip keeps only the dotted quads inet_pton reads.
          return "(IPv4StringToNum(" + v + ") BETWEEN " + std::to_string(lo) + " AND " +
                 std::to_string(hi) + " AND IPv4NumToString(IPv4StringToNum(" + v + ")) = " + v +
                 ")";
        }
        std::string n = "IPv6StringToNum(" + v + ")";
        std::string s = "(position(" + v + ", ':') > 0 AND (" + n + " != toFixedString(unhex('" +
                        std::string(32, '0') + "'), 16) OR " + v + " IN ('::', '::0'))";
        int full = a.prefix / 8, rest = a.prefix % 8;
        if (full > 0)
          s += " AND substring(" + n + ", 1, " + std::to_string(full) + ") = unhex('" +
               Hex(a.net.data(), static_cast<size_t>(full)) + "')";
        if (rest) {
          unsigned m = (0xffu << (8 - rest)) & 0xffu;
          s += " AND bitAnd(reinterpretAsUInt8(substring(" + n + ", " + std::to_string(full + 1) +
               ", 1)), " + std::to_string(m) + ") = " + std::to_string(a.net[full] & m);
        }
        return s + ")";
      }
      case AtomKind::kLt:
      case AtomKind::kLte:
      case AtomKind::kGt:
      case AtomKind::kGte: {
        const char* op = a.kind == AtomKind::kLt    ? " < "
                         : a.kind == AtomKind::kLte ? " <= "
                         : a.kind == AtomKind::kGt  ? " > "
                                                    : " >= ";
        char num[64];
        std::snprintf(num, sizeof num, "%.17g", a.number);
        return "ifNull(toFloat64OrNull(" + v + ")" + op + "toFloat64(" + num + "), 0)";
      }
      default: return "0";
    }
  }

  // The decoded request target, or "" when the table has neither way to say it.
  std::string Decoded() const { return DecodedTargetSql(map); }
  std::string DecodedGuard() const {
    if (Has("target_decoded")) return map.Sql("target_decoded") + " != ''";
    return Decoded() + " != " + map.Sql("target");
  }
  static std::string Before(const std::string& x) {
    return "if(position(" + x + ", '?') > 0, substring(" + x + ", 1, position(" + x +
           ", '?') - 1), " + x + ")";
  }

  bool AtomSql(const Atom& a, std::string* out) {
    if (a.field == rules::kExtraField) {
      // Outside the taxonomy: the table has it only when the map names it.
      auto it = map.column.find(a.extra);
      if (it == map.column.end()) {
        *out = a.kind == AtomKind::kNull ? "1" : "0";
        return true;
      }
      std::string v = "toString(" + ColumnMap{{{a.extra, it->second}}, {}}.Sql(a.extra) + ")";
      if (a.kind == AtomKind::kExists)
        *out = "(" + v + " NOT IN ('', '-'))";
      else if (a.kind == AtomKind::kNull)
        *out = "(" + v + " IN ('', '-'))";
      else
        *out = "(" + On(a, v) + ")";
      return true;
    }
    if (a.field < 0) {
      if (!Has("line")) {
        why = "a keyword needs the raw line (map `line` to the table's raw-line column)";
        return false;
      }
      std::string s = On(a, map.Sql("line"));
      if (Has("target_decoded")) s += " OR (" + DecodedGuard() + " AND " + On(a, Decoded()) + ")";
      if (Has("target_normalized"))
        s += " OR (" + map.Sql("target_normalized") + " != '' AND " +
             On(a, map.Sql("target_normalized")) + ")";
      *out = "(" + s + ")";
      return true;
    }
    std::string col = Col(a.field);
    std::string has;
    if (col.empty()) {
      has = "0";
    } else if (Has("present")) {
      has = "bitAnd(" + map.Sql("present") + ", " + std::to_string(1u << a.field) + ") != 0";
    } else {
      has = "1";
    }
    std::string v = col.empty()
                        ? "''"
                        : (map.column.count(OurColumns()[a.field]) ? "toString(" + col + ")" : col);
    if (a.kind == AtomKind::kExists) {
      *out = "((" + has + ") AND " + v + " NOT IN ('', '-'))";
      return true;
    }
    if (a.kind == AtomKind::kNull) {
      *out = "(NOT (" + has + ") OR " + v + " IN ('', '-'))";
      return true;
    }
    if (col.empty()) {
      *out = "0";
      return true;
    }
    std::string s = On(a, v);
    auto field = static_cast<logs::Field>(a.field);
    bool target = field == logs::Field::kUri || field == logs::Field::kUriStem;
    if (target && Has("target_normalized")) {
      std::string n = map.Sql("target_normalized");
      s += " OR (" + n + " != '' AND " + On(a, field == logs::Field::kUri ? n : Before(n)) + ")";
    }
    if ((target || field == logs::Field::kQuery) && !Decoded().empty()) {
      std::string d = Decoded();
      if (field == logs::Field::kUri) {
        s += " OR (" + DecodedGuard() + " AND " + On(a, d) + ")";
      } else if (field == logs::Field::kUriStem) {
        s += " OR (" + DecodedGuard() + " AND " + On(a, Before(d)) + ")";
      } else {
        s += " OR (" + DecodedGuard() + " AND position(" + d + ", '?') > 0 AND " +
             On(a, "substring(" + d + ", position(" + d + ", '?') + 1)") + ")";
      }
    }
    *out = "((" + has + ") AND (" + s + "))";
    return true;
  }

  bool NodeSql(const rules::CompiledRule& r, uint32_t n, std::string* out, int depth) {
    if (depth > 200) {
      why = "condition nested too deeply for SQL";
      return false;
    }
    const Node& node = r.nodes[n];
    switch (node.op) {
      case Node::kTrue: *out = "1"; return true;
      case Node::kFalse: *out = "0"; return true;
      case Node::kAtom: return AtomSql(rs.atoms[node.atom], out);
      case Node::kNot: {
        std::string k;
        if (!NodeSql(r, node.kids[0], &k, depth + 1)) return false;
        *out = "NOT " + k;
        return true;
      }
      case Node::kAnd:
      case Node::kOr: {
        std::string s;
        for (uint32_t k : node.kids) {
          std::string ks;
          if (!NodeSql(r, k, &ks, depth + 1)) return false;
          s += (s.empty() ? "" : (node.op == Node::kAnd ? " AND " : " OR ")) + ks;
        }
        *out = "(" + (s.empty() ? std::string(node.op == Node::kAnd ? "1" : "0") : s) + ")";
        return true;
      }
    }
    return false;
  }
};

}  // namespace

bool AtomSql(const rules::RuleSet& rs, const rules::Atom& a, const ColumnMap& map,
             const ServerFeatures& f, std::string* sql, std::string* why) {
  Gen g{rs, map, f, {}};
  if (!g.AtomSql(a, sql)) {
    *why = g.why;
    return false;
  }
  return true;
}

std::string DecodedTargetSql(const ColumnMap& map) {
  if (!map.Sql("target_decoded").empty()) return map.Sql("target_decoded");
  if (map.Sql("target").empty()) return "";
  // Not the local decoding (repeated, '+' as space in the query) but close: two rounds.
  return "decodeURLComponent(decodeURLComponent(" + map.Sql("target") + "))";
}

bool RuleSql(const rules::RuleSet& rs, uint32_t rule, const ColumnMap& map, const ServerFeatures& f,
             std::string* sql, std::string* why) {
  if (rule >= rs.rules.size()) {
    *why = "no such rule";
    return false;
  }
  Gen g{rs, map, f, {}};
  const rules::CompiledRule& r = rs.rules[rule];
  if (!g.NodeSql(r, r.root, sql, 0)) {
    *why = g.why;
    return false;
  }
  return true;
}

}  // namespace tq::warehouse
