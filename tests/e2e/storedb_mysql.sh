# collect-mysql against a real MariaDB started here on loopback: load a Magento dump, collect
# it read-only with a password from the environment, check the server's data is unchanged
# (CHECKSUM TABLE before/after), that the evidence object is the exact, read-only snapshot
# (reloading it into a second database gives the same checksums), and that investigate finds
# the planted skimmer, rogue admin and token in it. Skips (77) only when mariadbd is absent.
MARIADBD=$(command -v mariadbd || true)
[ -z "$MARIADBD" ] && [ -x /usr/sbin/mariadbd ] && MARIADBD=/usr/sbin/mariadbd
[ -z "$MARIADBD" ] && { echo "mariadbd not installed"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$TQ_TMP/err.log" ] && tail -5 "$TQ_TMP/err.log"; exit 1; }

db="$TQ_TMP/db" sock="$TQ_TMP/my.sock"
mariadb-install-db --no-defaults --datadir="$db" --auth-root-authentication-method=normal \
  --skip-test-db --user="$(id -un)" >"$TQ_TMP/install.log" 2>&1 || fail "mariadb-install-db"
port=""
for try in 1 2 3 4 5 6 7 8; do
  p=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
  if ! ss -ltn "( sport = :$p )" | grep -q ":$p"; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port"
"$MARIADBD" --no-defaults --datadir="$db" --socket="$sock" --port="$port" \
  --bind-address=127.0.0.1 --user="$(id -un)" --skip-name-resolve --skip-log-bin \
  --innodb-buffer-pool-size=16M --pid-file="$TQ_TMP/my.pid" --log-error="$TQ_TMP/err.log" &
server=$!
cleanup() { mariadb-admin --no-defaults --socket="$sock" -uroot shutdown >/dev/null 2>&1 || kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 1 300); do
  mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 && break
  sleep 0.2
done
sql() { mariadb --no-defaults --socket="$sock" -uroot -N -B "$@"; }
sql -e "SELECT 1" >/dev/null || fail "server did not start"

pw='S3cr3t-Tq-pw'
sql -e "CREATE DATABASE shop; CREATE DATABASE shop_copy;
        CREATE USER 'forensic'@'%' IDENTIFIED BY '$pw';
        GRANT SELECT, SHOW VIEW ON shop.* TO 'forensic'@'%';"
sql shop < "$TQ_SOURCE_DIR/fuzz/corpus/storedb_dump/magento_small.sql" || fail "load dump"
# Bytes every escape must survive: all 256 byte values in a blob, quotes, backslashes, NUL.
sql shop -e "CREATE TABLE mg_blobs (id int primary key, b longblob, t text);
  INSERT INTO mg_blobs VALUES (1, (SELECT CONCAT($(seq -s, 0 255 | sed 's/[0-9]\+/CHAR(&)/g'))),
  CONCAT('it''s a \\\\ \"quote\" ', CHAR(0), ' tab', CHAR(9), ' ^Z', CHAR(26), ' end'));"
tables=$(sql shop -e "SHOW TABLES" | paste -sd, -)
before=$(sql shop -e "CHECKSUM TABLE $tables EXTENDED")

$TOURNIQUET init case --name mysql-e2e --platform magento --store-url https://shop.example.test >/dev/null
dsn="host=127.0.0.1;port=$port;user=forensic;database=shop"

# The password never goes on the command line.
set +e
$TOURNIQUET --case case collect-mysql "$dsn;password=$pw" >/dev/null 2>err.txt; rc=$?
[ $rc -eq 2 ] || fail "password in DSN: exit $rc, want 2"
grep -q "never put the password on the command line" err.txt || fail "password message"
TOURNIQUET_MYSQL_PASSWORD=wrong $TOURNIQUET --case case collect-mysql "$dsn" >/dev/null 2>err.txt </dev/null; rc=$?
[ $rc -eq 6 ] || fail "wrong password: exit $rc, want 6"
grep -q "Access denied" err.txt || fail "wrong password message: $(cat err.txt)"
set -e

TOURNIQUET_MYSQL_PASSWORD="$pw" $TOURNIQUET --case case --json collect-mysql "$dsn" </dev/null >collect.json
sha=$(sed -n 's/.*"sha256": *"\([0-9a-f]*\)".*/\1/p' collect.json)
[ ${#sha} -eq 64 ] || fail "no sha256 in collect output: $(cat collect.json)"
obj="case/evidence/objects/${sha:0:2}/$sha"
[ -f "$obj" ] || fail "evidence object missing"
[ "$(stat -c %a "$obj")" = "444" ] || fail "object mode $(stat -c %a "$obj")"
[ "$(sha256sum "$obj" | cut -d' ' -f1)" = "$sha" ] || fail "object hash"
[ "$(sqlite3 case/case.db "SELECT count(*) FROM evidence_items WHERE label='db' AND sha256='$sha'")" = 1 ] \
  || fail "evidence row"
if grep -q "$pw" case/case.db case/case.db-wal 2>/dev/null; then fail "password stored in the case"; fi

after=$(sql shop -e "CHECKSUM TABLE $tables EXTENDED")
[ "$before" = "$after" ] || fail "server data changed: $before / $after"

# The snapshot is a faithful dump: reloaded, every table has the same checksum.
sql shop_copy < "$obj" || fail "reload snapshot"
copy=$(sql shop_copy -e "CHECKSUM TABLE $tables EXTENDED" | sed 's/^shop_copy\./shop./')
[ "$before" = "$copy" ] || fail "reloaded snapshot differs: $before / $copy"

set +e
$TOURNIQUET --case case investigate --only storedb >inv.txt 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "investigate exit $rc: $(cat inv.txt)"
q() { sqlite3 case/case.db "$1"; }
[ "$(q "SELECT count(*) FROM findings WHERE kind='storedb.injected_script' AND json_extract(detail,'\$.pk.config_id')=4")" = 1 ] || fail "skimmer not found"
[ "$(q "SELECT group_concat(json_extract(detail,'\$.pk.user_id')) FROM findings WHERE kind='storedb.rogue_admin'")" = 4 ] || fail "rogue admins: $(q "SELECT summary FROM findings WHERE kind='storedb.rogue_admin'")"
[ "$(q "SELECT count(*) FROM findings WHERE kind='storedb.token' AND json_extract(detail,'\$.pk.entity_id')=2")" = 1 ] || fail "admin token not found"
[ "$(q "SELECT count(*) FROM storedb_order")" = 3 ] || fail "orders"
echo ok
