// File-wide facts of one PHP layer that the behaviour pass (behaviour.cc) looks up by name,
// and web ransomware, which is judged on the whole layer at once.
#include "webroot/php_facts.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace tq::webroot::php {

FileFacts CollectFileFacts(const std::vector<Token>& t, const PhpTaint& taint) {
  FileFacts f;
  // Variables holding new ReflectionFunction('<execution sink>').
  std::map<std::string, std::string>& reflected_sinks = f.reflected_sinks;
  for (size_t i = 0; i + 6 < t.size(); ++i)
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kWord &&
        Lower(t[i + 2].text) == "new" && Lower(t[i + 3].text) == "reflectionfunction" &&
        IsOp(t[i + 4], "(") && t[i + 5].type == Tok::kString && IsOp(t[i + 6], ")") &&
        (In(Lower(t[i + 5].text), kShellSinks) ||
         In(Lower(t[i + 5].text), {"assert", "create_function"})))
      reflected_sinks[t[i].text] = Lower(t[i + 5].text);
  // The file's own functions: parameter names in order, and which parameters the body calls
  // (as $p(...) or as the callback of call_user_func*/array_map).
  std::map<std::string, OwnFunction>& own = f.own;
  // Nested definitions would make the body scans quadratic: the scans share one budget.
  size_t budget = 1u << 20;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (!(t[i].type == Tok::kWord && Lower(t[i].text) == "function" &&
          t[i + 1].type == Tok::kWord && IsOp(t[i + 2], "(")))
      continue;
    OwnFunction fn;
    size_t close = taint.Close(i + 2);
    for (size_t a = i + 3; a < close && fn.params.size() < 16; ++a)
      if (t[a].type == Tok::kVar && (IsOp(t[a - 1], "(") || IsOp(t[a - 1], ",")))
        fn.params.push_back(t[a].text);
    if (close + 1 >= t.size() || !IsOp(t[close + 1], "{")) continue;
    size_t end = std::min(taint.Close(close + 1), close + 4096);
    for (size_t a = close + 2; a + 2 < end && budget > 0; ++a, --budget)
      for (size_t p = 0; p < fn.params.size(); ++p) {
        bool direct = t[a].type == Tok::kVar && t[a].text == fn.params[p] && IsOp(t[a + 1], "(");
        bool callback = t[a].type == Tok::kWord &&
                        In(Lower(t[a].text), {"call_user_func", "call_user_func_array", "array_map",
                                              "array_filter", "array_walk"}) &&
                        IsOp(t[a + 1], "(") && t[a + 2].type == Tok::kVar &&
                        t[a + 2].text == fn.params[p];
        if (direct || callback) fn.called.insert(p);
      }
    own[Lower(t[i + 1].text)] = std::move(fn);
  }
  // $x = exif_read_data('a.jpg'): metadata of an image, where backdoors hide a pattern with
  // /e or code (the image looks clean to every scanner of PHP files).
  std::set<std::string>& image_metadata = f.image_metadata;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    size_t v = i + 2;
    while (v < t.size() && IsOp(t[v], "@")) ++v;
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && v + 1 < t.size() &&
        t[v].type == Tok::kWord && In(Lower(t[v].text), {"exif_read_data", "iptcparse"}) &&
        IsOp(t[v + 1], "("))
      image_metadata.insert(t[i].text);
  }
  // $c = $a($code): values returned by a function called through a variable name.
  std::set<std::string>& variable_call_results = f.variable_call_results;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    size_t v = i + 2;
    while (v < t.size() && IsOp(t[v], "@")) ++v;
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && v + 1 < t.size() &&
        t[v].type == Tok::kVar && t[v].text != "$this" && IsOp(t[v + 1], "("))
      variable_call_results.insert(t[i].text);
  }
  return f;
}

