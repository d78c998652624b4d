// Postal letters: a print-ready PDF per letter (A4; the return address, the recipient's
// address block where a window envelope shows it, the subject and the body) and one
// mail-merge CSV for a postal service, for every outbox letter whose channel is post.
//
// PDF through cairo with pango for the text: pango shapes any script and falls back through
// fontconfig to a font that has the glyphs (DejaVu for Latin, Greek and Cyrillic, IPA Gothic
// for Japanese), so a letter in the reader's language prints in it. Every string comes from
// the case (names and addresses are attacker-writable store rows): it is cleaned to plain
// text and given to pango as text, never as markup.
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include "core/escape.h"
#include "notify/delivery.h"

namespace tq::notify {
namespace {

// A4 in points; margins after DIN 5008 (address window 20 mm from the left, 45 mm down).
constexpr double kPageW = 595.28, kPageH = 841.89;
constexpr double kLeft = 56.7, kRight = 56.7, kTop = 42.5, kBottom = 56.7;
constexpr double kWindowTop = 127.6;

std::vector<std::string> SplitLines(std::string_view s, std::string_view seps) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find_first_of(seps, i);
    if (j == std::string_view::npos) j = s.size();
    std::string part(s.substr(i, j - i));
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    i = j + 1;
  }
  return out;
}

// At most `max` bytes, cut at a character boundary.
std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

// Code point of the last character of `s` (0 when empty or not UTF-8).
uint32_t LastCodePoint(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i == 0) return 0;
  --i;
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  size_t n = s.size() - i;
  if (n == 1) return b(i);
  if (n == 2) return ((b(i) & 0x1F) << 6) | (b(i + 1) & 0x3F);
  if (n == 3) return ((b(i) & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
  if (n == 4)
    return ((b(i) & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
           (b(i + 3) & 0x3F);
  return 0;
}

struct Text {
  PangoLayout* layout;
  explicit Text(cairo_t* cr, const char* font, double width)
      : layout(pango_cairo_create_layout(cr)) {
    // Points are the PDF's units: 72 dpi, so a 10 pt font is 10 units high (pango's default
    // of 96 would print every letter a third too large).
    pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
    pango_layout_context_changed(layout);
    PangoFontDescription* fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  }
  ~Text() { g_object_unref(layout); }
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;
  void Set(std::string_view s) {
    std::string clean = CleanPlainText(s, true);
    pango_layout_set_text(layout, clean.data(), static_cast<int>(clean.size()));
  }
  double Height() const {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
};

}  // namespace

Status WriteLetterPdf(const std::string& path, std::string_view sender_block,
                      std::string_view recipient_name, const PostalAddress& address,
                      std::string_view subject, std::string_view body) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kPageW, kPageH);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    Status s = Status::Io(path + ": " + cairo_status_to_string(cairo_surface_status(surface)));
    cairo_surface_destroy(surface);
    return s;
  }
  cairo_t* cr = cairo_create(surface);
  const double width = kPageW - kLeft - kRight;
  {
    // The return address, small, above the window.
    Text sender(cr, "DejaVu Sans 7", width);
    sender.Set(sender_block);
    cairo_move_to(cr, kLeft, kTop);
    pango_cairo_show_layout(cr, sender.layout);
    // The address block.
    // Store rows are attacker-writable: a name is cut to what an address block can hold.
    std::string block = Truncate(CleanPlainText(recipient_name, false), 200);
    for (const std::string& l : address.BlockLines()) block += "\n" + CleanPlainText(l, false);
    Text recipient(cr, "DejaVu Sans 10", 85 * 2.835);
    recipient.Set(block);
    cairo_move_to(cr, kLeft, kWindowTop);
    pango_cairo_show_layout(cr, recipient.layout);
  }
  double y = kWindowTop + 45 * 2.835;  // below the 45 mm window
  Text title(cr, "DejaVu Sans Bold 11", width);
  title.Set(Truncate(CleanPlainText(subject, false), 500));
  cairo_move_to(cr, kLeft, y);
  pango_cairo_show_layout(cr, title.layout);
  y += title.Height() + 14;
  // The body, line by line, onto as many pages as it takes.
  Text text(cr, "DejaVu Sans 10", width);
  text.Set(ReflowForPrint(body));
  PangoLayoutIter* it = pango_layout_get_iter(text.layout);
  double page_origin = 0;  // layout y (points) of the first line on this page
  double top = y;
  int page = 1;
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, nullptr, &logical);
    double line_y = static_cast<double>(logical.y) / PANGO_SCALE;
    double line_h = static_cast<double>(logical.height) / PANGO_SCALE;
    if (top + (line_y - page_origin) + line_h > kPageH - kBottom) {
      cairo_show_page(cr);
      ++page;
      page_origin = line_y;
      top = kTop;
    }
    double baseline = static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
    cairo_move_to(cr, kLeft + static_cast<double>(logical.x) / PANGO_SCALE,
                  top + (baseline - page_origin));
    pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  (void)page;
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) return Status::Io(path + ": " + cairo_status_to_string(st));
  return Status::Ok();
}

