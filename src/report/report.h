// report: the internal post-mortem and the two public documents (early notice, published
// post-mortem), Markdown and self-contained HTML, under <case>/reports/. Every string from
// evidence is escaped for the format it goes into. The public documents are built only from
// counts, dates, data categories and generic descriptions: no addresses, paths, names,
// e-mails, secrets or indicator values ever reach them. Their sentences follow the case
// (notify/statement.h): a claims ledger <doc>.claims.json is written beside each one, and
// facts the case cannot settle read "[to confirm: ...]".
//
// Table report_document(id, name UNIQUE, audience internal|public, format md|html, path,
// sha256, bytes, written_at): one row per document written (refreshed on re-runs).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "casefile/casefile.h"
#include "core/result.h"
#include "notify/statement.h"

namespace tq::report {

// A document: a list of blocks rendered to Markdown or HTML.
// A kSvg block's items[0] is its caption, which is all the Markdown shows of it: a picture
// is always followed by a table of what it shows.
struct Block {
  enum Kind { kHeading, kParagraph, kList, kTable, kSvg } kind = kParagraph;
  int level = 2;
  std::vector<std::string> items;              // paragraph text (1), list items, table header
  std::vector<std::vector<std::string>> rows;  // table rows
  std::string svg;                             // kSvg: built from escaped text only
  // kParagraph: a link after the text, to a file beside the document (our name, not evidence).
  std::string href;
};
struct Document {
  std::string title;
  std::vector<Block> blocks;
  // Public documents: every sentence with its facts (the claims ledger), and the
  // "[to confirm: ...]" markers still open in the text.
  std::vector<notify::Claim> claims;
  std::vector<std::string> open_markers;
};

std::string RenderMarkdown(const Document& d);
std::string RenderHtml(const Document& d);
std::string EscapeMarkdown(std::string_view raw);

// Builds the documents from the case. which: "" (all), "internal", "notice", "postmortem".
struct Written {
  std::string name, path;
  std::vector<std::string> open_markers;  // public documents: facts still to confirm
};
// progress, when given, is told each document's name before it is built, with the documents
// done and their number.
Result<std::vector<Written>> WriteReports(
    Case& c, Db& db, const std::string& which,
    const std::function<void(std::string_view name, int done, int total)>& progress = {});

// Exposed for tests.
Result<Document> BuildInternal(Case& c);
Result<Document> BuildPublic(Case& c, const std::string& kind);  // notice | postmortem

}  // namespace tq::report
