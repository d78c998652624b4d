// Behaviour analysis of JavaScript layers and HTML markup: card or checkout fields read and
// sent to a host written in the code, code decoded and run, script elements loading a URL
// hidden in encoded code, and <script src> on other hosts.
#include <algorithm>
#include <cctype>
#include <set>

#include "core/text.h"
#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

bool In(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

}  // namespace

std::string ScriptHost(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://", "wss://", "ws://", "//"})
    if (url.size() > scheme.size() && Lower(url.substr(0, scheme.size())) == scheme) {
      url.remove_prefix(scheme.size());
      size_t end = url.find_first_of("/:?#\"' >\\");
      std::string host = Lower(url.substr(0, std::min<size_t>(end, 253)));
      size_t at = host.rfind('@');  // user:pass@host
      return at == std::string::npos ? host : host.substr(at + 1);
    }
  return "";
}

// `host` is `domain` or one of its subdomains.
bool HostWithin(std::string_view host, std::string_view domain) {
  if (domain.rfind("www.", 0) == 0) domain.remove_prefix(4);
  return host == domain ||
         (host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
          host[host.size() - domain.size() - 1] == '.');
}

// Public script CDNs, payment and analytics providers that stores load from (or, for payment
// gateways, post card forms to); a script from one of them is never "a host nobody else uses".
// Matched as the domain or a subdomain, so look-alikes (google-analytics.com.example.top) are not
// covered.
bool WellKnownScriptHost(std::string_view host) {
  for (std::string_view d :
       {"googleapis.com", "gstatic.com", "google.com", "googletagmanager.com",
        "google-analytics.com", "googleadservices.com", "doubleclick.net", "recaptcha.net",
        "cloudflare.com", "jsdelivr.net", "unpkg.com", "jquery.com", "bootstrapcdn.com",
        "facebook.net", "facebook.com", "twitter.com", "paypal.com", "paypalobjects.com",
        "stripe.com", "authorize.net", "cybersource.com", "worldpay.com", "opayo.co.uk",
        "sagepay.com", "squareup.com", "mollie.com", "braintreegateway.com", "adyen.com",
        "klarna.com", "klarnacdn.net", "amazon.com", "payments-amazon.com", "braintree-api.com",
        "mastercard.com", "visa.com", "americanexpress.com", "cash.app", "wp.com", "wordpress.org",
        "gravatar.com", "youtube.com", "vimeo.com", "hotjar.com", "microsoft.com", "bing.com",
        "adobe.com", "magento.com", "typekit.net", "fontawesome.com",
        // Namespaces and vocabularies, never a destination.
        "w3.org", "schema.org",
        // Error and performance monitors (they wrap XHR and fetch).
        "sentry.io", "nr-data.net", "newrelic.com", "datadoghq.com", "bugsnag.com", "rollbar.com"})
    if (HostWithin(host, d)) return true;
  return false;
}

namespace {

// A URL's host that names a machine on the Internet: a dot, not localhost, not a fragment
// ("https://cdn-" + region) that code completes at run time.
bool RealHost(std::string_view host) {
  host = host.substr(0, host.find(':'));
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  return host.find('.') != std::string_view::npos && host.back() != '.' && host.back() != '-' &&
         host.front() != '.' && host.front() != '-' && host.rfind("127.", 0) != 0;
}

}  // namespace

bool ImageNamedPath(std::string_view path) {
  std::string l = Lower(path.substr(0, 400));
  l = l.substr(0, l.find_first_of("?#"));
  for (std::string_view e :
       {".gif", ".png", ".jpg", ".jpeg", ".ico", ".bmp", ".webp", ".woff", ".woff2", ".ttf"})
    if (l.size() > e.size() && l.compare(l.size() - e.size(), e.size(), e) == 0) return true;
  return false;
}

bool LayerDecoded(std::string_view layer) {
  // (hex2bin, not the "hex?" guess at hex literals: constant tables of crypto code decode so.)
  for (std::string_view d : {"base64", "inflate", "gz", "rot13", "strrev", "hex2bin", "urldecode",
                             "xor", "pack", "zlib", "uudecode", "atob", "charcode", "unescape"})
    if (layer.find(d) != std::string_view::npos) return true;
  return false;
}

// A host dressed as a provider stores load scripts from (google-analytics.com.example.top,
// googletagmanager-cdn.top, cdn-jquery.example) without being one: how skimmer loaders and
// drop hosts hide among a page's real tags.
std::string LookalikeOf(std::string_view host) {
  if (!RealHost(host) || WellKnownScriptHost(host)) return "";
  for (std::string_view brand :
       {"google-analytics", "googleanalytics", "googletagmanager", "googleapis", "gstatic",
        "jquery", "jsdelivr", "cloudflare", "bootstrapcdn", "fontawesome", "facebook", "hotjar",
        "braintree", "stripe", "paypal", "authorize", "magento"})
    if (host.find(brand) != std::string_view::npos) return std::string(brand);
  return "";
}

