# The drill's ground truth against storedb, per platform: every injected row, rogue account
# and token of truth.json is found; no legitimate admin is flagged; every table's row count
# matches; every data category of the truth is in the PII map; no other row is rated high; and
# the nightly backup from before the breach (no injection) gives 0 findings at high or critical.
fail() { echo "FAIL: $*"; exit 1; }

for scenario in cosmicsting woo-stuffing trojanorder; do
  platform=$scenario
  out="drill-$scenario" case="case-$scenario"
  $TOURNIQUET drill "$out" --scenario "$scenario" --seed 7 --scale small >/dev/null 2>&1
  truth="$out/truth.json"
  dump="$out/db/store.sql"
  [ -n "$dump" ] || fail "$platform: no dump in the drill output"
  $TOURNIQUET init "$case" --name "drill $scenario" --platform "$(jq -r .platform "$truth")" \
    --store-url "$(jq -r .store_url "$truth")" --timezone "$(jq -r .timezone "$truth")" \
    --discovered-at "$(jq -r .discovered_at "$truth")" >/dev/null
  $TOURNIQUET --case "$case" collect --label db "$dump" >/dev/null
  [ -d "$out/logs" ] && $TOURNIQUET --case "$case" collect --label logs "$out/logs" >/dev/null
  $TOURNIQUET --case "$case" investigate >/dev/null 2>&1 || true
  q() { sqlite3 "$case/case.db" "$1"; }
  found() {  # KIND TABLE PK [COLUMN]
    q "SELECT count(*) FROM findings WHERE kind='$1' AND (json_extract(detail,'\$.table')='$2'
       OR json_extract(detail,'\$.table') LIKE '%\\_$2' ESCAPE '\\' OR json_extract(detail,'\$.canonical_table')='$2')
       AND json(json_extract(detail,'\$.pk'))=json('$3')${4:+ AND json_extract(detail,'\$.column')='$4'}"
  }
  n=$(jq '.db_injections | length' "$truth")
  for i in $(seq 0 $((n - 1))); do
    t=$(jq -r ".db_injections[$i].table" "$truth"); pk=$(jq -c ".db_injections[$i].pk" "$truth")
    c=$(jq -r ".db_injections[$i].column" "$truth")
    [ "$(found storedb.injected_script "$t" "$pk" "$c")" -ge 1 ] || fail "$platform: injection $t $pk $c not found"
  done
  n=$(jq '.rogue_accounts | length' "$truth")
  for i in $(seq 0 $((n - 1))); do
    t=$(jq -r ".rogue_accounts[$i].table" "$truth"); pk=$(jq -c ".rogue_accounts[$i].pk" "$truth")
    [ "$(found storedb.rogue_admin "$t" "$pk")" -ge 1 ] || fail "$platform: rogue account $t $pk not found"
  done
  n=$(jq '.tokens | length' "$truth")
  for i in $(seq 0 $((n - 1))); do
    t=$(jq -r ".tokens[$i].table" "$truth"); pk=$(jq -c ".tokens[$i].pk" "$truth")
    [ "$(found storedb.token "$t" "$pk")" -ge 1 ] || fail "$platform: token $t $pk not found"
  done
  for u in $(jq -r '.admins[] | select(.legit) | .username' "$truth"); do
    [ "$(q "SELECT count(*) FROM findings WHERE kind='storedb.rogue_admin' AND json_extract(detail,'\$.username')='$u'")" = 0 ] \
      || fail "$platform: legitimate admin $u flagged"
  done
  for t in $(jq -r '.row_counts | keys[]' "$truth"); do
    want=$(jq -r ".row_counts[\"$t\"]" "$truth")
    got=$(q "SELECT row_count FROM storedb_table WHERE table_name='$t' OR canonical='$t' ORDER BY table_name='$t' DESC LIMIT 1")
    [ "$got" = "$want" ] || fail "$platform: $t has $got rows, truth $want"
  done
  # Nothing else is high: every high or critical storedb finding is one of the truth's
  # injected rows, rogue accounts or tokens (the dump is on the platforms' real schemas, with
  # look-alikes such as a tag-manager snippet in design/head/includes and an inline base64 image).
  python3 - "$truth" "$case/case.db" <<'P' || fail "$platform: a clean row rated high"
