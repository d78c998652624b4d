// Per-platform table emitters for the store dump (internal to drill).
#pragma once

#include "drill/internal.h"
#include "drill/sqldump.h"

namespace tq::drill {

struct DumpContext {
  const Store* store;
  const Breach* breach;
  UnixMicros cutoff;  // rows created at or after this are not in the dump
  UnixMicros now;     // dump time
  uint64_t seed;
  uint64_t* payload_address_pk = nullptr;  // out: sales_order_address row with the payload
};

// Per-row random text that does not depend on which rows came before (so the attacker's
// earlier copy and the final dump agree).
inline std::string RowHex(const DumpContext& c, uint64_t key, size_t n) {
  Rng r(c.seed, 0x70000000ULL + key);
  return r.Hex(n);
}
inline std::string RowAlnum(const DumpContext& c, uint64_t key, size_t n) {
  Rng r(c.seed, 0x70000000ULL + key);
  return r.Alnum(n);
}

Status EmitMagentoTable(DumpWriter& w, const TableDef* t, const DumpContext& c);
Status EmitWooTable(DumpWriter& w, const TableDef* t, const DumpContext& c);

}  // namespace tq::drill
