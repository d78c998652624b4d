// The bounded pass over a rule file's YAML events (see yaml_limits.h). yaml-cpp's Parser is
// driven one document at a time with a handler that only counts: nesting depth, nodes with
// every alias expanded to the size of its anchor, aliases, and documents. It never asks for a
// third document, which is where LoadAll loops on inputs such as `,Tt:` (a token no rule of
// the parser consumes yields an empty document again and again).
#include "rules/yaml_limits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <vector>

namespace tq::rules {
namespace {

struct LimitPassed {  // thrown from the handler to stop the parse at once
  int line;
  std::string reason;
};

class CountingHandler : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { Leaf(m, anchor, 1); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    if (++aliases_ > kMaxRuleAliases)
      throw LimitPassed{m.line + 1, "more than " + std::to_string(kMaxRuleAliases) + " aliases"};
    auto it = anchor_size_.find(anchor);
    Leaf(m, 0, it == anchor_size_.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(m, anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(m, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(m, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Open_ {
    YAML::anchor_t anchor;
    size_t nodes_at_start;
  };
  void Add(const YAML::Mark& m, size_t n) {
    nodes_ += n;
    if (nodes_ > kMaxRuleNodes)
      throw LimitPassed{m.line + 1, "more than " + std::to_string(kMaxRuleNodes) +
                                        " YAML nodes (aliases expanded)"};
  }
  void Leaf(const YAML::Mark& m, YAML::anchor_t anchor, size_t n) {
    Add(m, n);
    if (anchor) anchor_size_[anchor] = n;
  }
  void Open(const YAML::Mark& m, YAML::anchor_t anchor) {
    if (static_cast<int>(open_.size()) >= kMaxRuleNesting)
      throw LimitPassed{m.line + 1,
                        "nested deeper than " + std::to_string(kMaxRuleNesting) + " levels"};
    open_.push_back({anchor, nodes_});
    Add(m, 1);
  }
  void Close() {
    if (open_.empty()) return;
    Open_ o = open_.back();
    open_.pop_back();
    if (o.anchor) anchor_size_[o.anchor] = nodes_ - o.nodes_at_start;
  }

  std::vector<Open_> open_;
  std::unordered_map<YAML::anchor_t, size_t> anchor_size_;
  size_t nodes_ = 0;
  size_t aliases_ = 0;
};

}  // namespace

// A multi-document file (a correlation and the rules it refers to) is split at its `---`
// lines and each part loaded on its own: yaml-cpp's LoadAll is never used (it once allocated
// without end on the 4 bytes `,Tt:`). Each part keeps its line numbers (it is preceded by as
// many empty lines as came before it).
std::vector<std::string> SplitYamlDocuments(const std::string& text, std::string* why) {
  std::vector<std::string> parts;
  size_t start = 0, start_line = 0, line = 0;  // the current part: its byte and line
  auto push = [&](size_t end) {
    if (end > start)
      parts.push_back(std::string(start_line, '\n') + text.substr(start, end - start));
  };
  for (size_t p = 0; p < text.size(); ++line) {
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    std::string_view l(text.data() + p, e - p);
    if (l.ends_with('\r')) l.remove_suffix(1);
    if (l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t')) {
      push(p);  // the marker starts the next part (YAML reads it as a document start)
      start = p, start_line = line;
    } else if (l == "...") {  // the end of a document
      push(p);
      start = std::min(e + 1, text.size()), start_line = line + 1;
    }
    if (parts.size() > kMaxRuleDocuments) {
      *why = "more than " + std::to_string(kMaxRuleDocuments) + " YAML documents";
      return {};
    }
    p = e + 1;
  }
  push(text.size());
  return parts;
}

bool CheckYamlLimits(std::string_view text, YamlLimitProblem* problem) {
  if (text.size() > kMaxRuleFileBytes) {
    *problem = {0, "larger than " + std::to_string(kMaxRuleFileBytes / 1024) +
                       " KiB (rule files are limited)"};
    return false;
  }
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    CountingHandler counter;
    if (!parser.HandleNextDocument(counter)) {
      problem->empty = true;
      return true;
    }
    if (parser.HandleNextDocument(counter)) {
      *problem = {0, "more than one YAML document without a '---' line between them"};
      return false;
    }
  } catch (const LimitPassed& l) {
    *problem = {l.line, l.reason};
    return false;
  } catch (const YAML::Exception& e) {
    *problem = {e.mark.line + 1, "not YAML: " + e.msg};
    return false;
  }
  return true;
}

}  // namespace tq::rules
