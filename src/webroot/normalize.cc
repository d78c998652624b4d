// The normalisation driver: which lexer a file gets, the queue of layers (the file, the
// scripts inside its HTML, every literal a fold decoded into code, every eval() payload), and
// the limits that keep a hostile file from costing more than a bounded amount of work.
#include "webroot/normalize.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <optional>
#include <unordered_set>

#include "core/sha256.h"
#include "core/text.h"
#include "webroot/code_lexer.h"
#include "webroot/js_unpack.h"
#include "webroot/js_xor.h"

namespace tq::webroot {
namespace {

// The file's own functions that run their first parameter as code: `function f(c){..eval(c)..}`
// or `Function(c)` / `new Function(c)` / `setTimeout(c)` of it, in a body of at most 256 tokens.
// A literal passed to one is code that runs, as a literal passed to eval is.
std::unordered_set<std::string> JsEvalWrappers(const std::vector<Token>& t) {
  std::unordered_set<std::string> out;
  for (size_t i = 0; i + 4 < t.size(); ++i) {
    if (t[i].type != Tok::kWord || t[i].text != "function" || t[i + 1].type != Tok::kWord ||
        !IsOp(t[i + 2], "(") || t[i + 3].type != Tok::kWord)
      continue;
    const std::string& param = t[i + 3].text;
    size_t j = i + 4;
    while (j < t.size() && !IsOp(t[j], ")") && j < i + 64) ++j;
    if (j + 1 >= t.size() || !IsOp(t[j + 1], "{")) continue;
    int depth = 0;
    for (size_t k = j + 1; k < t.size() && k < j + 256; ++k) {
      if (IsOp(t[k], "{")) ++depth;
      if (IsOp(t[k], "}") && --depth == 0) break;
      if (k + 3 < t.size() && t[k].type == Tok::kWord && IsOp(t[k + 1], "(") &&
          t[k + 2].type == Tok::kWord && t[k + 2].text == param && IsOp(t[k + 3], ")") &&
          (t[k].text == "eval" || t[k].text == "Function" || t[k].text == "setTimeout")) {
        out.insert(t[i + 1].text);
        break;
      }
    }
  }
  return out;
}

// Markup that does something in a browser: a script, a form, a frame.
bool ActiveMarkup(std::string_view v) {
  for (std::string_view tag : {"<script", "<form", "<iframe"})
    if (ContainsFold(v, tag)) return true;
  return false;
}

bool HasPhpTag(std::string_view d) {
  for (size_t p = d.find("<?"); p != std::string_view::npos; p = d.find("<?", p + 2)) {
    if (p + 2 < d.size() && d[p + 2] == '=') return true;
    if (p + 5 <= d.size() && Lower(d.substr(p + 2, 3)) == "php") return true;
  }
  return false;
}

// Bodies of inline <script> elements (those with a src are judged by AnalyzeHtml).
std::vector<std::string_view> ScriptBodies(std::string_view html, size_t max_scripts) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (out.size() < max_scripts) {
    size_t open = FindFold(html, "<script", i);
    if (open == std::string_view::npos) break;
    size_t gt = html.find('>', open);
    if (gt == std::string_view::npos) break;
    size_t close = FindFold(html, "</script", gt + 1);
    size_t end = close == std::string_view::npos ? html.size() : close;
    if (end > gt + 1) out.push_back(html.substr(gt + 1, end - gt - 1));
    if (close == std::string_view::npos) break;
    i = close + 8;
  }
  return out;
}

// Event-handler attributes (onload="...", onerror='...') of the markup: script as much as a
// <script> body is (an SVG's onload, a hidden image's onerror). Values of 16 bytes or more,
// with the character references an attribute may hold decoded.
std::vector<std::string> HandlerBodies(std::string_view html, size_t max_handlers) {
  std::vector<std::string> out;
  for (size_t i = FindFold(html, "on", 0); i != std::string_view::npos && out.size() < max_handlers;
       i = FindFold(html, "on", i + 2)) {
    // " onload=" : the name starts after a space (or quote / slash) inside a tag.
    if (i == 0 || !(std::isspace(static_cast<unsigned char>(html[i - 1])) || html[i - 1] == '"' ||
                    html[i - 1] == '\'' || html[i - 1] == '/'))
      continue;
    size_t j = i + 2, name = 0;
    while (j < html.size() && std::isalpha(static_cast<unsigned char>(html[j])) && name < 24)
      ++j, ++name;
    if (name < 3) continue;
    while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j]))) ++j;
    if (j >= html.size() || html[j] != '=') continue;
    ++j;
    while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j]))) ++j;
    if (j >= html.size() || (html[j] != '"' && html[j] != '\'')) continue;
    size_t end = html.find(html[j], j + 1);
    if (end == std::string_view::npos) end = html.size();
    std::string_view v = html.substr(j + 1, end - j - 1);
    i = end;
    if (v.size() < 16) continue;
    std::string body;
    body.reserve(v.size());
    for (size_t k = 0; k < v.size(); ++k) {
      if (v[k] != '&') {
        body += v[k];
        continue;
      }
      size_t semi = v.find(';', k);
      if (semi == std::string_view::npos || semi - k > 10) {
        body += v[k];
        continue;
      }
      std::string ent = Lower(v.substr(k + 1, semi - k - 1));
      uint32_t cp = 0;
      if (ent == "quot")
        cp = '"';
      else if (ent == "apos")
        cp = '\'';
      else if (ent == "amp")
        cp = '&';
      else if (ent == "lt")
        cp = '<';
      else if (ent == "gt")
        cp = '>';
      else if (ent.size() > 1 && ent[0] == '#')
        cp = static_cast<uint32_t>(ent[1] == 'x' ? std::strtoul(ent.c_str() + 2, nullptr, 16)
                                                 : std::strtoul(ent.c_str() + 1, nullptr, 10));
      if (cp == 0 || cp > 0x10FFFF) {
        body += v[k];
        continue;
      }
      AppendUtf8(body, cp);
      k = semi;
    }
    out.push_back(std::move(body));
  }
  return out;
}