import json, sqlite3, sys
truth = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
def canon(t):
    for pre in ("wp_", "wp2_"):
        if t.startswith(pre):
            return t[len(pre):]
    return t
known = set()
for key in ("db_injections", "rogue_accounts", "tokens"):
    for x in truth.get(key, []):
        known.add((canon(x["table"]), json.dumps(x["pk"], sort_keys=True)))
bad = []
for kind, sev, detail in db.execute("select kind, severity, detail from findings where "
                                    "component = 'storedb' and severity in ('high','critical')"):
    d = json.loads(detail)
    t = canon(d.get("canonical_table") or d.get("table", ""))
    pk = json.dumps(d.get("pk"), sort_keys=True)
    if (t, pk) not in known:
        bad.append((kind, sev, d.get("table"), d.get("pk"), d.get("column")))
for b in bad:
    print("  high finding outside the truth:", b)
sys.exit(1 if bad else 0)
P
  # The nightly backup from before the breach: the same real-schema store with no injection
  # gives no finding at high or critical.
  $TOURNIQUET init "$case-before" --name "backup $scenario" --platform "$(jq -r .platform "$truth")" \
    --store-url "$(jq -r .store_url "$truth")" --timezone "$(jq -r .timezone "$truth")" >/dev/null
  $TOURNIQUET --case "$case-before" collect --label db "$out/backup/store-before.sql" >/dev/null
  $TOURNIQUET --case "$case-before" investigate --only storedb >/dev/null 2>&1 || true
  loud=$(sqlite3 "$case-before/case.db" "SELECT count(*) FROM findings WHERE severity IN ('high','critical')")
  rows=$(sqlite3 "$case-before/case.db" "SELECT sum(row_count) FROM storedb_table")
  [ "$loud" = 0 ] || fail "$platform: the clean backup has $loud high findings: $(sqlite3 "$case-before/case.db" "SELECT kind||' '||summary FROM findings WHERE severity IN ('high','critical') LIMIT 3")"
  [ "${rows:-0}" -gt 1000 ] || fail "$platform: the backup was not read ($rows rows)"
  echo "$platform: clean backup, $rows rows, 0 high findings"
  for cat in $(jq -r '.data_categories[]' "$truth"); do
    [ "$(q "SELECT count(*) FROM storedb_pii_column WHERE category='$cat'")" -ge 1 ] \
      || fail "$platform: category $cat missing from the PII map"
  done
  # Same dump, same case: the parser on its own thread (--db-threads 2) writes every storedb
  # table and finding exactly as the single-thread path does, row for row.
  for th in 1 2; do
    $TOURNIQUET init "$case-t$th" --name "threads $th" --platform "$(jq -r .platform "$truth")" \
      --store-url "$(jq -r .store_url "$truth")" >/dev/null
    $TOURNIQUET --case "$case-t$th" collect --label db "$dump" >/dev/null
    $TOURNIQUET --case "$case-t$th" investigate --only storedb --db-threads $th >/dev/null 2>&1 || true
    for t in storedb_table storedb_pii_column storedb_problem storedb_customer storedb_order; do
      sqlite3 "$case-t$th/case.db" "SELECT * FROM $t ORDER BY rowid"
    done >"$case-t$th.tables"
    sqlite3 "$case-t$th/case.db" "SELECT platform,table_prefix,bytes,statements,tables,rows,
      rows_skipped,problems FROM storedb_dump; SELECT kind,severity,summary,detail,dedupe_key
      FROM findings ORDER BY dedupe_key" >>"$case-t$th.tables"
  done
  [ "$(grep -c . "$case-t1.tables")" -gt 1000 ] || fail "$platform: too few rows to compare"
  cmp -s "$case-t1.tables" "$case-t2.tables" \
    || fail "$platform: --db-threads 2 wrote other tables: $(diff "$case-t1.tables" "$case-t2.tables" | head -5)"
done
echo ok
