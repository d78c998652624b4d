// Fuzzes the web-root normalisers: the input runs through the PHP (from inline HTML and
// as a bare eval payload), JavaScript and HTML normalisers (event-handler attributes among
// them), the image-tag check and the no-open-tag payload check, with
// tight limits so that every cap (layers, depth, bytes, tokens) is reached often.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "webroot/normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tq::webroot::NormalizeLimits tight;
  tight.max_input = 1 << 16;
  tight.max_layer_text = 1 << 15;
  tight.max_total_bytes = 1 << 18;
  tight.max_depth = 3;
  tight.max_layers = 8;
  using tq::webroot::CodeKind;
  for (CodeKind k : {CodeKind::kPhp, CodeKind::kJs, CodeKind::kHtml})
    (void)tq::webroot::Normalize(in, k, tight);
  (void)tq::webroot::Normalize(in, tq::webroot::ClassifyCode(in, "php"));
  (void)tq::webroot::PhpTagHoldsCode(in);
  (void)tq::webroot::BarePhpPayload(in);
  return 0;
}
