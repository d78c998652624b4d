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

void AnalyzeLayerAsAWhole(const std::vector<Token>& t, const PhpTaint& taint,
                          const std::string& layer, std::vector<CodeTrait>& out) {
  for (LayerAnalysis analyze :
       {AnalyzeRansomware, AnalyzeNonAlphanumeric, AnalyzeEmbeddedExecutable, AnalyzeCardMailer,
        AnalyzeForcedLogin, AnalyzeStoreAccountAndDataTheft, AnalyzeHiddenAccount,
        AnalyzeFormGrabber, AnalyzeConcealedRequestInput, AnalyzeConfigDisclosure,
        AnalyzeCredentialDump, AnalyzeReverseIpLookup, AnalyzeFixedPasswordGate,
        AnalyzeServerSurvey, AnalyzeCompletedSinkName, AnalyzeDatabaseDump, AnalyzeObjectSinks,
        AnalyzeVisitorCloak, AnalyzeSandboxEscapes})
    analyze(t, taint, layer, out);
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

void AnalyzeNonAlphanumeric(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
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

void AnalyzeEmbeddedExecutable(const std::vector<Token>& t, const PhpTaint&,
                               const std::string& layer, std::vector<CodeTrait>& out) {
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

namespace {
bool DisguisedPath(std::string_view path);
// Tokens [a, b) naming a card number or security code, or a variable holding one (`carries`).
bool HoldsCard(const std::vector<Token>& t, const std::set<std::string>& carries, size_t a,
               size_t b) {
  for (size_t k = a; k < b && k < t.size(); ++k)
    if (((t[k].type == Tok::kString || t[k].type == Tok::kWord) && t[k].text.size() < 200 &&
         CardSecretName(t[k].text)) ||
        (t[k].type == Tok::kVar && carries.count(t[k].text)))
      return true;
  return false;
}
bool EndsWith(std::string_view l, std::initializer_list<std::string_view> exts) {
  for (std::string_view e : exts)
    if (l.size() > e.size() && l.substr(l.size() - e.size()) == e) return true;
  return false;
}
}  // namespace

bool MailFunction(std::string_view w) { return In(w, {"mail", "wp_mail", "mb_send_mail"}); }

bool ChatBotHost(std::string_view host) {
  return host == "api.telegram.org" || host == "discord.com" || host == "discordapp.com" ||
         host == "hooks.slack.com";
}

void AnalyzeCardMailer(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out) {
  // Variables assigned (= or .=) from an expression naming a card field or such a variable;
  // two rounds so that $body .= $line; $line = $data['cc_number'] resolves in either order.
  std::set<std::string> carries;
  auto holds_card = [&](size_t a, size_t b) { return HoldsCard(t, carries, a, b); };
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i + 2 < t.size(); ++i)
      if (t[i].type == Tok::kVar && (IsOp(t[i + 1], "=") || IsOp(t[i + 1], ".=")) &&
          !carries.count(t[i].text) && holds_card(i + 2, taint.ExprEnd(i + 2, true)))
        carries.insert(t[i].text);
  for (size_t i = 0; i + 2 < t.size(); ++i)
    if (t[i].type == Tok::kWord && MailFunction(Lower(t[i].text)) && IsOp(t[i + 1], "(") &&
        (i == 0 || !(IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::"))) &&
        holds_card(i + 2, taint.Close(i + 1))) {
      AddTrait(out, "php.card_data_mailer", "exfil", 3,
               "mails payment card data (a payment model patched to copy each card)", layer);
      return;
    }
  AnalyzeCardSender(t, taint, carries, layer, out);
  // Card numbers written to a file: no payment code keeps them in files (the card standard
  // forbids it); a file named as an image or a hidden file is where skimmers stash them.
  std::set<std::string> disguised_handles;  // $f = fopen('.../cache/a1.jpg', 'a')
  for (size_t i = 0; i + 3 < t.size(); ++i)
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kWord &&
        Lower(t[i + 2].text) == "fopen" && IsOp(t[i + 3], "("))
      for (size_t k = i + 4, end = taint.ExprEnd(i + 4, true); k < end && k < t.size(); ++k)
        if (t[k].type == Tok::kString && DisguisedPath(t[k].text))
          disguised_handles.insert(t[i].text);
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type != Tok::kWord || !IsOp(t[i + 1], "(") ||
        !In(Lower(t[i].text), {"fwrite", "fputs", "file_put_contents", "error_log"}))
      continue;
    size_t first_end = taint.ExprEnd(i + 2, true), close = taint.Close(i + 1);
    size_t data = first_end + 1, data_end = taint.ExprEnd(data, true);
    if (Lower(t[i].text) == "error_log") data = i + 2, data_end = first_end;
    if (!holds_card(data, data_end)) continue;
    bool disguised = t[i + 2].type == Tok::kVar && disguised_handles.count(t[i + 2].text);
    for (size_t k = i + 2; k < close && k < t.size(); ++k)
      if (t[k].type == Tok::kString && DisguisedPath(t[k].text)) disguised = true;
    AddTrait(out, "php.card_data_to_file", "exfil", disguised ? 3 : 2,
             disguised ? "writes payment card data into a file named as an image or hidden file"
                       : "writes payment card data to a file",
             layer);
    return;
  }
}

namespace {

bool EncodingCall(std::string_view w) {
  return In(w, {"base64_encode", "serialize", "openssl_encrypt", "bin2hex", "str_rot13",
                "gzdeflate", "gzcompress", "strrev", "mcrypt_encrypt"});
}

// "https://Host.example:8443/x?y" -> "host.example"; "" when not an http(s) URL.
std::string UrlHost(std::string_view url) {
  std::string l = Lower(url.substr(0, 300));
  size_t at = l.rfind("https://", 0) == 0 ? 8 : l.rfind("http://", 0) == 0 ? 7 : 0;
  if (at == 0) return "";
  size_t end = l.find_first_of(":/?#", at);
  return l.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// A stash for stolen data dressed as something else: an image or media file, or a dot-file.
bool DisguisedPath(std::string_view path) {
  std::string l = Lower(path.substr(0, 400));
  size_t slash = l.rfind('/');
  std::string_view name = std::string_view(l).substr(slash == std::string::npos ? 0 : slash + 1);
  if (name.size() > 1 && name[0] == '.' && name != ".." && name.find('.', 1) == std::string::npos)
    return true;
  return ImageNamedPath(l) || EndsWith(l, {".svg", ".css"});
}

bool StaticPath(std::string_view url) {
  std::string l = Lower(url.substr(0, 300));
  l = l.substr(0, l.find_first_of("?#"));
  return ImageNamedPath(l) || EndsWith(l, {".css", ".js", ".svg"});
}

}  // namespace

void AnalyzeCardSender(const std::vector<Token>& t, const PhpTaint& taint,
                       const std::set<std::string>& carries, const std::string& layer,
                       std::vector<CodeTrait>& out) {
  auto holds_card = [&](size_t a, size_t b) { return HoldsCard(t, carries, a, b); };
  auto encodes = [&](size_t a, size_t b) {
    for (size_t k = a; k + 1 < b && k + 1 < t.size(); ++k)
      if (t[k].type == Tok::kWord && IsOp(t[k + 1], "(") && EncodingCall(Lower(t[k].text)))
        return true;
    return false;
  };
  // Card values encoded on the way ($line = base64_encode($cc . '|' . $cvv)).
  bool encoded = false;
  // Variables holding a URL literal ($u = 'https://...'), with whether a decoder made it.
  std::map<std::string, const Token*> url_vars;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type != Tok::kVar || !(IsOp(t[i + 1], "=") || IsOp(t[i + 1], ".="))) continue;
    size_t end = taint.ExprEnd(i + 2, true);
    if (carries.count(t[i].text) && encodes(i + 2, end)) encoded = true;
    for (size_t k = i + 2; k < end && k < t.size(); ++k)
      if (t[k].type == Tok::kString && !UrlHost(t[k].text).empty()) url_vars[t[i].text] = &t[k];
  }
  // Outbound requests carrying card data: the destination hosts named in the code.
  bool sends_card = false, sends_request = false;
  std::map<std::string, bool> hosts;  // host -> hidden (decoded, or an image/static path)
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type != Tok::kWord || !IsOp(t[i + 1], "(")) continue;
    std::string w = Lower(t[i].text);
    if (!In(w, {"curl_init", "curl_setopt", "curl_setopt_array", "file_get_contents", "fopen",
                "fsockopen", "get_headers", "wp_remote_post", "wp_remote_get", "wp_remote_request",
                "wp_safe_remote_post", "stream_socket_client"}))
      continue;
    size_t close = taint.Close(i + 1);
    if (holds_card(i + 2, close)) {
      sends_card = true;
      if (encodes(i + 2, close)) encoded = true;
    }
    if (taint.RangeTainted(i + 2, close)) sends_request = true;
    for (size_t k = i + 2; k < close && k < t.size(); ++k) {
      const Token* url = t[k].type == Tok::kString ? &t[k]
                         : t[k].type == Tok::kVar && url_vars.count(t[k].text)
                             ? url_vars.at(t[k].text)
                             : nullptr;
      if (!url) continue;
      std::string host = UrlHost(url->text);
      if (host.empty()) continue;
      hosts[host] =
          hosts[host] || !url->decoded_by.empty() || StaticPath(url->text) || ChatBotHost(host);
    }
  }
  // What a visitor typed (a login, a checkout form) relayed to a chat bot: the channel
  // phishing pages and skimmers report to.
  if (sends_request && !sends_card)
    for (const auto& [host, hidden] : hosts)
      if (ChatBotHost(host)) {
        AddTrait(out, "php.request_to_chat_bot", "exfil", 3,
                 "relays request input to a chat bot (" + host + ")", layer);
        out.back().target_host = host;
        return;
      }
  if (!sends_card) return;
  // A payment module posts the card to its gateway (findings.cc drops payment providers'
  // hosts); to an unknown host it is medium, and high where the data or the destination is
  // hidden: card values base64'd or serialised, a decoded URL, a ".gif" that takes card data.
  for (const auto& [host, hidden] : hosts) {
    bool high = hidden || encoded;
    AddTrait(out, "php.card_data_sender", "exfil", high ? 3 : 2,
             "sends payment card data to " + host +
                 (high ? " (hidden: encoded card values or a disguised destination)" : ""),
             layer);
    out.back().target_host = host;
  }
}

