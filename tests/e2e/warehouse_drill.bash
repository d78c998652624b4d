# Sourced by tests/e2e/warehouse_drill_<scenario>.sh (one ctest test per scenario, each within
# the e2e timeout on a busy machine), with WAREHOUSE_SCENARIOS set.
# Acceptance of issue 27: for every drill scenario (small, 5 days), the logs exported to
# ClickHouse (18.16, two servers started here on loopback) and investigated there give the same
# hits, findings, client aggregates, attackers and scope as the local investigation of the
# same evidence: on one server (the exported table) and on two shards (a Distributed table over
# halves of it). Also: a second export adds nothing; the query is an evidence item with a custody
# record. Skips (77) without clickhouse-server or the drill.
source "$TQ_SOURCE_DIR/tests/e2e/warehouse_lib.bash"
ch_require
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > drill_help.txt 2>&1 || exit 77
command -v python3 > /dev/null && command -v sqlite3 > /dev/null || exit 77
trap ch_stop_all EXIT
ch_two_shards A B || fail "clickhouse did not start"
A=$CH_HTTP_A B=$CH_HTTP_B
SCENARIOS="${WAREHOUSE_SCENARIOS:-$(sed -n 's/.*--scenario.*{\(.*\)}.*/\1/p' drill_help.txt | tr ',' ' ')}"
[ -n "$SCENARIOS" ] || SCENARIOS=$(sed -n 's/^ *\([a-z0-9-]*\) (\(magento\|woocommerce\)).*/\1/p' drill_help.txt)
[ -n "$SCENARIOS" ] || fail "no scenarios in drill --help"
# Every scenario the drill knows has its test script.
for known in $(sed -n 's/^ *\([a-z0-9-]*\) (\(magento\|woocommerce\)).*/\1/p' drill_help.txt); do
  [ -f "$TQ_SOURCE_DIR/tests/e2e/warehouse_drill_${known//-/_}.sh" ] \
    || fail "drill scenario $known has no tests/e2e/warehouse_drill_${known//-/_}.sh"
done

# What must be equal, one line per row, sorted.
summary() {
  local db=$1/case.db
  sqlite3 "$db" "SELECT 'hit', rule_id, sha256, line, byte_offset, coalesce(time,''), fields_json FROM logs_rule_hit ORDER BY 2,3,4"
  sqlite3 "$db" "SELECT 'count', rule_id, hits FROM logs_rule_count ORDER BY 2"
  sqlite3 "$db" "SELECT 'finding', kind, severity, triage, evidence_sha256, coalesce(line,''), summary FROM findings WHERE kind LIKE 'log.%' OR kind LIKE 'analysis.%' ORDER BY dedupe_key"
  sqlite3 "$db" "SELECT 'client', ip, first_seen, last_seen, requests, bytes, statuses_json FROM logs_client ORDER BY 2"
  sqlite3 "$db" "SELECT 'attacker', address FROM attacker_addresses ORDER BY 2"
  sqlite3 "$db" "SELECT 'scope', * FROM scope_count ORDER BY 2, 3" 2>/dev/null || true
}

for sc in $SCENARIOS; do
  out="drill_$sc" db=$(echo "d_$sc" | tr -c 'a-z0-9_\n' '_')
  "$T" drill "$out" --seed 7 --scale small --days 5 --scenario "$sc" > /dev/null 2>&1 || fail "drill $sc"
  fmt=()
  f=$(python3 -c "import json;t=json.load(open('$out/truth.json'));print(t.get('log_format_string','') if t.get('log_format')=='nginx-custom' else '')")
  if [ -n "$f" ]; then fmt=(--log-format "$f"); fi
  "$T" init "local_$sc" --name "$sc" > /dev/null
  "$T" --case "local_$sc" --quiet collect --label logs "$out/logs" > /dev/null || fail "collect $sc"
  if [ -d "$out/db" ]; then
    "$T" --case "local_$sc" --quiet collect --label db "$out/db" > /dev/null || fail "collect db $sc"
  fi
  cp -r "local_$sc" "one_$sc" && cp -r "local_$sc" "two_$sc"
  rc=0
  "$T" --case "local_$sc" investigate --only logs --only storedb --only analysis "${fmt[@]}" > /dev/null 2>&1 || rc=$?
  [ $rc -le 1 ] || fail "$sc: local investigate exit $rc"
  rc=0
  "$T" --case "local_$sc" --quiet scope > /dev/null 2> scope.err || rc=$?
  [ $rc -le 1 ] || { cat scope.err >&2; fail "$sc: local scope exit $rc"; }

  "$T" --case "one_$sc" --json export clickhouse "http://127.0.0.1:$A" --database "$db" "${fmt[@]}" > export1.json || fail "$sc: export"
  "$T" --case "one_$sc" --json export clickhouse "http://127.0.0.1:$A" --database "$db" "${fmt[@]}" > export2.json || fail "$sc: export again"
  python3 - <<'PY' || fail "$sc: re-export"