namespace {

// The name a call at `open` ('(') calls: f( / x.f( / x['f'](; empty when none.
std::string_view Callee(const std::vector<Token>& t, size_t open) {
  if (open >= 1 && t[open - 1].type == Tok::kWord) return t[open - 1].text;
  if (open >= 3 && IsOp(t[open - 1], "]") && t[open - 2].type == Tok::kString &&
      IsOp(t[open - 3], "["))
    return t[open - 2].text;
  return "";
}

// A string of 128 characters or more without a space or a tag that uses six or more of the
// rarer punctuation marks: a table of characters (a decoder's alphabet, a packed string table),
// not names.
bool CharacterTable(std::string_view s) {
  if (s.size() < 128 || s.find(' ') != std::string_view::npos) return false;
  // (A tag: `<` and letters ended by a space, `/` or `>`.)
  for (size_t at = s.find('<'); at != std::string_view::npos; at = s.find('<', at + 1)) {
    size_t e = at + 1;
    while (e < s.size() && std::isalpha(static_cast<unsigned char>(s[e]))) ++e;
    if (e > at + 1 && e < s.size() && (s[e] == ' ' || s[e] == '/' || s[e] == '>')) return false;
  }
  int rare = 0;
  for (char c : std::string_view("{}|^`~\\\"@#%&*!?$;[]"))
    rare += s.find(c) != std::string_view::npos;
  return rare >= 6;
}

// "/media/favicon.ico", "logo.png?v=2", "styles.css": a path or URL naming an image, font or
// stylesheet: files read as data, never run.
bool ImagePath(std::string_view l) {
  l = l.substr(0, l.find_first_of("?#"));
  return ImageNamedPath(l) || l.ends_with(".svg") || l.ends_with(".css");
}

// eval(...) or Function(...) in the statement from the call's '(' at `from` on (a promise
// chain), or,
// for an XHR (`block`), in the rest of the enclosing block (its onload handler).
bool RunsInReach(const std::vector<Token>& t, size_t from, bool block) {
  int depth = 0;
  for (size_t i = from; i < t.size() && i < from + 4096; ++i) {
    if (IsOp(t[i], "(") || IsOp(t[i], "{") || IsOp(t[i], "[")) ++depth;
    if (IsOp(t[i], ")") || IsOp(t[i], "}") || IsOp(t[i], "]")) --depth;
    // (A comma at the top joins two statements into one: an obfuscator writes `a(),b()`.)
    if (depth < 0 || (!block && depth == 0 && (IsOp(t[i], ";") || IsOp(t[i], ",")))) return false;
    if (t[i].type == Tok::kWord && (t[i].text == "eval" || t[i].text == "Function") &&
        i + 1 < t.size() && IsOp(t[i + 1], "("))
      return true;
  }
  return false;
}

// Names jQuery goes by: `$`, `jQuery`, and what a wrapper renames it to (an obfuscator renames
// every parameter): jQuery(function(X){..}), $(document).ready(function(X){..}),
// define(['jquery',..], function(X,..){..}), (function(X){..})(jQuery), var X = jQuery.
std::set<std::string> JQueryNames(const std::vector<Token>& t) {
  std::set<std::string> out = {"$", "jQuery"};
  auto word = [&](size_t i, std::string_view w) {
    return i < t.size() && t[i].type == Tok::kWord && (w.empty() || t[i].text == w);
  };
  auto fn_param = [&](size_t i) -> const std::string* {  // function ( X  at t[i]
    return word(i, "function") && i + 2 < t.size() && IsOp(t[i + 1], "(") && word(i + 2, "")
               ? &t[i + 2].text
               : nullptr;
  };
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    const bool jq = t[i].type == Tok::kWord && out.count(t[i].text);
    if (jq && IsOp(t[i + 1], "("))
      if (const std::string* x = fn_param(i + 2)) out.insert(*x);
    if (word(i, "ready") && IsOp(t[i + 1], "("))
      if (const std::string* x = fn_param(i + 2)) out.insert(*x);
    if ((word(i, "define") || word(i, "require")) && IsOp(t[i + 1], "(") && IsOp(t[i + 2], "[") &&
        t[i + 3].type == Tok::kString && t[i + 3].text == "jquery") {
      size_t j = i + 3;
      while (j < t.size() && j < i + 256 && !IsOp(t[j], "]")) ++j;
      if (j + 2 < t.size() && IsOp(t[j + 1], ","))
        if (const std::string* x = fn_param(j + 2)) out.insert(*x);
    }
    if ((word(i, "var") || word(i, "let") || word(i, "const") || IsOp(t[i], ",")) &&
        word(i + 1, "") && IsOp(t[i + 2], "=") && word(i + 3, "jQuery") &&
        (i + 4 >= t.size() || IsOp(t[i + 4], ";") || IsOp(t[i + 4], ",")))
      out.insert(t[i + 1].text);
    // (function(X){...})(jQuery) / (function(X){...}(jQuery)): X is the function's parameter.
    if (jq && t[i].text == "jQuery" && i >= 2 && IsOp(t[i - 1], "(") &&
        (IsOp(t[i - 2], "}") || IsOp(t[i - 2], ")")) && IsOp(t[i + 1], ")")) {
      size_t close = IsOp(t[i - 2], "}") ? i - 2 : i - 3;
      int depth = 0;
      size_t j = close + 1;
      while (j-- > 0 && close - j < (1u << 20)) {
        if (IsOp(t[j], "}")) ++depth;
        if (IsOp(t[j], "{") && --depth == 0) break;
      }
      if (j != static_cast<size_t>(-1) && j >= 4 && IsOp(t[j - 1], ")") && word(j - 2, "") &&
          IsOp(t[j - 3], "(") && word(j - 4, "function"))
        out.insert(t[j - 2].text);
    }
  }
  return out;
}

}  // namespace

