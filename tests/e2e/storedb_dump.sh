# investigate on SQL dump evidence (plain and gzip, WooCommerce with a table prefix), then
# damaged dumps: the findings survive, the damage is reported as file:line with exit 3, and
# the rows before the damage are kept and counted.
fail() { echo "FAIL: $*"; exit 1; }
src="$TQ_SOURCE_DIR/fuzz/corpus/storedb_dump"

# Until `collect` lands on this branch, a dump is put into the case the way collect stores it:
# the object at evidence/objects/<sha[0:2]>/<sha> (mode 0444) and an evidence_items row.
add_dump() {  # CASE FILE
  if $TOURNIQUET --help | grep -qE "^  collect +"; then
    $TOURNIQUET --case "$1" collect --label db "$2" >/dev/null; return
  fi
  local sha; sha=$(sha256sum "$2" | cut -d' ' -f1)
  mkdir -p "$1/evidence/objects/${sha:0:2}"
  cp "$2" "$1/evidence/objects/${sha:0:2}/$sha"; chmod 0444 "$1/evidence/objects/${sha:0:2}/$sha"
  sqlite3 "$1/case.db" "INSERT INTO evidence_items(sha256,label,original_path,kind,size,collected_at)
    VALUES('$sha','db','$2','file',$(stat -c %s "$2"),0)"
}
q() { sqlite3 "$1/case.db" "$2"; }

# 1. WooCommerce, gzip, prefix wp2_.
gzip -c "$src/woocommerce_small.sql" > woo.sql.gz
$TOURNIQUET init woo --name woo --platform woocommerce --store-url https://www.woo.example.test >/dev/null
add_dump woo "$PWD/woo.sql.gz"
set +e
$TOURNIQUET --case woo --json investigate --only storedb --db-window 2025-10-12T02:30:00Z/2025-10-13T03:00:00Z >woo.json; rc=$?
set -e
[ $rc -eq 1 ] || fail "woo investigate exit $rc"
[ "$(jq -r '.stages.storedb.dumps[0].compression' woo.json)" = gzip ] || fail "compression"
[ "$(jq -r '.stages.storedb.dumps[0].table_prefix' woo.json)" = wp2_ ] || fail "prefix"
[ "$(q woo "SELECT group_concat(json_extract(detail,'\$.username')) FROM findings WHERE kind='storedb.rogue_admin'")" = wpsupport ] \
  || fail "rogue admins: $(q woo "SELECT summary FROM findings WHERE kind='storedb.rogue_admin'")"
[ "$(q woo "SELECT count(*) FROM findings WHERE kind='storedb.injected_script'")" = 2 ] || fail "woo scripts"
# Re-running refreshes, never duplicates.
$TOURNIQUET --case woo investigate --only storedb --db-window 2025-10-12T02:30:00Z/2025-10-13T03:00:00Z >/dev/null || true
[ "$(q woo "SELECT count(*) FROM findings")" = "$(jq -r '.findings' woo.json)" ] || fail "re-run duplicated findings"
[ "$(q woo "SELECT count(*) FROM storedb_order")" = 3 ] || fail "re-run duplicated orders"

# 2. A Magento dump cut mid-statement and with a short row: exit 3, file:line, rows kept.
head -c "$(grep -b -o "INSERT INTO \`mg_sales_order\`" "$src/magento_small.sql" | cut -d: -f1)" "$src/magento_small.sql" > cut.sql
sed -n '/INSERT INTO `mg_sales_order` VALUES/p' "$src/magento_small.sql" | head -c 400 >> cut.sql
$TOURNIQUET init cut --name cut --platform magento >/dev/null
add_dump cut "$PWD/cut.sql"
set +e
$TOURNIQUET --case cut investigate --only storedb >cut.out 2>cut.err; rc=$?
set -e
[ $rc -eq 3 ] || fail "cut dump: exit $rc, want 3"
grep -q "cut.sql:[0-9]*: .*cut off" cut.err || fail "no file:line error: $(cat cut.err)"
[ "$(q cut "SELECT rows_skipped FROM storedb_dump")" = 1 ] || fail "rows_skipped"
[ "$(q cut "SELECT row_count FROM storedb_table WHERE table_name='mg_sales_order'")" = 2 ] || fail "rows before the cut not kept"
[ "$(q cut "SELECT count(*) FROM findings WHERE kind='storedb.injected_script'")" = 3 ] || fail "findings before the cut lost"

# 3. Not a dump at all (random bytes): reported, no crash.
head -c 100000 /dev/urandom > noise.sql
$TOURNIQUET init noise --name noise >/dev/null
add_dump noise "$PWD/noise.sql"
set +e
$TOURNIQUET --case noise investigate --only storedb >/dev/null 2>noise.err; rc=$?
set -e
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "noise: exit $rc"
echo ok
