// Normalisation of web-root code before matching: PHP and JavaScript (and the scripts inside
// HTML and PHP templates) are lexed, comments dropped, literals folded and encoding layers
// peeled (base64, gzinflate/gzuncompress/gzdecode, str_rot13, strrev, hex2bin, urldecode,
// chr() and String.fromCharCode runs, pack('H*'), string-array lookups, atob, Dean Edwards'
// packer) to a fixed depth. Every decoded layer is lexed and folded again, and each layer is
// analysed for behaviour (request input reaching an execution sink, card fields sent to
// another host, foreign script injection). All of it is bounded in time and memory: input,
// layers, depth and every byte a fold creates are capped, and a cap sets `truncated` instead
// of failing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq::webroot {

struct NormalizeLimits {
  size_t max_input = 8u << 20;         // bytes of the file normalised (the rest is cut)
  size_t max_layer_text = 4u << 20;    // rendered bytes per layer
  size_t max_total_bytes = 48u << 20;  // every byte created by folding and decoding
  int max_depth = 6;                   // decode layers below the file
  size_t max_layers = 48;
};

// What the code does or how it hides, found in one layer. Severity is decided from these
// (see findings.cc): a behaviour stands alone, a weak trait needs an independent second.
struct CodeTrait {
  std::string id;      // "php.request_to_exec", "js.card_exfil", "obfuscation.decoded_code", ...
  std::string family;  // exec | upload | exfil | inject | backdoor | database | recon | ...
  int strength = 1;    // 1 weak (info/low), 2 medium, 3 high, 4 critical
  std::string what;    // one line for the responder (attacker bytes escaped by the caller)
  std::string layer;   // layer path: "php", "php>eval>base64_decode>gzinflate", "html>script"
  bool alone = true;   // false: only counts beside an independent trait (no finding by itself)
  std::string host;    // script loads: the host the script comes from (lowercase)
  // Data sent to a host named in the code (a form's action): not a finding when it is the
  // store's own host or a payment provider's (judged with the store's URL, in findings.cc).
  std::string target_host;
};

struct CodeLayer {
  std::string path;  // "php", "js", "html>script", "php>base64_decode>gzinflate", ...
  std::string text;  // normalised code (comments gone, literals folded and decoded)
  int depth = 0;     // decode layers below the file
};

struct NormalizedCode {
  std::vector<CodeLayer> layers;
  std::vector<CodeTrait> traits;
  bool truncated = false;  // a limit cut something (the rest was still scanned raw)
};

enum class CodeKind : uint8_t { kNone, kPhp, kJs, kHtml };

// A stylesheet that carries script: the JavaScript (or base64 of it) kept in its comments,
// quoted strings and custom property values, for a loader to cut out and run (a skimmer
// hidden in a .css file), normalised as a layer "css>js"; nullopt when it carries none.
std::optional<NormalizedCode> NormalizeStylesheet(
    std::string_view css, const NormalizeLimits& limits = NormalizeLimits());

// Which normaliser a file gets: by extension, else by content (a PHP tag, a <script>).
CodeKind ClassifyCode(std::string_view content, std::string_view extension);

NormalizedCode Normalize(std::string_view content, CodeKind kind,
                         const NormalizeLimits& limits = NormalizeLimits());

// True when the bytes after a PHP open tag read as PHP statements (printable text with a
// call, an assignment or a keyword), not image data that happens to hold "<?=".
bool PhpTagHoldsCode(std::string_view content);

// True when a PHP file with no open tag reads as PHP statements from its first line on (a
// payload for eval, or a dropped file whose tag was lost), not markup or text.
bool BarePhpPayload(std::string_view content);

// The host of a URL ("https://a.example:8080/x.js", "//a.example/x"), lowercase; empty when
// it names none.
std::string ScriptHost(std::string_view url);
// `host` is `domain` or one of its subdomains ("www." of the domain ignored).
bool HostWithin(std::string_view host, std::string_view domain);
// Public script CDNs, payment and analytics providers that stores load from or post to.
bool WellKnownScriptHost(std::string_view host);
// The provider a host is dressed as (google-analytics.com.example.top -> "google-analytics"),
// or "" for a provider's own host or an ordinary one.
std::string LookalikeOf(std::string_view host);
// A layer path reached through a decoder ("php>eval>base64_decode>gzinflate", "js>atob"), not
// only through an eval of plain literal code.
bool LayerDecoded(std::string_view layer);
// A path or URL naming an image or font file (.png, .ico, .woff...), query string aside.
bool ImageNamedPath(std::string_view path);

}  // namespace tq::webroot
