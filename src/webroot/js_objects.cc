// The obfuscator's flattening objects, read and replaced (see js_objects.h).

#include "webroot/js_objects.h"

#include <cctype>

#include "webroot/js_tokens.h"

namespace tq::webroot::js {

Scopes::Scopes(const std::vector<Token>& t) : of(t.size(), 0), parent{-1}, names(1) {
  std::vector<std::pair<int, size_t>> open;  // scope, index of its closing brace
  // Per bracket depth: inside `var a = .., b = ..` (so `, b =` declares b).
  std::vector<bool> in_decl(1, false);
  for (size_t i = 0; i < t.size(); ++i) {
    while (!open.empty() && i > open.back().second) open.pop_back();
    int cur = open.empty() ? 0 : open.back().first;
    of[i] = cur;
    if (Op(t[i], "(") || Op(t[i], "[") || Op(t[i], "{")) {
      if (in_decl.size() < 4096) in_decl.push_back(false);
    } else if (Op(t[i], ")") || Op(t[i], "]") || Op(t[i], "}")) {
      if (in_decl.size() > 1) in_decl.pop_back();
    } else if (Op(t[i], ";")) {
      in_decl.back() = false;
    }
    if (Decl(t[i]) && i + 1 < t.size() && Word(t[i + 1])) {
      names[cur].insert(t[i + 1].text);
      in_decl.back() = true;
    }
    if (Op(t[i], ",") && in_decl.back() && i + 2 < t.size() && Word(t[i + 1]) && Op(t[i + 2], "="))
      names[cur].insert(t[i + 1].text);
    if (!Word(t[i], "function")) continue;
    size_t j = i + 1;
    if (j < t.size() && Word(t[j])) names[cur].insert(t[j++].text);
    if (j >= t.size() || !Op(t[j], "(")) continue;
    std::set<std::string> params;
    size_t p = j + 1;
    for (; p < t.size() && Word(t[p]) && params.size() < 64; ++p) {
      params.insert(t[p].text);
      if (p + 1 < t.size() && Op(t[p + 1], ",")) ++p;
    }
    if (p + 1 >= t.size() || !Op(t[p], ")") || !Op(t[p + 1], "{")) continue;
    size_t close = Close(t, p + 1, 1u << 22);
    if (close == kNone) continue;
    parent.push_back(cur);
    names.push_back(std::move(params));
    open.emplace_back(static_cast<int>(parent.size() - 1), close);
    // The parameter list is read by the loop as it goes on (its brackets counted there);
    // from the body's brace on, tokens are in the new scope.
  }
}

void ObjectTable::Build(const std::vector<Token>& t) {
  scopes_.emplace(t);
  using Key = std::pair<std::string, int>;  // object name, scope
  std::set<Key> declared, spoiled;
  std::map<Key, std::map<std::string, std::optional<Entry>>> objs;
  auto put = [&](const Key& obj, const std::string& key, std::optional<Entry> e) {
    auto [it, fresh] = objs[obj].try_emplace(key, e);
    if (fresh || !it->second) return;
    const Entry& was = *it->second;
    if (!e || was.proxy != e->proxy || was.value.type != e->value.type ||
        was.value.text != e->value.text || was.call != e->call || was.op != e->op)
      it->second.reset();
  };
  // The scope whose object `n` the name at t[i] means, or -1.
  auto owner = [&](size_t i, const std::string& n) {
    for (int sc = scopes_->of[i]; sc >= 0; sc = scopes_->parent[sc]) {
      if (declared.count({n, sc})) return sc;
      if (scopes_->names[sc].count(n)) return -1;
    }
    return -1;
  };
  for (size_t i = 0; i + 2 < t.size(); ++i)
    if (Word(t[i]) && !(i > 0 && Op(t[i - 1], ".")) && Op(t[i + 1], "=") && Op(t[i + 2], "{")) {
      Key k{t[i].text, scopes_->of[i]};
      if (declared.count(k)) spoiled.insert(k);
      declared.insert(k);
    }
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (!Word(t[i]) || (i > 0 && Op(t[i - 1], "."))) continue;
    const std::string& n = t[i].text;
    if (Op(t[i + 1], "=") && Op(t[i + 2], "{")) {
      Key obj{n, scopes_->of[i]};
      size_t c = Close(t, i + 2, 1u << 20);
      if (c == kNone) continue;
      Ranges entries;
      SplitTop(t, i + 3, c, entries);
      for (auto [b, e] : entries)
        if (e - b >= 3 && (t[b].type == Tok::kString || Word(t[b])) && Op(t[b + 1], ":"))
          put(obj, t[b].text, Value(t, b + 2, e));
      continue;
    }
    int sc = owner(i, n);
    if (sc < 0) continue;
    Key obj{n, sc};
    if (IsAssign(t[i + 1])) spoiled.insert(obj);
    // o['k']=v / o.k=v
    size_t key = kNone, after = kNone;
    if (i + 3 < t.size() && Op(t[i + 1], "[") && t[i + 2].type == Tok::kString && Op(t[i + 3], "]"))
      key = i + 2, after = i + 4;
    else if (Op(t[i + 1], ".") && Word(t[i + 2]))
      key = i + 2, after = i + 3;
    else if (Op(t[i + 1], "[")) {
      size_t c = Close(t, i + 1, 256);
      if (c != kNone && c + 1 < t.size() && IsAssign(t[c + 1])) spoiled.insert(obj);
      continue;
    }
    if (key == kNone || after >= t.size() || !IsAssign(t[after])) continue;
    std::optional<Entry> v;
    if (Op(t[after], "=")) {
      size_t e = after + 1;
      int depth = 0;
      for (; e < t.size() && e - after < 512; ++e) {
        if (Op(t[e], "(") || Op(t[e], "[") || Op(t[e], "{")) ++depth;
        if (Op(t[e], ")") || Op(t[e], "]") || Op(t[e], "}")) --depth;
        if (depth < 0 || (depth == 0 && (Op(t[e], ";") || Op(t[e], ",")))) break;
      }
      v = Value(t, after + 1, e);
    }
    put(obj, t[key].text, v);
  }
  for (auto& [k, m] : objs) {
    if (!declared.count(k) || spoiled.count(k)) continue;
    for (auto& [key, v] : m)
      if (v) entries_[k][key] = *v;
  }
  // var p=o: the same object under another name (in the alias's own scope).
  for (size_t i = 1; i + 2 < t.size(); ++i) {
    if (!((Decl(t[i - 1]) || Op(t[i - 1], ",")) && Word(t[i]) && Op(t[i + 1], "=") &&
          Word(t[i + 2]) && (i + 3 >= t.size() || Op(t[i + 3], ",") || Op(t[i + 3], ";"))))
      continue;
    int sc = owner(i + 2, t[i + 2].text);
    auto it = entries_.find({t[i + 2].text, sc});
    Key alias{t[i].text, scopes_->of[i]};
    if (sc < 0 || it == entries_.end() || declared.count(alias) || entries_.count(alias)) continue;
    declared.insert(alias);
    alias_of_[alias] = it->first;
  }
}

