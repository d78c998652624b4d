// Code run through the Function constructor with an object of globals (see js_pack.h).
#include "webroot/js_pack.h"

#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "webroot/js_tokens.h"

namespace tq::webroot {
namespace {

bool Literal(const Token& k) { return k.type == Tok::kString && k.quote != '"'; }

bool Plain(const Token& k) {
  static const char* const kNot[] = {"this",  "typeof", "void", "new",       "function",
                                     "class", "return", "var",  "let",       "const",
                                     "true",  "false",  "null", "undefined", "arguments"};
  if (k.type != Tok::kWord) return false;
  for (const char* w : kNot)
    if (k.text == w) return false;
  return true;
}

// The members of the object literal t(open, close): key -> the global it hands back ("typeof
// x" for a typeof getter). Empty when any member is something else.
std::map<std::string, std::string> GlobalsOf(const std::vector<Token>& t, size_t open,
                                             size_t close) {
  std::map<std::string, std::string> out;
  size_t j = open + 1;
  auto key_at = [&](size_t k) { return k < close && (Literal(t[k]) || t[k].type == Tok::kWord); };
  while (j < close) {
    if (js::Op(t[j], ",")) {
      ++j;
      continue;
    }
    // key: NAME
    if (key_at(j) && j + 2 < close && js::Op(t[j + 1], ":") && Plain(t[j + 2]) &&
        (j + 3 == close || js::Op(t[j + 3], ","))) {
      out[t[j].text] = t[j + 2].text;
      j += 3;
      continue;
    }
    // get KEY(){return NAME} / get KEY(){return typeof NAME} / set KEY(v){return NAME=v}
    bool get = js::Word(t[j], "get"), set = js::Word(t[j], "set");
    if (!(get || set) || !key_at(j + 1) || j + 4 >= close || !js::Op(t[j + 2], "(")) return {};
    std::string key = t[j + 1].text;
    size_t k = j + 3;
    std::string param;
    if (set) {
      if (t[k].type != Tok::kWord) return {};
      param = t[k++].text;
    }
    if (k + 3 >= close || !js::Op(t[k], ")") || !js::Op(t[k + 1], "{") ||
        !js::Word(t[k + 2], "return"))
      return {};
    k += 3;
    bool is_typeof = get && js::Word(t[k], "typeof");
    if (is_typeof) ++k;
    if (k >= close || !Plain(t[k])) return {};
    std::string name = t[k++].text;
    if (set) {
      if (k + 1 >= close || !js::Op(t[k], "=") || !js::Word(t[k + 1], param)) return {};
      k += 2;
    }
    if (k < close && js::Op(t[k], ";")) ++k;
    if (k >= close || !js::Op(t[k], "}")) return {};
    if (get) out[key] = is_typeof ? "typeof " + name : name;
    if (set && !out.count(key)) out[key] = name;
    j = k + 1;
  }
  return out;
}

// The code with `p['k']` / `p.k` replaced by the globals; nullopt when p is used any other way
// (declared again, passed on, indexed by something computed) or a key is not known.
std::optional<std::vector<Token>> Substitute(std::vector<Token> code, const std::string& p,
                                             const std::map<std::string, std::string>& globals) {
  std::vector<Token> out;
  out.reserve(code.size());
  bool any = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const Token& k = code[i];
    if (!(k.type == Tok::kWord && k.text == p) || (i > 0 && js::Op(code[i - 1], "."))) {
      out.push_back(std::move(code[i]));
      continue;
    }
    std::string key;
    size_t next = i;
    if (i + 3 < code.size() && js::Op(code[i + 1], "[") && Literal(code[i + 2]) &&
        js::Op(code[i + 3], "]")) {
      key = code[i + 2].text;
      next = i + 3;
    } else if (i + 2 < code.size() && js::Op(code[i + 1], ".") && code[i + 2].type == Tok::kWord) {
      key = code[i + 2].text;
      next = i + 2;
    } else {
      return std::nullopt;
    }
    auto it = globals.find(key);
    if (it == globals.end()) return std::nullopt;
    std::string name = it->second;
    if (name.rfind("typeof ", 0) == 0) {
      Token w;
      w.type = Tok::kWord;
      w.text = "typeof";
      out.push_back(std::move(w));
      name = name.substr(7);
    }
    Token w;
    w.type = Tok::kWord;
    w.text = name;
    w.concealed = true;
    out.push_back(std::move(w));
    i = next;
    any = true;
  }
  if (!any) return std::nullopt;
  return out;
}

// Tokens back to JavaScript that lexes to them again (Render is for reading: it neither escapes
// strings nor keeps `a- -b` apart): strings quoted and escaped, a regular expression from its
// kept source, a space wherever two words or two operators would run together.
std::string SourceText(const std::vector<Token>& tokens, size_t max_bytes) {
  std::string out;
  auto op_char = [](char c) {
    return std::string_view("+-*/%<>=!&|^~?:.").find(c) != std::string_view::npos;
  };
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  for (const Token& t : tokens) {
    if (out.size() >= max_bytes) break;
    char last = out.empty() ? ' ' : out.back();
    switch (t.type) {
      case Tok::kString: {
        bool tmpl = t.quote == '"' || t.quote == '`';
        out += tmpl ? '`' : '\'';
        for (char c : t.text) {
          if (tmpl) {
            out += c;
          } else if (c == '\\' || c == '\'') {
            out += '\\', out += c;
          } else if (c == '\n') {
            out += "\\n";
          } else if (c == '\r') {
            out += "\\r";
          } else {
            out += c;
          }
        }
        out += tmpl ? '`' : '\'';
        break;
      }
      case Tok::kOp:
        if (t.text == "/regex/") {
          // The lexer keeps the source after the opening slash: the pattern, the closing
          // slash and the flags (and a character more).
          std::string_view d = t.decoded_by;
          size_t slash = d.rfind('/');
          if (slash == std::string_view::npos) slash = d.size();
          size_t flags = slash + 1;
          while (flags < d.size() && std::isalpha(static_cast<unsigned char>(d[flags]))) ++flags;
          if (word_char(last) || op_char(last)) out += ' ';
          out += '/';
          out += d.substr(0, slash);
          out += '/';
          if (slash < d.size()) out += d.substr(slash + 1, flags - slash - 1);
        } else {
          if (op_char(last) && op_char(t.text[0])) out += ' ';
          out += t.text;
        }
        break;
      default:
        if (word_char(last)) out += ' ';
        out += t.text;
    }
  }
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

}  // namespace

bool FoldPackedGlobals(std::vector<Token>& t, FoldBudget& budget) {
  bool changed = false;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (!js::Word(t[i], "Function") || !js::Op(t[i + 1], "(") || (i > 0 && js::Op(t[i - 1], ".")))
      continue;
    size_t close = js::Close(t, i + 1, 1u << 20);
    if (close == js::kNone || close + 2 >= t.size() || !js::Op(t[close + 1], "(")) continue;
    std::vector<size_t> strs;
    bool ok = true;
    for (size_t j = i + 2; j < close && ok; ++j)
      if (Literal(t[j]) && (j == i + 2 || js::Op(t[j - 1], ",")))
        strs.push_back(j);
      else if (!js::Op(t[j], ","))
        ok = false;
    if (!ok || strs.size() < 2 || strs.size() > 16) continue;
    size_t aclose = js::Close(t, close + 1, 1u << 20);
    if (aclose == js::kNone) continue;
    js::Ranges args;
    js::SplitTop(t, close + 2, aclose, args);
    Token& code = t[strs.back()];
    if (code.decoded_by.find("Function-") != std::string::npos) continue;  // rewritten already
    std::optional<std::vector<Token>> body;
    bool substituted = false;
    for (size_t a = 0; a < args.size() && a + 1 < strs.size(); ++a) {
      auto [b, e] = args[a];
      if (e <= b + 1 || !js::Op(t[b], "{") || !js::Op(t[e - 1], "}")) continue;
      std::map<std::string, std::string> globals = GlobalsOf(t, b, e - 1);
      if (globals.empty()) continue;
      if (!body) body = LexJs(code.text, LexLimits()).tokens;
      std::optional<std::vector<Token>> next = Substitute(*body, t[strs[a]].text, globals);
      if (next) body = std::move(next), substituted = true;
    }
    if (!substituted) continue;
    std::string text = SourceText(*body, code.text.size() * 2 + 4096);
    if (text == code.text || text.size() > budget.bytes_left) continue;
    budget.bytes_left -= text.size();
    code.text = std::move(text);
    // The whole script run this way (a packer's wrapper, nothing beside it) is marked so:
    // its code is the script's own, hidden no more in one place than another.
    bool whole = (i == 0 || (i == 1 && js::Op(t[0], ";"))) &&
                 (aclose + 1 == t.size() || (aclose + 2 == t.size() && js::Op(t[aclose + 1], ";")));
    std::string step = whole ? "Function-wrapper" : "Function-globals";
    code.decoded_by = code.decoded_by.empty() ? step : code.decoded_by + ">" + step;
    changed = true;
    i = aclose;
  }
  return changed;
}

}  // namespace tq::webroot