bool Base64Shaped(std::string_view s) {
  if (s.size() < 64) return false;
  size_t good = 0;
  for (unsigned char c : s)
    if (std::isalnum(c) || c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r') ++good;
  return good * 100 >= s.size() * 98;
}

// A short base64 literal that decodes to a PHP open tag or a script element: too short to be
// shaped like a blob, but what droppers write ("<?php @eval($_POST[..])?>" is 40 bytes).
bool Base64OfTag(std::string_view s) {
  if (s.size() < 16 || (!s.starts_with("PD9") && !s.starts_with("PHNjcmlwd"))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '+' && c != '/' && c != '=') return false;
  return true;
}

// A PHP open tag in base64 inside a longer literal: the shell an exploit's request plants
// ("...fputs(fopen(base64_decode(c2hlbGwucGhw),w),base64_decode(PD9waHAg...))..."), or a
// dropper's payload between other text. The first such run of 16 or more base64 characters.
std::string_view EmbeddedBase64OfTag(std::string_view s) {
  auto b64 = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
  };
  s = s.substr(0, 1 << 20);
  for (size_t at = s.find("PD9"); at != std::string_view::npos; at = s.find("PD9", at + 3)) {
    if (at > 0 && b64(s[at - 1])) continue;
    size_t end = at;
    while (end < s.size() && b64(s[end])) ++end;
    if (end - at >= 16) return s.substr(at, end - at);
  }
  return {};
}

bool HexShaped(std::string_view s) {
  if (s.size() < 16 || s.size() % 2) return false;
  for (unsigned char c : s)
    if (!std::isxdigit(c)) return false;
  return true;
}

struct Pending {
  std::string path;
  std::string text;  // owned: decoded layers do not live in the input
  std::string_view view;
  CodeKind kind;
  bool in_code = false;  // PHP payload without an open tag (an eval argument)
  bool decoded = false;
  int depth = 0;
};

