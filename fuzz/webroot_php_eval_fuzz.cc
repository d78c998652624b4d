// Fuzzes the decoder evaluator: the input is lexed as PHP code, every function it defines
// that looks like a decoder is run on a few literals with tight limits, and the whole token
// stream is folded (which runs the decoders on the literals the code passes them). Hostile
// bodies must end as a status (step, memory or depth limit, unsupported), never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/php_eval.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tq::webroot;
  std::string_view in(reinterpret_cast<const char*>(data), std::min<size_t>(size, 1 << 16));
  LexResult lr = LexPhp(in, true, LexLimits());
  EvalLimits tight;
  tight.max_steps = 20000;
  tight.max_bytes = 1 << 20;
  tight.max_string = 1 << 16;
  tight.max_array = 4096;
  tight.max_call_depth = 8;
  tight.max_nodes = 4096;
  {
    UserFunctions fns(lr.tokens);
    std::vector<std::string> names = fns.decoders();
    for (const std::string& name : names) {
      std::vector<Token> args(2);
      args[0].type = Tok::kString;
      args[0].text = "c3lzdGVtKCk7";
      args[1].type = Tok::kNumber;
      args[1].text = "7";
      (void)fns.Call(name, args, tight);
      args.resize(1);
      args[0].text = std::string(in.substr(0, 64));
      (void)fns.Call(name, args, tight);
    }
  }
  FoldBudget budget;
  budget.bytes_left = 1 << 20;
  budget.eval_steps_left = 100000;
  Fold(lr.tokens, Lang::kPhp, budget);
  return 0;
}