void AnalyzeRansomware(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out) {
  // Web ransomware: $d = file_get_contents($f); $e = ...encrypt($d...); file_put_contents($f,
  // $e): a file overwritten with an encrypted copy of itself; high when the code also walks
  // directories (every file of the site, not one settings file).
  bool encrypts_in_place = false, walks = false;
  {
    std::map<std::string, std::string> read_from;  // $data -> $path it was read from
    std::map<std::string, std::string> encrypted;  // $enc -> $path of the data it encrypts
    auto encrypts = [&](size_t a, size_t b, std::string& path) {
      bool cipher = false;
      for (size_t k = a; k < b; ++k) {
        if (t[k].type == Tok::kWord &&
            In(Lower(t[k].text), {"openssl_encrypt", "mcrypt_encrypt", "sodium_crypto_secretbox",
                                  "sodium_crypto_aead_xchacha20poly1305_ietf_encrypt"}))
          cipher = true;
        if (t[k].type == Tok::kVar && read_from.count(t[k].text)) path = read_from[t[k].text];
        if (t[k].type == Tok::kVar && encrypted.count(t[k].text)) {
          path = encrypted[t[k].text];
          return true;
        }
      }
      return cipher && !path.empty();
    };
    for (size_t i = 0; i + 4 < t.size(); ++i) {
      if (t[i].type == Tok::kWord && In(Lower(t[i].text), {"scandir", "opendir", "glob"}) &&
          IsOp(t[i + 1], "("))
        walks = true;
      if (t[i].type == Tok::kWord && Lower(t[i].text) == "recursivedirectoryiterator") walks = true;
      if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=")) {
        size_t end = taint.ExprEnd(i + 2, true);
        if (t[i + 2].type == Tok::kWord && Lower(t[i + 2].text) == "file_get_contents" &&
            IsOp(t[i + 3], "(") && t[i + 4].type == Tok::kVar)
          read_from[t[i].text] = t[i + 4].text;
        std::string path;
        if (encrypts(i + 2, end, path)) encrypted[t[i].text] = path;
      }
      if (t[i].type == Tok::kWord && Lower(t[i].text) == "file_put_contents" &&
          IsOp(t[i + 1], "(") && t[i + 2].type == Tok::kVar && IsOp(t[i + 3], ",")) {
        std::string path;
        if (encrypts(i + 4, taint.Close(i + 1), path) && path == t[i + 2].text)
          encrypts_in_place = true;
      }
    }
  }
  if (encrypts_in_place)
    AddTrait(out, "php.encrypts_files_in_place", "ransom", walks ? 3 : 2,
             walks ? "walks the site's directories and overwrites files with encrypted copies "
                     "(web ransomware)"
                   : "overwrites a file with an encrypted copy of itself",
             layer);
}