class Driver {
 public:
  explicit Driver(const NormalizeLimits& l) : limits_(l) { budget_left_ = l.max_total_bytes; }

  void Enqueue(Pending p) {
    if (out_.layers.size() + queue_.size() >= limits_.max_layers || p.depth > limits_.max_depth) {
      out_.truncated = true;
      return;
    }
    size_t size = p.text.empty() ? p.view.size() : p.text.size();
    // The same bytes reached twice (a literal the folds decoded and the blob guess decoded
    // too) are read once: the first path names the layer. SHA-256, so that no file can make
    // a layer look like one already read.
    std::string key = Sha256Hex(p.text.empty() ? p.view : std::string_view(p.text));
    key += static_cast<char>('0' + static_cast<int>(p.kind));
    key += p.in_code ? '+' : '-';
    if (!seen_.insert(std::move(key)).second) return;
    if (size > budget_left_) {
      out_.truncated = true;
      return;
    }
    budget_left_ -= std::min(budget_left_, p.text.size());
    queue_.push_back(std::move(p));
  }

  // A literal that a fold decoded, or an eval argument: a child layer when it reads as code.
  void Child(const Pending& parent, const Token& t, std::string_view why) {
    if (t.text.size() < 8) return;
    std::string path = parent.path + ">" + std::string(why);
    std::string_view v = t.text;
    bool php = parent.kind == CodeKind::kPhp;
    if (!t.decoded_by.empty()) path += (why == "eval" ? ">" : "") + t.decoded_by;
    if (!t.decoded_by.empty() && why != "eval") path = parent.path + ">" + t.decoded_by;
    if (php && HasPhpTag(v.substr(0, 64))) {
      Enqueue({path, t.text, {}, CodeKind::kPhp, false, true, parent.depth + 1});
      return;
    }
    // A page written out by a dropper: markup with PHP statements further in.
    if (php && HasPhpTag(v) && PhpTagHoldsCode(v)) {
      Enqueue({path, t.text, {}, CodeKind::kPhp, false, true, parent.depth + 1});
      return;
    }
    // Markup holding a script, a form or a frame (a template's echo, or a blob decoded and
    // printed): read as HTML, so that its tags and their hosts are judged as a page's are.
    if (php && ActiveMarkup(v.substr(0, 1 << 16))) {
      Enqueue({path + ">html",
               t.text,
               {},
               CodeKind::kHtml,
               false,
               !t.decoded_by.empty(),
               parent.depth + 1});
      return;
    }
    // A literal of hex digits (echoed, or handed to a decoder the folds cannot see).
    if (t.decoded_by.empty() && HexShaped(v)) {
      Decoded d = HexToBin(v);
      if (d.ok &&
          (LooksLikeCode(d.out) || (php && HasPhpTag(std::string_view(d.out).substr(0, 64))))) {
        bool tag = php && HasPhpTag(std::string_view(d.out).substr(0, 64));
        Enqueue({parent.path + ">hex?",
                 std::move(d.out),
                 {},
                 parent.kind,
                 php && !tag,
                 true,
                 parent.depth + 1});
        return;
      }
    }
    bool plain_literal = why == "literal" && t.decoded_by.empty();
    bool code = why == "eval" ? IsPrintableText(v) : LooksLikeCode(v);
    // What the file's own functions return is code only when it reads as statements: a
    // helper that turns an address into HTML entities returns punctuation, not PHP.
    if (code && php && why != "eval" && t.decoded_by.find("()") != std::string::npos &&
        !HasPhpStatement(v))
      return;
    if (plain_literal || !code) {
      if (!t.decoded_by.empty()) return;
      if (php && !Base64Shaped(v) && !Base64OfTag(v)) {
        std::string_view run = EmbeddedBase64OfTag(v);
        Decoded d = run.empty() ? Decoded{} : DecodeBase64(run, limits_.max_layer_text);
        if (d.ok && HasPhpTag(std::string_view(d.out).substr(0, 64)))
          Enqueue({parent.path + ">base64?",
                   std::move(d.out),
                   {},
                   CodeKind::kPhp,
                   false,
                   true,
                   parent.depth + 1});
        return;
      }
      // An undecoded blob: try base64 and then the zlib wrappers under it.
      if (!(Base64Shaped(v) || Base64OfTag(v))) return;
      Decoded d = DecodeBase64(v, limits_.max_layer_text);
      if (!d.ok) return;
      std::string name = "base64";
      for (int bits : {-15, 15, 31}) {
        Decoded z = Inflate(d.out, bits, limits_.max_layer_text);
        if (z.ok) {
          d.out = std::move(z.out);
          name += bits == -15 ? ">inflate" : bits == 15 ? ">zlib" : ">gzip";
          break;
        }
      }
      if (!LooksLikeCode(d.out) && !(php && HasPhpTag(std::string_view(d.out).substr(0, 64))))
        return;
      Enqueue({parent.path + ">" + name + "?",
               std::move(d.out),
               {},
               parent.kind,
               php && !HasPhpTag(std::string_view(d.out).substr(0, 64)),
               true,
               parent.depth + 1});
      return;
    }
    // A whole script run through Function with its globals handed in (a packer's wrapper,
    // js_pack.h): run from a string, but nothing in it is hidden more than the rest, as with a
    // file that escapes every string.
    bool wrapper = why == "eval" && t.decoded_by == "Function-wrapper";
    Enqueue({path,
             t.text,
             {},
             parent.kind == CodeKind::kHtml ? CodeKind::kJs : parent.kind,
             php,
             !wrapper,
             parent.depth + 1});
  }