void AnalyzeJs(const std::vector<Token>& t, const std::string& layer, bool decoded,
               std::vector<CodeTrait>& out) {
  bool card = false, checkout = false, grab = false, image = false, beacon = false, socket = false,
       xhr = false, fetch = false, encode = false, script_el = false, run = false,
       foreign_url = false, hidden_url = false, obf = decoded, action_rewrite = false,
       card_markup = false, inserts_markup = false, unknown_url = false, image_code = false,
       payment_form = false, hooks_requests = false, frame_el = false, base64_out = false,
       creates = false, src_set = false, text_set = false, element_url = false, rtc = false,
       frame_message = false, submit_hook = false;
  std::string element_how;            // how page data leaves through element_url (the first seen)
  std::string first_host;             // host of the first URL written in the code
  std::string lookalike;              // the provider a host in the code is dressed as
  std::set<std::string> hosts;        // distinct hosts named (the first 16)
  std::set<std::string> script_vars;  // names holding a created script element
  size_t hex_names = 0, concealed = 0;
  // Where card names and request channels appear: in plain code a skimmer reads the fields
  // and sends them within one function; a payment SDK names card fields in its form code and
  // makes requests in its transport, far apart.
  std::vector<size_t> card_at, channel_at, grab_at;
  const std::set<std::string> jquery = JQueryNames(t);
  // Escapes hide a host when the code escapes a few strings; a file whose strings are almost
  // all escaped (an obfuscator's unicode option) hides everything alike: obfuscated, but no
  // host in it is singled out.
  // So too for a file whose strings are each rebuilt by its own decoder functions (an
  // obfuscator that conceals every string; its own tables stay plain): eight or more, and a
  // third of the file's strings, from `name()` decoders. A hand-made skimmer hides a few.
  size_t strings = 0, escaped = 0, evaluated = 0;
  auto by_evaluator = [](const Token& k) {
    return k.decoded_by.size() > 2 && k.decoded_by.ends_with("()");
  };
  for (const Token& k : t)
    if (k.type == Tok::kString)
      ++strings, escaped += k.decoded_by == "escapes", evaluated += by_evaluator(k);
  const bool escapes_all = escaped >= 8 && escaped * 4 >= strings * 3;
  const bool evaluated_all = evaluated >= 8 && evaluated * 3 >= strings;
  // A decoder the evaluator ran on arguments the script computed (`d(...)`: a flattened
  // program's state array) is an obfuscator's, which conceals every string alike: obfuscated,
  // but no host singled out (a hand-made skimmer calls its decoder on literals).
  auto hides = [&](const Token& k) {
    return decoded || (!k.decoded_by.empty() && !(escapes_all && k.decoded_by == "escapes") &&
                       !(evaluated_all && by_evaluator(k)) && !k.decoded_by.ends_with("(...)"));
  };
  auto channel_name = [&](const std::string& v, size_t at) {
    bool any = true;
    if (v == "Image")
      image = true;
    else if (v == "sendBeacon")
      beacon = true;
    else if (v == "WebSocket")
      socket = true;
    else if (v == "XMLHttpRequest")
      xhr = true;
    else if (v == "fetch")
      fetch = true;
    else
      any = false;
    if (any) channel_at.push_back(at);
  };
  auto card_name = [&](size_t at) {
    card = true;
    card_at.push_back(at);
  };
  // A URL's host: foreign when it names a machine, unknown when no provider owns it.
  auto note_url = [&](const std::string& host, bool hidden) {
    if (!RealHost(host)) return;
    foreign_url = true;
    if (!WellKnownScriptHost(host)) unknown_url = true;
    if (first_host.empty()) first_host = host;
    if (hosts.size() < 16) hosts.insert(host);
    // (A provider's own host written in encoded code is obfuscation, not a hidden host.)
    if (hidden && !WellKnownScriptHost(host)) hidden_url = true;
    if (lookalike.empty()) lookalike = LookalikeOf(host);
  };
  auto url = [](std::string_view v) {
    return v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0 || v.rfind("//", 0) == 0;
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    // /cc_|cvv/i.test(e.target.name): the fields a regex looks for.
    if (IsOp(k, "/regex/") && CardFieldName(k.decoded_by)) card_name(i);
    if (IsOp(k, "/regex/")) {
      std::string l = Lower(k.decoded_by);
      if (l.find("checkout") != std::string::npos || l.find("onestep") != std::string::npos ||
          l.find("onepage") != std::string::npos)
        checkout = true;
    }
    // form.action = 'https://...' / $(form).attr('action', 'https://...'): the form posts
    // elsewhere.
    if (k.type == Tok::kString && k.text == "action" && i >= 2 && i + 2 < t.size() &&
        IsOp(t[i - 1], "(") && t[i - 2].type == Tok::kWord &&
        In(t[i - 2].text, {"attr", "setAttribute", "prop"}) && IsOp(t[i + 1], ",") &&
        t[i + 2].type == Tok::kString && url(t[i + 2].text))
      action_rewrite = true;
    if (k.type == Tok::kWord && k.text == "action" && i >= 1 && i + 2 < t.size() &&
        IsOp(t[i - 1], ".") && IsOp(t[i + 1], "=") && t[i + 2].type == Tok::kString &&
        url(t[i + 2].text))
      action_rewrite = true;
    if (k.type == Tok::kWord &&
        In(k.text, {"innerHTML", "insertAdjacentHTML", "outerHTML", "html", "append", "prepend",
                    "before", "after", "write", "writeln"}))
      inserts_markup = true;
    if (k.type == Tok::kString && k.text.size() < 65536 && CardFieldName(k.text)) {
      std::string l = Lower(k.text);
      if (l.find("<input") != std::string::npos) card_markup = true;
    }
    if (k.type == Tok::kString) {
      // Obfuscators keep names in string arrays, often base64 (standard or case-swapped
      // alphabet): read those too.
      std::string alt;
      if (k.text.size() >= 4 && k.text.size() <= 256) {
        for (int swap = 0; swap < 2 && alt.empty(); ++swap) {
          std::string in = k.text;
          if (swap)
            for (char& ch : in)
              ch = std::isupper(static_cast<unsigned char>(ch))
                       ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                       : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          Decoded d = DecodeBase64(in, 512);
          bool clean = d.ok && d.out.size() >= 3;
          for (unsigned char ch : d.out)
            if (ch < 0x20 || ch > 0x7e) clean = false;
          if (clean) alt = d.out;
        }
      }
      for (const std::string* v : {&k.text, static_cast<const std::string*>(&alt)}) {
        if (v->empty()) continue;
        channel_name(*v, i);
        if (v == &alt) {
          if (CardFieldName(*v)) card_name(i), obf = true;
          std::string la = Lower(*v);
          if (la.find("checkout") != std::string::npos || la.find("onestep") != std::string::npos)
            checkout = true, obf = true;
          if (la.rfind("http", 0) == 0 || la.rfind("//", 0) == 0 || la.rfind("wss://", 0) == 0)
            foreign_url = true, hidden_url = true, obf = true, unknown_url = true;
          if (lookalike.empty()) lookalike = LookalikeOf(ScriptHost(la));
        }
      }
      std::string l = Lower(k.text.substr(0, 200));
      // indexOf('cc_'), startsWith('payment[cc_'): the prefix of a store's card field names.
      // (A table of random characters, an obfuscator's alphabet or packed string table, can
      // hold "cvv" by chance: long, no space or markup, many of the rarer punctuation marks.)
      if ((CardFieldName(k.text) && !CharacterTable(k.text)) || l == "cc_" || l == "cc-" ||
          l == "payment[cc_")
        card_name(i);
      bool absolute = l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0 ||
                      l.rfind("//", 0) == 0 || l.rfind("wss://", 0) == 0 ||
                      l.rfind("ws://", 0) == 0;
      // (A URL with /checkout/ in it is where the code sends, not the page it waits for.)
      if (!absolute &&
          (l.find("checkout") != std::string::npos || l.find("onestep") != std::string::npos ||
           l.find("onepage") != std::string::npos))
        checkout = true;
      if (absolute) note_url(ScriptHost(l), hides(k));
      if (!k.decoded_by.empty()) obf = true;
      // fetch('/media/favicon.ico').then(...eval...) / xhr.open('GET', 'logo.png') then
      // eval(xhr.responseText): an image read as data and run as code.
      bool fetched =
          i >= 2 && t[i - 2].type == Tok::kWord && t[i - 2].text == "fetch" && IsOp(t[i - 1], "(");
      bool opened = i >= 4 && IsOp(t[i - 1], ",") && t[i - 2].type == Tok::kString &&
                    IsOp(t[i - 3], "(") && t[i - 4].type == Tok::kWord && t[i - 4].text == "open";
      if (!image_code && ImagePath(l) && (fetched || opened))
        image_code = RunsInReach(t, fetched ? i - 1 : i - 3, opened);
      // querySelectorAll('input, select'), getElementsByTagName('input'), ...
      bool fields = l.size() < 120 && (l.find("input") != std::string::npos ||
                                       l.find("select") != std::string::npos ||
                                       l.find("textarea") != std::string::npos || l == "form");
      bool selects =
          i >= 2 && IsOp(t[i - 1], "(") &&
          (In(Callee(t, i - 1), {"querySelectorAll", "getElementsByTagName", "querySelector",
                                 "getElementById", "getElementsByName", "$$"}) ||
           jquery.count(std::string(Callee(t, i - 1))));
      if (fields && selects) grab = true, grab_at.push_back(i);
      // addEventListener('submit', ...), $(document).on('submit', ...): the code runs when a
      // form is sent, whichever form it is.
      if ((l == "submit" || l == "onsubmit") && i >= 2 && IsOp(t[i - 1], "(") &&
          In(Callee(t, i - 1), {"addEventListener", "on", "attachEvent"}))
        submit_hook = true;
      // document.querySelector('#payment-form'), $('#co-payment-form'): the payment step's
      // form, whatever its fields are called.
      // (A selector string handed to an event delegation, jQuery(document).on('submit',
      // '#co-payment-form', ...), names it too.)
      bool selector =
          !l.empty() && (l[0] == '#' || l[0] == '.') && l.find(' ') == std::string::npos;
      if ((selects || selector) && l.size() < 120 && l.find("payment") != std::string::npos)
        payment_form = true;
      bool created = i >= 2 && IsOp(t[i - 1], "(") && Callee(t, i - 1) == "createElement";
      if (l == "script" && created) {
        script_el = true;
        // s = document.createElement('script'): the name its text is set through.
        if (i >= 6 && IsOp(t[i - 3], ".") && IsOp(t[i - 5], "=") && t[i - 6].type == Tok::kWord &&
            script_vars.size() < 16)
          script_vars.insert(t[i - 6].text);
      }
      if (l == "iframe" && created) frame_el = true;
      // document.write('<script src="https://...">'): a script tag written as markup.
      if (size_t tag = l.find("<script"); tag != std::string::npos) {
        size_t src = l.find("src=", tag);
        std::string_view v =
            src == std::string::npos ? std::string_view() : std::string_view(l).substr(src + 4);
        if (!v.empty() && (v[0] == '"' || v[0] == '\'')) v.remove_prefix(1);
        std::string host = ScriptHost(v);
        if (!host.empty()) {
          script_el = true;
          note_url(host, hides(k));
        }
      }
      continue;
    }
    if (k.type != Tok::kWord) continue;
    if (k.concealed) ++concealed;
    if (k.text.rfind("_0x", 0) == 0) ++hex_names;
    if (CardFieldName(k.text)) card_name(i);
    const std::string& w = k.text;
    if (w == "serialize" || w == "serializeArray" || w == "FormData" || w == "elements")
      grab = true, grab_at.push_back(i);
    // new Image(), new window.Image() (what window['Image'] folds to).
    if (w == "Image" && i > 0 &&
        ((t[i - 1].type == Tok::kWord && t[i - 1].text == "new") ||
         (i >= 3 && IsOp(t[i - 1], ".") && t[i - 2].type == Tok::kWord &&
          In(t[i - 2].text, {"window", "self", "globalThis"}) && t[i - 3].type == Tok::kWord &&
          t[i - 3].text == "new")))
      channel_name(w, i);
    if (w == "sendBeacon" || w == "WebSocket" || w == "XMLHttpRequest") channel_name(w, i);
    // A WebRTC data channel: a connection of its own, as a WebSocket is (no request a
    // Content-Security-Policy's connect-src sees).
    if (w == "RTCPeerConnection" || w == "createDataChannel")
      socket = true, rtc = true, channel_at.push_back(i);
    // el.src = '...' + btoa(d) / el.href = '...' + encodeURIComponent(v) on an element the
    // code creates (a script, link or frame): the browser requests the URL, the page's data
    // in its query or fragment going with it.
    // The page sent to a URL carrying its data: location.href = '...' + btoa(d),
    // location.assign/replace(...), window.open(...).
    bool element_src = In(w, {"src", "href"}) && creates && i >= 2 && IsOp(t[i - 1], ".") &&
                       i + 1 < t.size() && IsOp(t[i + 1], "=");
    bool navigates =
        i + 1 < t.size() && ((w == "location" && IsOp(t[i + 1], "=")) ||
                             (w == "href" && i >= 2 && IsOp(t[i - 1], ".") &&
                              t[i - 2].text == "location" && IsOp(t[i + 1], "=")) ||
                             (In(w, {"assign", "replace"}) && i >= 2 && IsOp(t[i - 1], ".") &&
                              t[i - 2].text == "location" && IsOp(t[i + 1], "(")) ||
                             (w == "open" && i >= 2 && IsOp(t[i - 1], ".") &&
                              t[i - 2].text == "window" && IsOp(t[i + 1], "(")));
    if (element_src || navigates) {
      bool joined = false, data = false;
      for (size_t a = i + 2; a < t.size() && a < i + 64 && !IsOp(t[a], ";"); ++a) {
        if (IsOp(t[a], "+")) joined = true;
        if (t[a].type == Tok::kWord && In(t[a].text, {"btoa", "encodeURIComponent", "escape",
                                                      "stringify", "serialize", "value"}))
          data = true;
      }
      if (joined && data) {
        element_url = true, channel_at.push_back(i);
        if (element_how.empty())
          element_how = navigates ? "the address of a page it opens (location, window.open)"
                                  : "the address of an element it creates (script, link or frame)";
      }
    }
    // frame.contentWindow.postMessage(data, '*') to a frame the code created: the frame's
    // host receives what the page sends it.
    // (Payment SDKs talk to their hosted-field frames this way too: it counts only in a short
    // script that names card fields, below.)
    if (w == "postMessage" && frame_el && i + 1 < t.size() && IsOp(t[i + 1], "("))
      frame_message = true;
    if (w == "fetch" && i + 1 < t.size() && IsOp(t[i + 1], "(")) channel_name(w, i);
    // Prototype.js (Magento 1): new Ajax.Request(url, ...) / new Ajax.Updater(el, url, ...).
    if (In(w, {"Request", "Updater"}) && i >= 2 && IsOp(t[i - 1], ".") &&
        t[i - 2].type == Tok::kWord && t[i - 2].text == "Ajax")
      xhr = true, channel_at.push_back(i);
    // jQuery's $.ajax / $.post / $.get / $.getJSON: an HTTP request, as XHR is underneath.
    if (In(w, {"ajax", "post", "get", "getJSON", "getScript"}) && i >= 2 && IsOp(t[i - 1], ".") &&
        t[i - 2].type == Tok::kWord && jquery.count(t[i - 2].text) && i + 1 < t.size() &&
        IsOp(t[i + 1], "("))
      xhr = true, channel_at.push_back(i);
    if (In(w, {"btoa", "encodeURIComponent", "escape", "stringify"})) encode = true;
    if (w == "btoa") base64_out = true;
    if (w == "onsubmit" && i + 1 < t.size() && IsOp(t[i + 1], "=")) submit_hook = true;
    if (w == "createElement") creates = true;
    if (w == "src" && i + 1 < t.size() && IsOp(t[i + 1], "=")) src_set = true;
    if (In(w, {"text", "textContent", "innerHTML"}) && i >= 2 && i + 1 < t.size() &&
        IsOp(t[i + 1], "=") && IsOp(t[i - 1], ".") && t[i - 2].type == Tok::kWord &&
        script_vars.count(t[i - 2].text))
      text_set = true;
    // XMLHttpRequest.prototype.send = ..., window.fetch = ...: the page's own requests (the
    // checkout's payment call among them) pass through this code first.
    if (In(w, {"send", "open", "fetch"}) && i >= 2 && IsOp(t[i - 1], ".") && i + 1 < t.size() &&
        IsOp(t[i + 1], "=") && t[i - 2].type == Tok::kWord &&
        (w == "fetch" ? In(t[i - 2].text, {"window", "self", "globalThis"})
                      : t[i - 2].text == "prototype" && i >= 4 && t[i - 4].type == Tok::kWord &&
                            t[i - 4].text == "XMLHttpRequest"))
      hooks_requests = true;
    if ((w == "eval" || w == "Function") && i + 1 < t.size() && IsOp(t[i + 1], "(")) run = true;
  }
  // Obfuscated: a decoded layer, decoded literals, names hidden in a base64 table, or an
  // obfuscator's _0x names. (Minified code has bracket calls and fromCharCode too.)
  if (hex_names >= 8) obf = true;
  // Data leaves for a host written in the code; a WebSocket or beacon is a channel of its own.
  // Card fields posted into a frame the code created, from a short script (a payment SDK's
  // frames are its own, in a bundle far larger).
  if (frame_message && card && t.size() < 4000 && unknown_url && !element_url) {
    element_url = true;
    element_how = "postMessage to a frame it creates";
  }
  bool channel = socket || ((image || beacon || xhr || fetch) && foreign_url);
  // A whole checkout form read without naming card fields is what the store's own checkout
  // code does too: it counts when the request can go to a host that is no known provider.
  bool unknown_channel =
      socket || ((image || beacon || xhr || fetch || element_url) && unknown_url);
  // A whole form read and sent to a host the code hides (fromCharCode, atob): the hiding is
  // the second trait. The payment step's form read and sent over a WebSocket, to a hidden
  // host, or as an image request to a host no provider owns (the store's checkout posts with
  // XHR to its own and its providers' hosts, and carries XML namespace URLs).
  bool hidden_channel = unknown_channel && hidden_url;
  // A card field named within a few hundred tokens of a request: read and sent in one place.
  auto near_channel = [&](const std::vector<size_t>& at) {
    constexpr size_t kNear = 400;
    for (size_t a = 0, c = 0; a < at.size() && c < channel_at.size();) {
      size_t d = at[a] > channel_at[c] ? at[a] - channel_at[c] : channel_at[c] - at[a];
      if (d <= kNear) return true;
      (at[a] < channel_at[c] ? a : c) += 1;
    }
    return false;
  };
  bool near = near_channel(card_at);
  // Card fields sent out: over a WebSocket; hidden (obfuscated code, a hidden host); to a host
  // no provider owns from nearby code (or from a short script); or base64-encoded from nearby
  // code, whatever the host (a skimmer posing as an analytics hit). A payment SDK names card
  // fields and posts to its own provider's hosts, from code far apart.
  bool small = t.size() < 4000;
  // (Obfuscated code counts when the host is no provider's or the data is base64'd: a
  // provider's own form code, obfuscated whole by a vendor, still posts to the provider.)
  bool card_out = card && (socket || (channel && hidden_url) ||
                           (obf && (unknown_channel || (channel && base64_out))) ||
                           (unknown_channel && (near || small)) || (channel && near && base64_out));
  // A whole form read and sent: in one place, or in a short script.
  bool grab_out = grab && (small || near_channel(grab_at));
  // Every form's fields read when it is sent, base64'd and sent to a host no provider owns: the
  // encoding hides what leaves (a form-analytics tag sends to its provider, in clear).
  bool submit_grab = grab_out && submit_hook && base64_out && unknown_channel;
  if (card_out || (grab_out && checkout && unknown_channel) || (grab && hidden_channel) ||
      submit_grab ||
      (payment_form && (socket || hidden_channel || ((image || element_url) && unknown_url))) ||
      (payment_form && grab_out && unknown_channel && base64_out) ||
      (hooks_requests && checkout && unknown_channel)) {
    int strength = (obf || (encode && foreign_url) || socket) ? 4 : 3;
    AddTrait(out, "js.card_exfil", "exfil", strength,
             std::string("reads ") +
                 (card_out ? "payment card fields"
                  : hooks_requests && !grab && !payment_form
                      ? "the checkout's own requests (a hooked XMLHttpRequest or fetch)"
                  : checkout || payment_form ? "checkout form fields"
                                             : "every form field") +
                 " and sends them out through " +
                 (rtc           ? "a WebRTC data channel"
                  : socket      ? "a WebSocket"
                  : image       ? "an image request"
                  : beacon      ? "sendBeacon"
                  : element_url ? element_how
                                : "an HTTP request to a URL in the code"),
             layer);
  }
  if (action_rewrite)
    AddTrait(out, "js.form_action_rewrite", "exfil", (card || checkout) ? 3 : 2,
             (card || checkout) ? "points the checkout or payment form at another host"
                                : "points a form at a host written in the code",
             layer);
  if (card_markup && inserts_markup && !channel)
    AddTrait(out, "js.fake_card_form", "inject", checkout ? 2 : 1,
             "inserts a card entry form into the page", layer);
  // eval/Function of what arrives, or a script element whose text is set from it.
  if (socket && !rtc && (run || (script_el && text_set)))
    AddTrait(out, "js.remote_code", "exec", 3, "runs code received over a WebSocket", layer);
  // An iframe from a host no provider owns put into the checkout's payment step: a fake
  // payment form served from elsewhere in place of the real one.
  // (A payment SDK frames its own provider's pages and names many hosts.)
  if (frame_el && unknown_url && (checkout || payment_form) && hosts.size() <= 2)
    AddTrait(out, "js.fake_payment_frame", "exfil", 3,
             "puts an iframe from another host (" + first_host + ") into the payment step", layer);
  // The analytics loader's shape, createElement(o) with the tag name passed in, loading from a
  // host dressed as a provider: a fake tag.
  if (!script_el && creates && src_set && !lookalike.empty()) script_el = true;
  if (script_el && foreign_url) {
    // Only on checkout pages, from a host no known provider owns: how a skimmer's loader waits
    // for the page where cards are typed.
    bool gated = checkout && unknown_url;
    AddTrait(out, "js.script_injection", "inject",
             hidden_url || !lookalike.empty() ? 3
             : gated                          ? 2
                                              : 1,
             hidden_url ? "loads a script from a host hidden in encoded code"
             : !lookalike.empty()
                 ? "loads a script from a host dressed as " + lookalike + " (" + first_host + ")"
             : gated ? "loads a script from another host on checkout pages"
                     : "creates a script element loading a URL given in the code",
             layer);
    for (CodeTrait& c : out)
      if (c.id == "js.script_injection" && c.layer == layer && c.host.empty()) c.host = first_host;
  }
  if (decoded && run)
    AddTrait(out, "js.decode_and_run", "exec", 2, "decodes code and runs it", layer);
  // Module loaders fetch scripts; a page that reads an image as text and runs code takes its
  // payload from pixels or a favicon's trailing bytes, where no scanner of scripts looks.
  if (image_code)
    AddTrait(
        out, "js.image_code_loader", "exec", 3,
        "fetches an image, font or stylesheet and runs code taken from it (a payload hidden in a "
        "file no scanner of scripts reads)",
        layer);
  if (obf && (hex_names >= 8 || concealed >= 16))
    AddTrait(out, "obfuscation.js_packed", "obfuscation", 1,
             "obfuscated JavaScript (string arrays, built names)", layer);
}

