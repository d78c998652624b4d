# Same evidence, same case, however the stages are run: on every drill scenario, one
# `investigate` (all stages in one run) and the same evidence investigated stage by stage
# (`--only logs`, then webroot, host, storedb, analysis: one run each) must leave the same rows
# in every table (only the columns that record when a row was written, and the bookkeeping of
# the runs themselves, are left out). The guard for moving work between stages (the analysis
# consuming the logs stage's records instead of reading the logs again): whichever stage does
# it, the answer must not change.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
snapshot() {  # CASE OUT
  python3 - "$1/case.db" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
skip_tables = {"audit_log", "stage_runs", "schema_component", "sqlite_sequence"}
skip_cols = {"created_at", "updated_at", "scanned_at", "read_at"}
out = {}
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
    if t in skip_tables or t.startswith("sqlite_"): continue
    cols = [r[1] for r in db.execute(f'PRAGMA table_info("{t}")')]
    keep = [c for c in cols if c not in skip_cols]
    rows = db.execute(f'SELECT {",".join(chr(34) + c + chr(34) for c in keep)} FROM "{t}"').fetchall()
    out[t] = sorted(json.dumps([x.hex() if isinstance(x, bytes) else x for x in r]) for r in rows)
json.dump(out, open(sys.argv[2], "w"), indent=0)
PY
}
for scenario in ${STAGES_SCENARIOS:-cosmicsting woo-stuffing trojanorder}; do
  "$T" drill "store-$scenario" --scenario "$scenario" --seed 1 --scale small > /dev/null ||
    fail "drill $scenario"
  "$T" init "all-$scenario" --name stages > /dev/null || fail init
  for label in logs webroot db host; do
    [ -d "store-$scenario/$label" ] || continue
    "$T" --case "all-$scenario" --quiet collect --label "$label" "store-$scenario/$label" \
      > /dev/null || fail "collect $label"
  done
  cp -a "all-$scenario" "each-$scenario"  # the same evidence, collected once
  rc=0; "$T" --case "all-$scenario" --quiet investigate > /dev/null 2> all.err || rc=$?
  [ $rc -le 1 ] || { cat all.err >&2; fail "$scenario: investigate exit $rc"; }
  for stage in logs webroot host storedb analysis; do
    rc=0; "$T" --case "each-$scenario" --quiet investigate --only "$stage" > /dev/null 2> each.err ||
      rc=$?
    [ $rc -le 1 ] || { cat each.err >&2; fail "$scenario: investigate --only $stage exit $rc"; }
  done
  snapshot "all-$scenario" all.json || fail snapshot
  snapshot "each-$scenario" each.json || fail snapshot
  python3 - all.json each.json "$scenario" <<'PY' || fail "$scenario: stage by stage differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = 0
for t in sorted(set(a) | set(b)):
    ra, rb = set(a.get(t, [])), set(b.get(t, []))
    if ra != rb:
        bad += 1
        print(f"{t}: {len(ra - rb)} row(s) only in one run, {len(rb - ra)} only stage by stage",
              file=sys.stderr)
        for r in sorted(ra - rb)[:3]: print("  one run : " + r[:300], file=sys.stderr)
        for r in sorted(rb - ra)[:3]: print("  by stage: " + r[:300], file=sys.stderr)
rows = sum(len(v) for v in a.values())
findings = len(a.get("findings", []))
print(f"{sys.argv[3]}: {len(a)} tables, {rows} rows ({findings} findings), {bad} differing")
sys.exit(1 if bad or findings == 0 else 0)
PY
done