  void Run(Pending first) {
    Enqueue(std::move(first));
    while (!queue_.empty()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      std::string_view src = p.text.empty() ? p.view : std::string_view(p.text);
      LexLimits ll;
      LexResult lr;
      Lang lang = Lang::kPhp;
      if (p.kind == CodeKind::kPhp) {
        lr = LexPhp(src, p.in_code, ll);
      } else if (p.kind == CodeKind::kJs) {
        lr = LexJs(src, ll);
        lang = Lang::kJs;
        // Packed code (eval(function(p,a,c,k,e,d){...})): its payload is a layer of its own.
        if (std::optional<std::string> u = UnpackPacker(src, limits_.max_layer_text))
          Enqueue({p.path + ">unpack", std::move(*u), {}, CodeKind::kJs, false, true, p.depth + 1});
      } else {
        // HTML: each inline script is a JS layer; the markup is judged for foreign scripts.
        AnalyzeHtml(src, p.path, out_.traits);
        int n = 0;
        // A script of the file itself is a view into the input; one of a layer this loop
        // owns (markup gathered from PHP, a decoded page) is copied, as `p` dies below.
        bool owned = !p.text.empty();
        for (std::string_view body : ScriptBodies(src, 64))
          Enqueue({p.path + ">script#" + std::to_string(++n),
                   owned ? std::string(body) : std::string(), owned ? std::string_view() : body,
                   CodeKind::kJs, false, p.decoded, p.depth});
        n = 0;
        for (std::string& body : HandlerBodies(src, 64))
          Enqueue({p.path + ">handler#" + std::to_string(++n),
                   std::move(body),
                   {},
                   CodeKind::kJs,
                   false,
                   p.decoded,
                   p.depth});
        continue;
      }
      if (lr.truncated) out_.truncated = true;
      FoldBudget fb;
      fb.bytes_left = budget_left_;
      fb.eval_steps_left = eval_steps_left_;  // the decoder evaluator's steps are per file
      Fold(lr.tokens, lang, fb);
      budget_left_ = fb.bytes_left;
      eval_steps_left_ = fb.eval_steps_left;
      if (fb.exhausted) out_.truncated = true;
      // Character codes XOR-ed with a key in the code: code is a layer of its own, an address
      // takes the place of the numbers it was kept as.
      if (lang == Lang::kJs) {
        std::vector<XorDecoded> xs = DecodeXorCharCodes(lr.tokens, limits_.max_layer_text);
        for (auto x = xs.rbegin(); x != xs.rend(); ++x) {
          if (x->code) {
            Enqueue(
                {p.path + ">xor", std::move(x->text), {}, CodeKind::kJs, false, true, p.depth + 1});
            continue;
          }
          Token s;
          s.type = Tok::kString;
          s.text = std::move(x->text);
          s.decoded_by = "xor";
          lr.tokens.erase(lr.tokens.begin() + static_cast<std::ptrdiff_t>(x->begin) + 1,
                          lr.tokens.begin() + static_cast<std::ptrdiff_t>(x->end) + 1);
          lr.tokens[x->begin] = std::move(s);
        }
      }
      CodeLayer layer;
      layer.path = p.path;
      layer.depth = p.depth;
      layer.text = Render(lr.tokens, limits_.max_layer_text);
      if (lang == Lang::kPhp)
        AnalyzePhp(lr.tokens, p.path, out_.traits);
      else
        AnalyzeJs(lr.tokens, p.path, p.decoded, out_.traits);
      // Children: inline HTML's scripts, decoded literals, eval payloads.
      const std::vector<Token>& t = lr.tokens;
      const std::unordered_set<std::string> wrappers =
          lang == Lang::kJs ? JsEvalWrappers(t) : std::unordered_set<std::string>();
      std::string html;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].type == Tok::kHtml) {
          if (html.size() < limits_.max_layer_text) html += t[i].text;
          continue;
        }
        if (t[i].type != Tok::kString) continue;
        bool eval_arg = false;
        if (i >= 2 && t[i - 1].type == Tok::kOp && (t[i - 1].text == "(" || t[i - 1].text == ",")) {
          // The function this literal is an argument of: back over the earlier arguments.
          size_t j = i - 1;
          int depth = 0;
          for (size_t steps = 0; j > 0 && steps < 64; --j, ++steps) {
            const Token& b = t[j];
            if (b.type != Tok::kOp) continue;
            if (b.text == ")" || b.text == "]") ++depth;
            if (b.text == "(" || b.text == "[") {
              if (depth == 0) break;
              --depth;
            }
          }
          if (j > 0 && t[j].type == Tok::kOp && t[j].text == "(" && t[j - 1].type == Tok::kWord) {
            std::string fn = Lower(t[j - 1].text);
            // ([]).constructor.constructor(code) is Function(code).
            eval_arg = fn == "eval" || fn == "assert" || fn == "function" || fn == "settimeout" ||
                       (fn == "constructor" && j >= 3 && Lower(t[j - 3].text) == "constructor") ||
                       fn == "setinterval" || fn == "create_function" ||
                       ((fn == "preg_replace" || fn == "mb_ereg_replace") && j + 1 != i) ||
                       (j + 1 == i && wrappers.count(t[j - 1].text));
          }
        }
        if (eval_arg || !t[i].decoded_by.empty() || t[i].text.size() >= 64 ||
            (t[i].text.size() >= 16 &&
             (HexShaped(t[i].text) || Base64OfTag(t[i].text) ||
              t[i].text.find("<?") != std::string::npos || ActiveMarkup(t[i].text))))
          Child(p, t[i], eval_arg ? "eval" : "literal");
      }
      if (!html.empty() && (FindFold(html, "<script", 0) != std::string_view::npos ||
                            !HandlerBodies(html, 1).empty()))
        Enqueue(
            {p.path + ">html", std::move(html), {}, CodeKind::kHtml, false, p.decoded, p.depth});
      out_.layers.push_back(std::move(layer));
    }
  }

  NormalizedCode Take() { return std::move(out_); }

 private:
  NormalizeLimits limits_;
  size_t budget_left_ = 0;
  size_t eval_steps_left_ = FoldBudget().eval_steps_left;
  std::deque<Pending> queue_;
  std::unordered_set<std::string> seen_;  // SHA-256 of the layers queued so far
  NormalizedCode out_;
};

}  // namespace