void AnalyzeHtml(std::string_view html, const std::string& layer, std::vector<CodeTrait>& out) {
  std::string l = Lower(html.substr(0, 4u << 20));
  // <form action="https://host/..."> around card entry fields: the card number goes to that
  // host when the customer presses Pay (a phishing page, or a checkout template swapped for
  // one). Payment gateways that take a direct post, and the store's own host, are judged in
  // findings.cc (target_host).
  size_t forms = 0;
  for (size_t p = l.find("<form"); p != std::string::npos && forms < 64;
       p = l.find("<form", p + 5)) {
    ++forms;
    size_t gt = l.find('>', p);
    if (gt == std::string::npos) break;
    std::string_view tag = std::string_view(l).substr(p, gt - p);
    size_t a = tag.find("action=");
    if (a == std::string_view::npos) continue;
    std::string_view v = tag.substr(a + 7);
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) v.remove_prefix(1);
    std::string host = ScriptHost(v);
    if (host.empty()) continue;
    size_t end = l.find("</form", gt);
    std::string_view body = std::string_view(l).substr(
        gt, std::min<size_t>(end == std::string::npos ? l.size() - gt : end - gt, 64u << 10));
    bool card_field = false;
    for (size_t in = body.find("<input"); in != std::string_view::npos && !card_field;
         in = body.find("<input", in + 6))
      card_field = CardFieldName(body.substr(in, std::min<size_t>(body.size() - in, 400)));
    if (!card_field) continue;
    // One trait per host: a form to the store itself must not hide one to another host.
    bool seen = false;
    for (const CodeTrait& c : out)
      seen =
          seen || (c.id == "html.card_form_offsite" && c.layer == layer && c.target_host == host);
    if (seen) continue;
    CodeTrait c{"html.card_form_offsite",
                "exfil",
                3,
                "a card entry form that posts to another host (" + host + ")",
                layer,
                true,
                "",
                ""};
    c.target_host = host;
    out.push_back(std::move(c));
  }
  // <script src="//host/..."> : a script from a host named by URL. Which hosts the store
  // already uses is only known across the whole tree, so this is weak on its own.
  size_t n = 0;
  for (size_t p = l.find("<script"); p != std::string::npos && n < 64;
       p = l.find("<script", p + 7)) {
    size_t gt = l.find('>', p);
    if (gt == std::string::npos) break;
    std::string_view tag = std::string_view(l).substr(p, gt - p);
    size_t src = tag.find("src=");
    if (src == std::string_view::npos) continue;
    std::string_view v = tag.substr(src + 4);
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) v.remove_prefix(1);
    if (v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0 || v.rfind("//", 0) == 0) {
      ++n;
      // One trait per host: which hosts the rest of the store uses is judged across the tree.
      std::string host = ScriptHost(v);
      bool seen = false;
      for (const CodeTrait& c : out)
        if (c.id == "html.external_script" && c.layer == layer && c.host == host) seen = true;
      if (seen) continue;
      // A host dressed as a provider (google-analytics.com.example.top) is a fake tag.
      std::string brand = LookalikeOf(host);
      out.push_back({"html.external_script", "inject", brand.empty() ? 1 : 3,
                     brand.empty() ? "loads a script from another host (" + host + ")"
                                   : "loads a script from " + host + ", a host dressed as " + brand,
                     layer, true, host, ""});
    }
  }
}

}  // namespace tq::webroot
