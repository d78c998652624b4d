# Whole-command benchmark of the store database path, in one run on the same dump:
#   1. generate a Magento-shaped mysqldump of $TQ_BENCH_DB_MB megabytes (default 1024)
#   2. `mariadb shop < dump` into a MariaDB started here on loopback (the peer: loading)
#   3. `tourniquet collect-mysql` of that database (read-only snapshot -> evidence)
#   4. `tourniquet investigate --only storedb` (parse + scans + PII map + customers)
# Prints MB/s for each and the peak RSS of tourniquet. Skips when mariadbd is absent.
set -euo pipefail
MB="${TQ_BENCH_DB_MB:-1024}"
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[ -x "$MARIADBD" ] || { echo "storedb bench: mariadbd not installed, skipped"; exit 0; }
: "${TOURNIQUET:?set TOURNIQUET to the built binary}" "${TQ_SOURCE_DIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tq-bench-db.XXXXXX")
sock="$tmp/my.sock"
cleanup() {
  mariadb-admin --no-defaults --socket="$sock" -uroot shutdown >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f MB/s (%.1f s)", b / 1048576 / s, s }'; }

awk -v MB="$MB" -v BASE="$TQ_SOURCE_DIR/fuzz/corpus/storedb_dump/magento_small.sql" \
  -f "$TQ_SOURCE_DIR/bench/storedb_gen_dump.awk" > "$tmp/dump.sql"
bytes=$(stat -c %s "$tmp/dump.sql")
echo "dump: $bytes bytes"

mariadb-install-db --no-defaults --datadir="$tmp/db" --auth-root-authentication-method=normal \
  --skip-test-db --user="$(id -un)" >/dev/null 2>&1
port=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
"$MARIADBD" --no-defaults --datadir="$tmp/db" --socket="$sock" --port="$port" \
  --bind-address=127.0.0.1 --user="$(id -un)" --skip-name-resolve --skip-log-bin \
  --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
  --log-error="$tmp/err.log" --pid-file="$tmp/my.pid" &
for i in $(seq 1 100); do
  mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 && break; sleep 0.2
done
mariadb --no-defaults --socket="$sock" -uroot -e "CREATE DATABASE shop;
  CREATE USER 'bench'@'%' IDENTIFIED BY 'bench'; GRANT SELECT ON shop.* TO 'bench'@'%';"

t0=$(now); mariadb --no-defaults --socket="$sock" -uroot shop < "$tmp/dump.sql"; t1=$(now)
echo "mariadb < dump (load):            $(rate "$bytes" "$(echo "$t1 - $t0" | bc)")"

"$TOURNIQUET" init "$tmp/case" --name bench --platform magento >/dev/null
t0=$(now)
TOURNIQUET_MYSQL_PASSWORD=bench /usr/bin/time -f "%M" -o "$tmp/rss1" "$TOURNIQUET" --case "$tmp/case" \
  collect-mysql "host=127.0.0.1;port=$port;user=bench;database=shop" </dev/null >/dev/null
t1=$(now)
snap=$(sqlite3 "$tmp/case/case.db" "SELECT size FROM evidence_items WHERE label='db'")
echo "tourniquet collect-mysql:         $(rate "$snap" "$(echo "$t1 - $t0" | bc)"), peak RSS $(cat "$tmp/rss1") KB"

t0=$(now)
/usr/bin/time -f "%M" -o "$tmp/rss2" "$TOURNIQUET" --case "$tmp/case" investigate --only storedb \
  >/dev/null 2>&1 || true
t1=$(now)
echo "tourniquet investigate (storedb): $(rate "$snap" "$(echo "$t1 - $t0" | bc)"), peak RSS $(cat "$tmp/rss2") KB"
echo "rows: $(sqlite3 "$tmp/case/case.db" "SELECT rows FROM storedb_dump") orders: $(sqlite3 "$tmp/case/case.db" "SELECT count(*) FROM storedb_order")"