void AnalyzeForcedLogin(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out) {
  bool request = false, checked = false;
  std::string login;
  // $u = get_user_by('login', 'admin'): a fixed account.
  std::set<std::string> fixed_users;
  for (size_t i = 0; i + 5 < t.size(); ++i)
    if (t[i].type == Tok::kVar && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kWord &&
        Lower(t[i + 2].text) == "get_user_by" && IsOp(t[i + 3], "(") &&
        t[i + 4].type == Tok::kString && IsOp(t[i + 5], ",") && i + 7 < t.size() &&
        (t[i + 6].type == Tok::kString || t[i + 6].type == Tok::kNumber) && IsOp(t[i + 7], ")"))
      fixed_users.insert(t[i].text);
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (!request) request = taint.IsSource(i);
    if (t[i].type != Tok::kWord || !IsOp(t[i + 1], "(")) continue;
    std::string w = Lower(t[i].text);
    if (In(w, {"current_user_can", "user_can", "wp_verify_nonce", "check_admin_referer",
               "check_ajax_referer", "wp_check_password", "wp_authenticate", "wp_signon",
               "password_verify", "is_super_admin"}))
      checked = true;
    if (!In(w, {"wp_set_auth_cookie", "wp_set_current_user"}) || !login.empty()) continue;
    // The account: a number (1, the first administrator), or a fixed user's ID.
    const Token& a = t[i + 2];
    // (0 is nobody: wp_set_current_user(0) logs the visitor out.)
    bool fixed = a.type == Tok::kNumber && a.text.find_first_not_of("0") != std::string::npos &&
                 (IsOp(t[i + 3], ")") || IsOp(t[i + 3], ","));
    if (a.type == Tok::kVar && fixed_users.count(a.text) && IsOp(t[i + 3], "->")) fixed = true;
    if (fixed) login = w;
  }
  if (!login.empty() && request && !checked)
    AddTrait(out, "php.forced_login", "backdoor", 3,
             "logs the visitor in as a fixed account (" + login +
                 ") on a request, with no password, capability or nonce check",
             layer);
}