std::vector<std::string> PostalAddress::BlockLines() const {
  std::vector<std::string> out = lines;
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string s;
    for (std::string_view p : parts)
      if (!p.empty()) s += (s.empty() ? "" : " ") + std::string(p);
    return s;
  };
  std::string c = country;
  if (c == "US" || c == "CA" || c == "AU") {
    out.push_back(join({city, region, postal_code}));
  } else if (c == "GB" || c == "IE") {
    out.push_back(city);
    out.push_back(postal_code);
  } else {
    out.push_back(join({postal_code, city}));
  }
  out.push_back(country);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

std::string ReflowForPrint(std::string_view body) {
  std::vector<std::string> lines;  // blank lines matter here (paragraphs)
  size_t i = 0;
  while (i <= body.size()) {
    size_t j = body.find('\n', i);
    if (j == std::string_view::npos) j = body.size();
    lines.emplace_back(body.substr(i, j - i));
    i = j + 1;
  }
  auto is_item = [](std::string_view l) {
    while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    return l.starts_with("- ") || l.starts_with("\xE2\x80\xA2");
  };
  std::string out;
  bool joined = false;  // this line continues the one before: its indent goes
  for (size_t k = 0; k < lines.size(); ++k) {
    std::string_view l = lines[k];
    if (joined)
      while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    out += l;
    if (k + 1 == lines.size()) break;
    std::string_view next = lines[k + 1];
    // A hand-wrapped line is long. A list item runs on only into an indented line that is not
    // an item; other text into a line that is neither indented nor an item (a heading follows
    // a blank line).
    bool item = is_item(lines[k]) || (joined && is_item(out.substr(out.rfind('\n') + 1)));
    bool runs_on = lines[k].size() >= 60 && !next.empty() && !is_item(next) &&
                   (item ? next.starts_with("   ") : next[0] != ' ');
    joined = runs_on;
    if (!runs_on) {
      out += '\n';
    } else if (LastCodePoint(l) < 0x2E80) {
      out += ' ';  // scripts without spaces between words (CJK) join directly
    }
  }
  return out;
}

Result<std::map<std::string, PostalAddress>> LoadPostalAddresses(Db& db) {
  std::map<std::string, PostalAddress> out;
  TQ_ASSIGN_OR_RETURN(int64_t has, db.QueryInt("SELECT count(*) FROM pragma_table_info("
                                               "'storedb_order') WHERE name='billing_postcode'"));
  TQ_ASSIGN_OR_RETURN(int64_t scope, db.QueryInt("SELECT count(*) FROM sqlite_master WHERE "
                                                 "type='table' AND name='scope_person'"));
  if (!has || !scope) return out;
  // The latest order of each person (by e-mail, else by customer id) carries the address: the
  // newest by creation time (an order without one is older than any with one), then by id.
  // One pass over the orders in storage order, each compared with the people in scope by
  // e-mail and customer id in memory: no index of storedb_order serves "e-mail OR customer
  // id", and a join would read every order once per person.
  struct Latest {
    std::string key;
    bool found = false;
    std::optional<int64_t> created_at;
    int64_t id = 0;
    std::string street, city, postcode, region, country, one_line;
  };
  std::vector<Latest> people;
  std::map<std::string, std::vector<size_t>, std::less<>> by_email;
  std::map<int64_t, std::vector<size_t>> by_customer;
  {
    TQ_ASSIGN_OR_RETURN(Stmt sp, db.Prepare("SELECT person_key, email, customer_id FROM "
                                            "scope_person ORDER BY person_key"));
    for (;;) {
      TQ_ASSIGN_OR_RETURN(bool row, sp.Step());
      if (!row) break;
      size_t i = people.size();
      people.emplace_back().key = sp.String(0);
      if (std::string email = sp.String(1); !email.empty()) by_email[email].push_back(i);
      if (!sp.IsNull(2)) by_customer[sp.Int(2)].push_back(i);
    }
  }
  if (people.empty()) return out;
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare("SELECT id, created_at, email, customer_id, billing_street, "
                          "billing_city, billing_postcode, region, country, billing_address FROM "
                          "storedb_order WHERE billing_address<>'' OR billing_postcode<>''"));
  std::vector<size_t> whose;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    whose.clear();
    if (auto e = by_email.find(st.Text(2)); e != by_email.end())
      whose.insert(whose.end(), e->second.begin(), e->second.end());
    if (!st.IsNull(3))
      if (auto c = by_customer.find(st.Int(3)); c != by_customer.end())
        whose.insert(whose.end(), c->second.begin(), c->second.end());
    if (whose.empty()) continue;
    int64_t id = st.Int(0);
    std::optional<int64_t> created;
    if (!st.IsNull(1)) created = st.Int(1);
    for (size_t i : whose) {
      Latest& l = people[i];
      // std::optional orders "none" before any value, as the orders' creation times should.
      if (l.found && std::tie(created, id) <= std::tie(l.created_at, l.id)) continue;
      l.found = true;
      l.created_at = created;
      l.id = id;
      l.street = st.String(4);
      l.city = st.String(5);
      l.postcode = st.String(6);
      l.region = st.String(7);
      l.country = st.String(8);
      l.one_line = st.String(9);
    }
  }
  for (const Latest& l : people) {
    if (!l.found) continue;
    PostalAddress a;
    a.lines = SplitLines(l.street, "\n");
    a.city = Truncate(CleanPlainText(l.city, false), 100);
    a.postal_code = Truncate(CleanPlainText(l.postcode, false), 32);
    a.region = Truncate(CleanPlainText(l.region, false), 64);
    a.country = Truncate(CleanPlainText(l.country, false), 64);
    // An order read before the address had parts: its one-line form.
    if (a.empty()) a.lines = SplitLines(l.one_line, ",");
    for (std::string& line : a.lines) line = Truncate(CleanPlainText(line, false), 200);
    if (a.lines.size() > 6) a.lines.resize(6);
    out[l.key] = std::move(a);
  }
  return out;
}

