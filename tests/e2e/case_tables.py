#!/usr/bin/env python3
"""Every table of a case, row for row, for the "same evidence, same answer" tests
(investigate_repeat.sh, investigate_stages.sh, fault_investigate.sh).

  case_tables.py snapshot CASE_DIR OUT.json
      every table a run writes, rows sorted; the bookkeeping of the runs themselves
      (audit, stage runs, schema versions) and the columns that say when a row was written
      are left out
  case_tables.py compare A.json B.json LABEL NAME_A NAME_B
      per differing table: the rows only in A, only in B (three of each shown); then one line
      "LABEL: T tables, R rows (F findings), D differing". Exit 1 when a table differs or A
      holds no finding (a test that compares empty cases means nothing).
"""
import json
import sqlite3
import sys

SKIP_TABLES = {"audit_log", "stage_runs", "schema_component", "sqlite_sequence"}
SKIP_COLS = {"created_at", "updated_at", "scanned_at", "read_at"}


def snapshot(case_dir, out_path):
    db = sqlite3.connect(f"{case_dir}/case.db")
    out = {}
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        if t in SKIP_TABLES or t.startswith("sqlite_"):
            continue
        cols = [r[1] for r in db.execute(f'PRAGMA table_info("{t}")')]
        keep = ",".join(f'"{c}"' for c in cols if c not in SKIP_COLS)
        rows = db.execute(f'SELECT {keep} FROM "{t}"').fetchall()
        out[t] = sorted(json.dumps([x.hex() if isinstance(x, bytes) else x for x in r])
                        for r in rows)
    json.dump(out, open(out_path, "w"), indent=0)
    return 0


def compare(a_path, b_path, label, name_a, name_b):
    a, b = (json.load(open(p)) for p in (a_path, b_path))
    bad = 0
    for t in sorted(set(a) | set(b)):
        ra, rb = set(a.get(t, [])), set(b.get(t, []))
        if ra == rb:
            continue
        bad += 1
        print(f"{label}: {t}: {len(ra - rb)} row(s) only {name_a}, {len(rb - ra)} only {name_b}",
              file=sys.stderr)
        for r in sorted(ra - rb)[:3]:
            print(f"  {name_a}: {r[:300]}", file=sys.stderr)
        for r in sorted(rb - ra)[:3]:
            print(f"  {name_b}: {r[:300]}", file=sys.stderr)
    rows = sum(len(v) for v in a.values())
    findings = len(a.get("findings", []))
    print(f"{label}: {len(a)} tables, {rows} rows ({findings} findings), {bad} differing")
    return 1 if bad or findings == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        sys.exit(snapshot(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 7 and sys.argv[1] == "compare":
        sys.exit(compare(*sys.argv[2:7]))
    sys.exit(__doc__)