const ObjectTable::Entry* ObjectTable::At(const std::vector<Token>& t, size_t i,
                                          size_t& end) const {
  if (entries_.empty() || i + 2 >= t.size() || !Word(t[i])) return nullptr;
  std::string key;
  if (Op(t[i + 1], "[") && t[i + 2].type == Tok::kString) {
    // o['k'], o['o'+'k'] (split strings)
    size_t j = i + 2;
    key = t[j].text;
    while (j + 2 < t.size() && Op(t[j + 1], "+") && t[j + 2].type == Tok::kString &&
           key.size() < 256)
      key += t[j + 2].text, j += 2;
    if (j + 1 >= t.size() || !Op(t[j + 1], "]")) return nullptr;
    end = j + 1;
  } else if (Op(t[i + 1], ".") && Word(t[i + 2])) {
    key = t[i + 2].text, end = i + 2;
  } else {
    return nullptr;
  }
  const std::string& n = t[i].text;
  for (int sc = scopes_->of[i]; sc >= 0; sc = scopes_->parent[sc]) {
    std::pair<std::string, int> k{n, sc};
    if (auto a = alias_of_.find(k); a != alias_of_.end()) k = a->second;
    if (auto it = entries_.find(k); it != entries_.end()) {
      auto e = it->second.find(key);
      return e == it->second.end() ? nullptr : &e->second;
    }
    if (scopes_->names[sc].count(n)) return nullptr;
  }
  return nullptr;
}

std::optional<ObjectTable::Entry> ObjectTable::Value(const std::vector<Token>& t, size_t b,
                                                     size_t e) {
  Entry en;
  if (e == b + 1 && (t[b].type == Tok::kString || t[b].type == Tok::kNumber)) {
    en.value = t[b];
    return en;
  }
  // 'inp'+'ut': the split-strings transform's pieces
  if (e > b && (e - b) % 2 == 1 && t[b].type == Tok::kString) {
    en.value = t[b];
    for (size_t j = b + 1; j < e; j += 2) {
      if (!Op(t[j], "+") || t[j + 1].type != Tok::kString) return std::nullopt;
      if (en.value.text.size() + t[j + 1].text.size() > (1u << 16)) return std::nullopt;
      en.value.text += t[j + 1].text;
      if (en.value.decoded_by.empty()) en.value.decoded_by = t[j + 1].decoded_by;
    }
    return en;
  }
  std::vector<std::string> params;
  if (!(e > b + 6 && Word(t[b], "function") && Op(t[b + 1], "(") && Op(t[e - 1], "}")))
    return std::nullopt;
  size_t j = b + 2;
  for (; j < e && Word(t[j]) && params.size() < 8; ++j) {
    params.push_back(t[j].text);
    if (Op(t[j + 1], ",")) ++j;
  }
  if (params.empty() || !Op(t[j], ")") || !Op(t[j + 1], "{") || !Word(t[j + 2], "return"))
    return std::nullopt;
  size_t r = j + 3, last = Op(t[e - 2], ";") ? e - 2 : e - 1;  // body [r, last)
  en.proxy = true;
  // return a OP b;
  if (params.size() == 2 && last == r + 3 && Word(t[r], params[0]) && t[r + 1].type == Tok::kOp &&
      Word(t[r + 2], params[1])) {
    static const std::set<std::string> kBinary = {
        "+",  "-",  "*",  "/", "%", "==", "===", "!=", "!==", "<",  "<=",        ">",
        ">=", "&&", "||", "&", "|", "^",  "<<",  ">>", ">>>", "in", "instanceof"};
    if (!kBinary.count(t[r + 1].text)) return std::nullopt;
    en.op = t[r + 1].text;
    return en;
  }
  // return f(a, b, ..);
  if (!(Word(t[r], params[0]) && Op(t[r + 1], "(") && Op(t[last - 1], ")"))) return std::nullopt;
  size_t k = r + 2;
  for (size_t p = 1; p < params.size(); ++p) {
    if (!Word(t[k], params[p])) return std::nullopt;
    k += (p + 1 < params.size()) ? 2 : 1;
  }
  if (k != last - 1) return std::nullopt;
  en.call = true;
  return en;
}

