// Request input reaching the file system and execution through PHP's own objects and helpers
// rather than the functions the behaviour pass follows: SplFileObject writes, ArrayObject and
// ArrayIterator sort callbacks naming an execution sink, and file times set to what the
// request says (backdating changed files so that they blend in).
#include <set>
#include <string_view>

#include "webroot/php_facts.h"

namespace tq::webroot::php {
namespace {

bool WriteMode(const Token& k) {
  return k.type == Tok::kString && !k.text.empty() &&
         std::string_view("waxc").find(k.text[0]) != std::string_view::npos;
}

}  // namespace

void AnalyzeObjectSinks(const std::vector<Token>& t, const PhpTaint& taint,
                        const std::string& layer, std::vector<CodeTrait>& out) {
  // new SplFileObject(<request path>, 'w') ... ->fwrite(<request data>): the request picks a
  // file and what goes into it.
  bool spl_request_path = false, object_write = false;
  // $o = new ArrayObject(<request input>): its sort callbacks run on that input.
  std::set<std::string> request_arrays;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (t[i].type == Tok::kWord && Lower(t[i].text) == "new" && t[i + 1].type == Tok::kWord &&
        IsOp(t[i + 2], "(")) {
      std::string cls = Lower(t[i + 1].text);
      size_t close = taint.Close(i + 2), first_end = taint.ExprEnd(i + 3, true);
      if (cls == "splfileobject" && taint.RangeTainted(i + 3, first_end) && first_end + 1 < close &&
          WriteMode(t[first_end + 1]))
        spl_request_path = true;
      if (In(cls, {"arrayobject", "arrayiterator"}) && taint.RangeTainted(i + 3, close) && i >= 2 &&
          IsOp(t[i - 1], "=") && t[i - 2].type == Tok::kVar)
        request_arrays.insert(t[i - 2].text);
    }
    if (t[i].type == Tok::kWord && IsOp(t[i + 1], "(") && i > 0 && IsOp(t[i - 1], "->")) {
      std::string m = Lower(t[i].text);
      if (In(m, {"fwrite", "fputcsv"}) && taint.RangeTainted(i + 2, taint.Close(i + 1)))
        object_write = true;
      // $o->uasort('assert'): each element of the request's array passed to the sink.
      if (In(m, {"uasort", "uksort"}) && t[i + 2].type == Tok::kString &&
          (In(Lower(t[i + 2].text), kShellSinks) ||
           In(Lower(t[i + 2].text), {"assert", "create_function"})) &&
          i >= 2 && t[i - 2].type == Tok::kVar && request_arrays.count(t[i - 2].text))
        AddTrait(out, "php.request_to_sort_callback", "exec", 4,
                 "sorts request input with " + Lower(t[i + 2].text) +
                     "() as the callback (runs it on the request's values)",
                 layer);
    }
    // touch($f, strtotime($_POST['t'])): a file's times set to what the request says.
    if (t[i].type == Tok::kWord && Lower(t[i].text) == "touch" && IsOp(t[i + 1], "(")) {
      size_t close = taint.Close(i + 1), first_end = taint.ExprEnd(i + 2, true);
      if (first_end < close && taint.RangeTainted(first_end + 1, close))
        AddTrait(out, "php.request_timestamp", "antiforensics", 2,
                 "sets a file's modification time to what the request says (backdates "
                 "changed files)",
                 layer);
    }
  }
  if (spl_request_path && object_write)
    AddTrait(out, "php.request_to_file", "upload", 3,
             "writes request content to a file the request names (SplFileObject)", layer);
}

}  // namespace tq::webroot::php