namespace {

Status WriteText(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::FromErrno(path, errno);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return Status::FromErrno(path, errno);
  return Status::Ok();
}

}  // namespace

Result<PrintReport> PrintLetters(Case& c, const PrintOptions& o) {
  Db& db = c.db();
  PrintReport rep;
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return Status::Io(o.out_dir + ": " + ec.message());
  TQ_ASSIGN_OR_RETURN(ControllerDetails controller, LoadController(db));
  TQ_ASSIGN_OR_RETURN(auto addresses, LoadPostalAddresses(db));
  std::string sender = controller.legal_name;
  if (!controller.postal_address.empty())
    sender += (sender.empty() ? "" : "\n") + controller.postal_address;
  TQ_ASSIGN_OR_RETURN(int64_t printed_before,
                      db.QueryInt("SELECT count(*) FROM notify_outbox WHERE kind='letter' AND "
                                  "channel='post' AND state='printed'"));
  rep.already_printed = o.reprint ? 0 : printed_before;
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db.Prepare(std::string("SELECT id, person_key, recipient_name, subject, body, "
                                      "language FROM notify_outbox WHERE kind='letter' AND "
                                      "channel='post' AND state IN ('queued'") +
                          (o.reprint ? ",'printed'" : "") + ") ORDER BY id"));
  TQ_ASSIGN_OR_RETURN(Stmt mark, db.Prepare("UPDATE notify_outbox SET state='printed', "
                                            "sent_at=coalesce(sent_at, ?), updated_at=? WHERE "
                                            "id=?"));
  std::string csv =
      "letter_file,person_key,name,address_line1,address_line2,address_line3,city,"
      "postal_code,region,country,language\n";
  UnixMicros now = NowMicros();
  std::vector<int64_t> done;
  for (;;) {
    TQ_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    int64_t id = st.Int(0);
    std::string key = st.String(1), name = st.String(2);
    auto a = addresses.find(key);
    if (a == addresses.end() || a->second.empty()) {
      ++rep.no_postal_address;
      rep.problems.push_back(CleanPlainText(key, false) +
                             ": no postal address in the store database (letter stays queued)");
      continue;
    }
    char file[40];
    snprintf(file, sizeof file, "letter-%06lld.pdf", static_cast<long long>(id));
    std::string path = o.out_dir + "/" + file;
    TQ_RETURN_IF_ERROR(WriteLetterPdf(path, sender, name, a->second, st.String(3), st.String(4)));
    rep.files.push_back(path);
    const PostalAddress& pa = a->second;
    auto line = [&](size_t i) { return i < pa.lines.size() ? pa.lines[i] : std::string(); };
    // Lines past the third are joined into it: the postal service's form has three.
    std::string third = line(2);
    for (size_t i = 3; i < pa.lines.size(); ++i) third += ", " + pa.lines[i];
    for (const std::string& f :
         {std::string(file), key, Truncate(CleanPlainText(name, false), 200), line(0), line(1),
          third, pa.city, pa.postal_code, pa.region, pa.country})
      csv += EscapeCsvField(f) + ",";
    csv += EscapeCsvField(st.String(5)) + "\n";
    done.push_back(id);
  }
  if (done.empty()) return rep;
  // One mail-merge file per batch (the earlier ones went to the postal service already).
  for (int batch = 1;; ++batch) {
    rep.csv_path = o.out_dir + "/mail-merge-" + std::to_string(batch) + ".csv";
    if (!std::filesystem::exists(rep.csv_path)) break;
  }
  TQ_RETURN_IF_ERROR(WriteText(rep.csv_path, csv));
  // Marked printed only once its file and the CSV are on disk.
  for (int64_t id : done) {
    TQ_RETURN_IF_ERROR(mark.Reset());
    mark.Bind(1, now).Bind(2, now).Bind(3, id);
    TQ_RETURN_IF_ERROR(mark.Run());
  }
  rep.printed = static_cast<int64_t>(done.size());
  return rep;
}

}  // namespace tq::notify