namespace {

// Members and proxy calls replaced: o.k -> its literal, o.p(a, b) -> a OP b, o.f(g, x) -> g(x).
class ObjectRewriter {
 public:
  ObjectRewriter(const std::vector<Token>& t, const ObjectTable& table, FoldBudget& b)
      : t_(t), table_(table), budget_(b) {}

  bool Run(std::vector<Token>& out) {
    out.reserve(t_.size());
    Emit(0, t_.size(), out, 0);
    return changed_;
  }

 private:
  bool Simple(size_t b, size_t e) const {  // one token, or a.b.c
    for (size_t j = b; j < e; ++j)
      if (!((j - b) % 2 == 0
                ? Word(t_[j]) || t_[j].type == Tok::kString || t_[j].type == Tok::kNumber
                : Op(t_[j], ".")))
        return false;
    return e > b && (e - b) % 2 == 1;
  }

  void Operand(size_t b, size_t e, std::vector<Token>& out, int depth) {
    bool wrap = !Simple(b, e);
    if (wrap) out.push_back(Paren("("));
    Emit(b, e, out, depth + 1);
    if (wrap) out.push_back(Paren(")"));
  }

  static Token Paren(const char* s) {
    Token k;
    k.type = Tok::kOp;
    k.text = s;
    return k;
  }

  void Emit(size_t b, size_t e, std::vector<Token>& out, int depth) {
    for (size_t i = b; i < e; ++i) {
      size_t end = 0;
      const ObjectTable::Entry* en = nullptr;
      if (depth < kMaxDepth && !(i > 0 && Op(t_[i - 1], ".")) && out.size() < (t_.size() << 2))
        en = table_.At(t_, i, end);
      if (en && end < e && !en->proxy && !(end + 1 < t_.size() && IsAssign(t_[end + 1])) &&
          budget_.bytes_left >= en->value.text.size()) {
        budget_.bytes_left -= en->value.text.size();
        out.push_back(en->value);
        i = end;
        changed_ = true;
        continue;
      }
      if (en && en->proxy && end + 1 < e && Op(t_[end + 1], "(")) {
        size_t c = Close(t_, end + 1, 1u << 16);
        Ranges args;
        if (c != kNone && c < e) SplitTop(t_, end + 2, c, args);
        if (c != kNone && c < e && (en->call ? !args.empty() : args.size() == 2)) {
          if (en->call) {
            Operand(args[0].first, args[0].second, out, depth);
            out.push_back(Paren("("));
            for (size_t a = 1; a < args.size(); ++a) {
              if (a > 1) out.push_back(Paren(","));
              Emit(args[a].first, args[a].second, out, depth + 1);
            }
            out.push_back(Paren(")"));
          } else {
            Operand(args[0].first, args[0].second, out, depth);
            Token op = Paren("");
            op.text = en->op;
            if (std::isalpha(static_cast<unsigned char>(en->op[0]))) op.type = Tok::kWord;
            out.push_back(std::move(op));
            Operand(args[1].first, args[1].second, out, depth);
          }
          i = c;
          changed_ = true;
          continue;
        }
      }
      out.push_back(t_[i]);
    }
  }

  const std::vector<Token>& t_;
  const ObjectTable& table_;
  FoldBudget& budget_;
  bool changed_ = false;
};

}  // namespace

bool ResolveObjects(std::vector<Token>& t, FoldBudget& budget) {
  bool changed = false;
  for (int round = 0; round < 4 && !budget.exhausted; ++round) {
    ObjectTable table;
    table.Build(t);
    if (table.empty()) break;
    std::vector<Token> again;
    if (!ObjectRewriter(t, table, budget).Run(again)) break;
    t = std::move(again);
    changed = true;
  }
  return changed;
}

}  // namespace tq::webroot::js
