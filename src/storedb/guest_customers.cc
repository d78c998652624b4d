// Guest customers grouped in memory (guest_customers.h).
#include "storedb/guest_customers.h"

#include <algorithm>
#include <numeric>

#include "core/text.h"

namespace tq::storedb {

void GuestCustomers::Add(const GuestOrder& o) {
  Entry e;
  e.at = text_.size();
  e.created_at = o.created_at;
  e.line = o.line;
  e.offset = o.offset;
  const std::string_view fields[kFields] = {o.email, o.source_table, o.order_id, o.email,
                                            o.name,  o.country,      o.region};
  for (int f = 0; f < kFields; ++f) {
    e.len[f] = static_cast<uint32_t>(fields[f].size());
    size_t from = text_.size();
    text_.append(fields[f]);
    if (f == kLowerEmail)
      for (size_t i = from; i < text_.size(); ++i) text_[i] = AsciiLower(text_[i]);
  }
  orders_.push_back(e);
}

uint64_t GuestCustomers::bytes() const {
  return text_.capacity() + orders_.capacity() * sizeof(Entry);
}

std::string_view GuestCustomers::Get(const Entry& e, Field f) const {
  uint64_t at = e.at;
  for (int i = 0; i < f; ++i) at += e.len[i];
  return std::string_view(text_).substr(at, e.len[f]);
}

Status GuestCustomers::ForEach(const std::function<Status(const GuestOrder&)>& fn) const {
  std::vector<uint32_t> order(orders_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Entry &x = orders_[a], &y = orders_[b];
    if (int c = Get(x, kLowerEmail).compare(Get(y, kLowerEmail)); c != 0) return c < 0;
    if (int c = Get(x, kOrderId).compare(Get(y, kOrderId)); c != 0) return c < 0;
    return a < b;
  });
  for (size_t i = 0; i < order.size();) {
    std::string_view key = Get(orders_[order[i]], kLowerEmail);
    // SQLite's min() with bare columns: the first row of the least time; NULL times are
    // passed over once a time is seen, and until then each NULL row is the one shown.
    const Entry* shown = nullptr;
    std::optional<int64_t> least;
    size_t j = i;
    for (; j < order.size() && Get(orders_[order[j]], kLowerEmail) == key; ++j) {
      const Entry& e = orders_[order[j]];
      if (!e.created_at) {
        if (!least) shown = &e;
      } else if (!least || *e.created_at < *least) {
        least = e.created_at;
        shown = &e;
      }
    }
    GuestOrder g;
    g.source_table = Get(*shown, kSource);
    g.order_id = Get(*shown, kOrderId);
    g.email = Get(*shown, kEmail);
    g.name = Get(*shown, kName);
    g.country = Get(*shown, kCountry);
    g.region = Get(*shown, kRegion);
    g.created_at = least;
    g.line = shown->line;
    g.offset = shown->offset;
    TQ_RETURN_IF_ERROR(fn(g));
    i = j;
  }
  return Status::Ok();
}

}  // namespace tq::storedb