void AnalyzeNonAlphanumeric(const std::vector<Token>& t, const std::string& layer,
                            std::vector<CodeTrait>& out) {
  auto underscores = [](const std::string& v) {
    return v.size() >= 3 && v[0] == '$' && v.find_first_not_of('_', 1) == std::string::npos;
  };
  std::set<std::string> names, others;
  bool called = false, byte_ops = false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].type == Tok::kVar) {
      (underscores(t[i].text) ? names : others).insert(t[i].text);
      if (underscores(t[i].text) && i + 1 < t.size() && IsOp(t[i + 1], "(")) called = true;
    }
    // ~ on a string or a variable, or ^ between strings: bytes turned into letters.
    if (t[i].type == Tok::kOp && (t[i].text == "~" || t[i].text == "^") && i + 1 < t.size()) {
      size_t n = i + 1;
      while (n < t.size() && IsOp(t[n], "(")) ++n;
      if (n < t.size() && (t[n].type == Tok::kString || t[n].type == Tok::kVar)) byte_ops = true;
    }
  }
  // Names made only of bytes above ASCII (what PHP encoders such as PHPJiaMi emit): weak, it
  // counts only beside a trait of another family (a computed eval, say).
  std::set<std::string_view> high_names;
  for (const Token& k : t) {
    if (k.type != Tok::kVar && k.type != Tok::kWord) continue;
    std::string_view n = k.text;
    if (!n.empty() && n[0] == '$') n.remove_prefix(1);
    if (n.size() >= 2 && std::all_of(n.begin(), n.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
      high_names.insert(n);
  }
  if (high_names.size() >= 4) {
    AddTrait(out, "obfuscation.high_byte_names", "obfuscation", 2,
             std::to_string(high_names.size()) +
                 " names made only of non-ASCII bytes (the output of a PHP encoder)",
             layer);
    for (CodeTrait& ct : out)
      if (ct.id == "obfuscation.high_byte_names") ct.alone = false;
  }
  if (called && byte_ops && names.size() >= 3 && names.size() >= others.size())
    AddTrait(out, "obfuscation.non_alphanumeric_call", "exec", 3,
             "calls a function whose name is built from bytes in variables named only by "
             "underscores (non-alphanumeric obfuscation)",
             layer);
}

void AnalyzeEmbeddedExecutable(const std::vector<Token>& t, const std::string& layer,
                               std::vector<CodeTrait>& out) {
  constexpr size_t kMinBytes = 2048;  // a header alone is not a program
  for (const Token& k : t) {
    if (k.type != Tok::kString || k.text.size() < kMinBytes) continue;
    std::string_view v = k.text;
    if (v.starts_with("0x") || v.starts_with("0X")) v.remove_prefix(2);
    std::string head = Lower(v.substr(0, 8));
    bool hex = head.starts_with("4d5a") || head == "7f454c46";
    bool b64 = v.starts_with("TVq") || v.starts_with("f0VMR");
    if (!hex && !b64) continue;
    size_t good = 0;
    for (unsigned char c : v.substr(0, 4096))
      good += hex ? std::isxdigit(c) != 0 : (std::isalnum(c) || c == '+' || c == '/' || c == '=');
    if (good < std::min<size_t>(v.size(), 4096)) continue;
    AddTrait(out, "php.embedded_executable", "upload", 3,
             std::string("carries a ") +
                 (head.starts_with("4d5a") || v.starts_with("TVq") ? "Windows" : "Linux") +
                 " executable in a " + (hex ? "hex" : "base64") +
                 " literal (a database UDF library or a tool it drops)",
             layer);
    return;
  }
}

void AnalyzeCardMailer(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out) {
  // Variables assigned (= or .=) from an expression naming a card field or such a variable;
  // two rounds so that $body .= $line; $line = $data['cc_number'] resolves in either order.
  std::set<std::string> carries;
  auto holds_card = [&](size_t a, size_t b) {
    for (size_t k = a; k < b && k < t.size(); ++k)
      if (((t[k].type == Tok::kString || t[k].type == Tok::kWord) && t[k].text.size() < 200 &&
           CardSecretName(t[k].text)) ||
          (t[k].type == Tok::kVar && carries.count(t[k].text)))
        return true;
    return false;
  };
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i + 2 < t.size(); ++i)
      if (t[i].type == Tok::kVar && (IsOp(t[i + 1], "=") || IsOp(t[i + 1], ".=")) &&
          !carries.count(t[i].text) && holds_card(i + 2, taint.ExprEnd(i + 2, true)))
        carries.insert(t[i].text);
  for (size_t i = 0; i + 2 < t.size(); ++i)
    if (t[i].type == Tok::kWord && Lower(t[i].text) == "mail" && IsOp(t[i + 1], "(") &&
        (i == 0 || !(IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::"))) &&
        holds_card(i + 2, taint.Close(i + 1))) {
      AddTrait(out, "php.card_data_mailer", "exfil", 3,
               "mails payment card data (a payment model patched to copy each card)", layer);
      return;
    }
}

}  // namespace tq::webroot::php