import json
a, b = json.load(open('export1.json')), json.load(open('export2.json'))
assert a['rows_sent'] > 0, a
assert b['rows_sent'] == 0 and b['rows_already_there'] == a['rows_sent'], (a, b)
PY
  rows=$(ch_sql "$A" "SELECT count() FROM $db.tq_requests")
  [ "$rows" = "$(python3 -c "import json;print(json.load(open('export1.json'))['rows_sent'])")" ] || fail "$sc: $rows rows in the table"
  ch_split "$A" "$db" tq_requests "$A" "$B" "$CH_TCP_A"
  [ "$(ch_sql "$A" "SELECT count() FROM sh.all")" = "$rows" ] || fail "$sc: distributed table rows"
  [ "$(ch_sql "$B" "SELECT count() FROM sh.tq_requests")" -gt 0 ] || fail "$sc: shard B empty"

  for mode in one two; do
    src="$db.tq_requests"
    if [ $mode = two ]; then src=sh.all; fi
    rc=0
    "$T" --case "${mode}_$sc" --json investigate --only logs --only storedb --only analysis \
      --clickhouse "http://127.0.0.1:$A" --source "$src" > "$mode.json" 2> "$mode.err" || rc=$?
    [ $rc -le 1 ] || { cat "$mode.err" >&2; fail "$sc: investigate in the cluster ($mode) exit $rc"; }
    rc=0
    "$T" --case "${mode}_$sc" --quiet scope > /dev/null 2> scope.err || rc=$?
    [ $rc -le 1 ] || { cat scope.err "$mode.err" >&2; fail "$sc: scope after the cluster investigation ($mode) exit $rc"; }
    summary "local_$sc" > "local.txt"
    summary "${mode}_$sc" > "$mode.txt"
    [ -s local.txt ] && grep -q "^hit" local.txt || fail "$sc: local investigation found no hits"
    if ! cmp -s local.txt "$mode.txt"; then
      diff local.txt "$mode.txt" | head -20 >&2
      fail "$sc: the cluster investigation ($mode) differs from the local one"
    fi
    python3 - "$mode.json" "$sc" "$mode" <<'PY' || fail "$sc: cluster summary ($mode)"
import json, sys
c = json.load(open(sys.argv[1]))["stages"]["clickhouse"]
assert c["server_version"].startswith("18."), c
assert c["rows_scanned"] > 0 and len(c["checksum"]) == 16, c
print(f"{sys.argv[2]} ({sys.argv[3]}): {c['rows_scanned']} rows, {c['rows_through_prefilter']} through the prefilter, "
      f"{c['prefilter_calls']} calls, scan {c['seconds']['scan']:.2f} s, rules not run: {len(c['rules_not_run'])}")
PY
    sqlite3 "${mode}_$sc/case.db" "SELECT count(*) FROM evidence_items WHERE label='other' AND CAST(original_path AS TEXT) LIKE '%#query-%'" | grep -qx 1 || fail "$sc: query evidence item"
    "$T" --case "${mode}_$sc" custody --format csv > custody.csv
    grep -q '"query"' custody.csv || fail "$sc: no custody record of the query"
  done
  echo "$sc: $(grep -c '^hit' local.txt) hits, $(grep -c '^attacker' local.txt) attacker addresses equal on one server and two shards"
done
echo ok
