// Fuzzes Mustache rendering of a letter with attacker-written customer data: the input is cut
// into a name, an e-mail address, a country, a region, a language and data categories, and
// rendered with the shipped templates. Values are data, never template: a name holding
// "{{organisation}}" is printed as typed, not expanded, and no control byte of the input
// reaches the letter.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/shipped.h"
#include "notify/notify.h"

namespace {

std::vector<std::string> Pieces(std::string_view in) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= in.size() && out.size() < 16) {
    size_t cut = in.find('\x01', pos);
    if (cut == std::string_view::npos) cut = in.size();
    out.emplace_back(in.substr(pos, cut - pos));
    pos = cut + 1;
  }
  while (out.size() < 7) out.emplace_back("");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  static const tq::notify::LetterRenderer* renderer = [] {
    auto r = tq::notify::LetterRenderer::Load(tq::ShippedPath("data/templates"));
    if (!r.ok()) std::abort();  // the shipped templates must load
    return new tq::notify::LetterRenderer(std::move(*r));
  }();
  std::vector<std::string> p = Pieces({reinterpret_cast<const char*>(data), size});
  tq::notify::AffectedPerson person;
  person.person_key = "customer:1";
  person.name = p[0];
  person.email = p[1];
  person.country = p[2];
  person.region = p[3];
  person.language = p[4];
  for (size_t i = 5; i < p.size(); ++i) person.categories.push_back(p[i]);
  static const std::map<std::string, std::string> extra = {{"organisation", "Example Shop Ltd"},
                                                           {"store_url", "https://shop.example"},
                                                           {"contact", "privacy@shop.example"},
                                                           {"discovered", "2026-03-02"}};
  tq::Result<tq::notify::Letter> letter = renderer->Render(person, extra);
  if (!letter.ok()) return 0;  // refused (a category or language it cannot write): named
  for (const std::string* text : {&letter->subject, &letter->body})
    for (unsigned char c : *text)
      if (c < 0x20 && c != '\n' && c != '\t') __builtin_trap();  // no control byte
  if (p[0] == "{{organisation}}" && letter->body.find("Example Shop Ltd") != std::string::npos &&
      letter->body.find("{{organisation}}") == std::string::npos)
    __builtin_trap();  // the name was expanded as a template
  return 0;
}