void AnalyzeStoreAccountAndDataTheft(const std::vector<Token>& t, const PhpTaint&,
                                     const std::string& layer, std::vector<CodeTrait>& out) {
  bool admin_model = false, role = false, fixed_password = false;
  bool bootstrap = false, payment_select = false, output = false, sql_admin = false;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    const Token& k = t[i];
    if (k.type == Tok::kString) {
      std::string l = Lower(std::string_view(k.text).substr(0, 4096));
      // Mage::getModel('admin/user'), Magento\User\Model\User(Factory)
      if (l == "admin/user" || l.find("magento\\user\\model\\user") != std::string::npos)
        admin_model = true;
      // 'password' => 'literal'
      if (In(l, {"password", "new_password", "user_pass", "passwd"}) && IsOp(t[i + 1], "=>") &&
          t[i + 2].type == Tok::kString && t[i + 2].text.size() >= 4)
        fixed_password = true;
      if (l.find("app/bootstrap.php") != std::string::npos ||
          l.find("app/mage.php") != std::string::npos || l.find("wp-load.php") != std::string::npos)
        bootstrap = true;
      // INSERT INTO admin_user / authorization_role, or WordPress capabilities written as
      // administrator: an account made behind the application's back.
      // (The table named right after INSERT INTO, with a prefix or quotes around it, and
      // literal VALUES: the row itself.)
      size_t ins = l.find("insert into");
      std::string into;
      if (ins != std::string::npos)
        for (size_t k = ins + 11; k < l.size() && into.size() < 80; ++k) {
          char c = l[k];
          if (c == ' ' && into.empty()) continue;
          if (c == ' ' || c == '(' || c == '\n') break;
          if (c != '`' && c != '"') into += c;
        }
      auto table = [&](std::string_view name) {
        return into.size() >= name.size() &&
               into.compare(into.size() - name.size(), name.size(), name) == 0;
      };
      bool insert = ins != std::string::npos && l.find("values", ins) != std::string::npos;
      if ((insert && (table("admin_user") || table("authorization_role"))) ||
          (insert && table("usermeta") && l.find("administrator") != std::string::npos) ||
          (l.find("update") != std::string::npos && l.find("admin_user") != std::string::npos &&
           l.find("password") != std::string::npos))
        sql_admin = true;
      if (l.find("select") != std::string::npos && l.find("from") != std::string::npos)
        for (std::string_view table : {"quote_payment", "order_payment", "sales_flat_quote_payment",
                                       "sales_flat_order_payment", "payment_tokens", "admin_user"})
          if (l.find(table) != std::string::npos) payment_select = true;
    }
    if (k.type == Tok::kWord) {
      std::string w = Lower(k.text);
      if (w.find("userfactory") != std::string::npos) admin_model = true;
      if (IsOp(t[i + 1], "(") && In(w, {"setroleids", "setroleid", "assignrole"})) role = true;
      // ->setPassword('literal')
      if (IsOp(t[i + 1], "(") && In(w, {"setpassword", "setnewpassword"}) &&
          t[i + 2].type == Tok::kString && t[i + 2].text.size() >= 4)
        fixed_password = true;
      if (In(w, {"echo", "print", "print_r", "var_dump", "json_encode", "file_put_contents",
                 "fwrite", "mail", "curl_exec"}))
        output = true;
    }
  }
  // The store's own code creates administrators from what a person typed (the setup wizard,
  // the admin form, a console command's prompt); one whose password is in the code is a way
  // back in for whoever wrote it.
  if (admin_model && role && fixed_password)
    AddTrait(out, "php.fixed_admin_account", "backdoor", 3,
             "creates a store administrator with a password written in the code", layer);
  if (sql_admin)
    AddTrait(out, "php.sql_admin_account", "backdoor", 3,
             "creates a store administrator (or sets one's password) with raw SQL", layer);
  // A page that loads the store and reads its payment or admin tables out: a data thief.
  if (bootstrap && payment_select && output)
    AddTrait(out, "php.store_data_dump", "exfil", 3,
             "loads the store and reads its payment or administrator tables out", layer);
}

