// Fuzzes the JavaScript decoder evaluator: the input is lexed as JavaScript, every function
// `d`..`h` it may define is run on a few literals with tight limits, and the token stream is
// folded (which runs the decoders on the literals the code passes them). Hostile bodies must
// end as a refusal (step, memory, depth or nesting limit, unsupported), never a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/js_eval.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::webroot;
  std::string_view in(reinterpret_cast<const char*>(data), std::min<size_t>(size, 1 << 16));
  LexResult lr = LexJs(in, LexLimits());
  JsEvalLimits tight;
  tight.max_steps = 20000;
  tight.max_bytes = 1 << 20;
  tight.max_string = 1 << 16;
  tight.max_array = 4096;
  tight.max_call_depth = 6;
  tight.max_nodes = 2048;
  for (const char* name : {"d", "e", "f", "g", "h"}) {
    std::vector<Token> args(2);
    args[0].type = Tok::kString;
    args[0].text = "kwwsv=22h{dpsoh1frp";
    args[1].type = Tok::kNumber;
    args[1].text = "3";
    std::string out, why;
    (void)RunJsDecoder(lr.tokens, name, args, tight, &out, &why);
    args.resize(1);
    args[0].text = std::string(in.substr(0, 64));
    (void)RunJsDecoder(lr.tokens, name, args, tight, &out, &why);
  }
  FoldBudget budget;
  budget.bytes_left = 1 << 20;
  budget.eval_steps_left = 100000;
  Fold(lr.tokens, Lang::kJs, budget);
  return 0;
}