bool HasPhpStatement(std::string_view code) {
  LexLimits limits;
  limits.max_tokens = 4096;
  LexResult lr = LexPhp(code.substr(0, 1 << 16), true, limits);
  const std::vector<Token>& t = lr.tokens;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    bool call = (t[i].type == Tok::kWord || t[i].type == Tok::kVar) && t[i + 1].type == Tok::kOp &&
                t[i + 1].text == "(";
    bool assign = t[i].type == Tok::kVar && t[i + 1].type == Tok::kOp && t[i + 1].text == "=";
    bool echo = t[i].type == Tok::kWord &&
                (Lower(t[i].text) == "echo" || Lower(t[i].text) == "print") &&
                (t[i + 1].type == Tok::kVar || t[i + 1].type == Tok::kString);
    if (call || assign || echo) return true;
  }
  return false;
}

bool BarePhpPayload(std::string_view content) {
  std::string_view head = content.substr(0, 1 << 20);
  if (head.find("<?") != std::string_view::npos) return false;
  size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  // An image header in front ("GIF89a"), as uploaders that pass an image check write.
  if (head.substr(i, 4) == "GIF8") {
    size_t nl = head.find('\n', i);
    if (nl == std::string_view::npos || nl - i > 16) return false;
    i = nl + 1;
  }
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i >= head.size()) return false;
  // Statements start with a variable, a silenced call or a word; markup starts with '<'.
  char c = head[i];
  if (c != '$' && c != '@' && !std::isalpha(static_cast<unsigned char>(c))) return false;
  std::string_view first = head.substr(i, 400);
  size_t eol = first.find('\n');
  if (eol != std::string_view::npos) first = first.substr(0, eol);
  // The first line is a statement of its own: it ends with ';' or opens a block.
  std::string_view line = first;
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.remove_suffix(1);
  if (line.empty() || (line.back() != ';' && line.back() != '{' && line.back() != ')'))
    return false;
  if (!IsPrintableText(head.substr(i, 4096))) return false;
  return HasPhpStatement(line);
}