void AnalyzeHiddenAccount(const std::vector<Token>& t, const PhpTaint&, const std::string& layer,
                          std::vector<CodeTrait>& out) {
  bool user_query_hook = false, excludes_login = false;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type == Tok::kWord && In(Lower(t[i].text), {"add_action", "add_filter"}) &&
        IsOp(t[i + 1], "(") && t[i + 2].type == Tok::kString &&
        In(t[i + 2].text, {"pre_user_query", "pre_get_users"}))
      user_query_hook = true;
    if (t[i].type != Tok::kString) continue;
    std::string l = Lower(std::string_view(t[i].text).substr(0, 1000));
    size_t at = l.find("user_login");
    if (at != std::string::npos &&
        (l.find("!=", at) != std::string::npos || l.find("<>", at) != std::string::npos ||
         l.find("not in", at) != std::string::npos || l.find("not like", at) != std::string::npos))
      excludes_login = true;
  }
  if (user_query_hook && excludes_login)
    AddTrait(out, "php.hidden_account", "backdoor", 3,
             "hides an account from the site's user list (pre_user_query leaves a login out)",
             layer);
}

void AnalyzeFormGrabber(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out) {
  // $_POST as a whole (not one field of it), and variables holding it.
  std::set<std::string> holders;
  auto whole_form = [&](size_t a, size_t b) {
    for (size_t k = a; k < b && k < t.size(); ++k) {
      if (t[k].type != Tok::kVar) continue;
      if (In(t[k].text, {"$_POST", "$_REQUEST", "$HTTP_POST_VARS"}) &&
          !(k + 1 < t.size() && IsOp(t[k + 1], "[")))
        return true;
      if (holders.count(t[k].text)) return true;
    }
    return false;
  };
  for (size_t i = 0; i + 2 < t.size(); ++i)
    if (t[i].type == Tok::kVar && (IsOp(t[i + 1], "=") || IsOp(t[i + 1], ".=")) &&
        whole_form(i + 2, taint.ExprEnd(i + 2, true)))
      holders.insert(t[i].text);
  // The page acts only on the checkout (its URL tested for it).
  bool url_tested = false, checkout_named = false;
  for (size_t i = 0; i < t.size(); ++i) {
    std::string l = Lower(std::string_view(t[i].text).substr(0, 200));
    if (t[i].type == Tok::kString &&
        (l.find("checkout") != std::string::npos || l.find("onestep") != std::string::npos))
      checkout_named = true;
    if ((t[i].type == Tok::kString && In(t[i].text, {"REQUEST_URI", "PHP_SELF", "SCRIPT_NAME"})) ||
        (t[i].type == Tok::kWord && In(l, {"getrequesturi", "getpathinfo", "getrequeststring"})))
      url_tested = true;
  }
  bool checkout_gate = url_tested && checkout_named;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i].type != Tok::kWord || !IsOp(t[i + 1], "(") ||
        (i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::"))))
      continue;
    std::string w = Lower(t[i].text);
    bool file = In(w, {"fwrite", "fputs", "file_put_contents"});
    bool sent = MailFunction(w) || In(w, {"curl_setopt", "file_get_contents", "wp_remote_post"});
    if (!file && !sent) continue;
    size_t close = taint.Close(i + 1), first_end = taint.ExprEnd(i + 2, true);
    if (!whole_form(file ? first_end : i + 2, close)) continue;
    bool disguised = false;
    for (size_t k = i + 2; k < close && k < t.size(); ++k)
      if (t[k].type == Tok::kString && DisguisedPath(t[k].text)) disguised = true;
    bool high = checkout_gate || (file && disguised);
    // (Without either, it is how a developer's debug log looks too: weak, no second vote.)
    AddTrait(out, "php.form_grabber", "exfil", high ? 3 : 1,
             std::string(file ? "writes every posted form field to a file"
                              : "sends every posted form field away") +
                 (checkout_gate ? ", on checkout pages only (a server-side form grabber)"
                  : high        ? ", into a file named as an image or hidden file"
                                : ""),
             layer);
    return;
  }
}

}  // namespace tq::webroot::php