CodeKind ClassifyCode(std::string_view content, std::string_view extension) {
  std::string e = Lower(extension);
  static const char* php[] = {"php",   "php3", "php4", "php5", "php7",   "php8",
                              "phtml", "pht",  "phar", "inc",  "module", "phps"};
  for (const char* x : php)
    if (e == x) return CodeKind::kPhp;
  if (e == "js" || e == "mjs" || e == "cjs") return CodeKind::kJs;
  if (e == "html" || e == "htm" || e == "xhtml" || e == "tpl" || e == "twig" || e == "hbs" ||
      e == "svg")
    return HasPhpTag(content.substr(0, 1 << 20)) ? CodeKind::kPhp : CodeKind::kHtml;
  std::string_view head = content.substr(0, 1 << 20);
  if (HasPhpTag(head) && PhpTagHoldsCode(content)) return CodeKind::kPhp;
  if (FindFold(head, "<script", 0) != std::string_view::npos) return CodeKind::kHtml;
  return CodeKind::kNone;
}

namespace {

// Comment bodies, quoted strings and custom property values of a stylesheet.
std::vector<std::string_view> StylesheetTexts(std::string_view css) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < css.size() && out.size() < 4096;) {
    if (css.compare(i, 2, "/*") == 0) {
      size_t end = css.find("*/", i + 2);
      if (end == std::string_view::npos) end = css.size();
      out.push_back(css.substr(i + 2, end - i - 2));
      i = end + 2;
    } else if (css[i] == '"' || css[i] == '\'') {
      size_t end = css.find(css[i], i + 1);
      if (end == std::string_view::npos) end = css.size();
      out.push_back(css.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (css.compare(i, 2, "--") == 0 && i > 0 &&
               (css[i - 1] == '{' || css[i - 1] == ';' ||
                std::isspace(static_cast<unsigned char>(css[i - 1])))) {
      size_t colon = css.find(':', i), end = css.find_first_of(";}", i);
      if (colon == std::string_view::npos || end == std::string_view::npos || colon > end) {
        i += 2;
        continue;
      }
      out.push_back(css.substr(colon + 1, end - colon - 1));
      i = end;
    } else {
      ++i;
    }
  }
  return out;
}

// Text that reads as JavaScript: two or more of the things page scripts do.
bool ReadsAsScript(std::string_view s) {
  int n = 0;
  for (std::string_view m :
       {"function", "document.", "window.", "atob(", "eval(", "=>", "XMLHttpRequest", "fetch(",
        "new Image", "fromCharCode", "addEventListener", "querySelector", ".value"})
    if (s.find(m) != std::string_view::npos) ++n;
  return n >= 2;
}

}  // namespace

std::optional<NormalizedCode> NormalizeStylesheet(std::string_view css,
                                                  const NormalizeLimits& limits) {
  css = css.substr(0, limits.max_input);
  std::string code;
  for (std::string_view piece : StylesheetTexts(css)) {
    std::string decoded;
    if (Base64Shaped(piece)) {
      Decoded d = DecodeBase64(piece, limits.max_layer_text);
      if (d.ok) decoded = std::move(d.out);
    }
    std::string_view text = ReadsAsScript(piece) ? piece : std::string_view(decoded);
    if (!ReadsAsScript(text) || code.size() + text.size() > limits.max_layer_text) continue;
    (code += text) += "\n;\n";
  }
  if (code.empty()) return std::nullopt;
  Driver d(limits);
  d.Run({"css>js", std::move(code), {}, CodeKind::kJs, false, true, 0});
  return d.Take();
}

NormalizedCode Normalize(std::string_view content, CodeKind kind, const NormalizeLimits& limits) {
  if (kind == CodeKind::kNone) return {};
  bool cut = content.size() > limits.max_input;
  if (cut) content = content.substr(0, limits.max_input);
  Driver d(limits);
  const char* root = kind == CodeKind::kPhp ? "php" : kind == CodeKind::kJs ? "js" : "html";
  // A PHP file with no open tag that is PHP statements all the same: a payload kept for an
  // eval or an include from an eval, or a dropped file whose tag was lost. It does not run
  // where it is, but what it would do is read as code.
  bool bare = kind == CodeKind::kPhp && BarePhpPayload(content);
  d.Run({root, {}, content, kind, bare, false, 0});
  NormalizedCode out = d.Take();
  if (cut) out.truncated = true;
  return out;
}

bool PhpTagHoldsCode(std::string_view d) {
  for (size_t p = d.find("<?"); p != std::string_view::npos; p = d.find("<?", p + 2)) {
    size_t body;
    if (p + 2 < d.size() && d[p + 2] == '=')
      body = p + 3;
    else if (p + 5 <= d.size() && Lower(d.substr(p + 2, 3)) == "php")
      body = p + 5;
    else
      continue;
    // The statement after the tag: up to "?>" or 400 bytes, and it must be text.
    std::string_view seg = d.substr(body, 400);
    size_t close = seg.find("?>");
    if (close != std::string_view::npos) seg = seg.substr(0, close);
    if (seg.size() < 4 || !IsPrintableText(seg)) continue;
    size_t bad = 0;
    for (unsigned char c : seg)
      if (c >= 0x80) ++bad;
    if (bad * 10 > seg.size()) continue;
    if (HasPhpStatement(seg)) return true;
    LexResult lr = LexPhp(seg, true, LexLimits());
    const std::vector<Token>& t = lr.tokens;
    if (d[p + 2] == '=' && !t.empty() &&
        (t[0].type == Tok::kVar || (t[0].type == Tok::kString && t[0].quote == '`')))
      return true;
  }
  return false;
}

}  // namespace tq::webroot
