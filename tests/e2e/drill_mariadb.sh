#!/usr/bin/env bash
# The drilled dumps load into a real MariaDB server (started here on loopback, in a temporary
# datadir) without error, with the row counts truth.json states; the attacker's gzip'd copy
# in the web root loads too. Skips (77) only when mariadbd is not installed.
set -euo pipefail
MARIADBD=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)
if [[ -z "$MARIADBD" ]] || ! command -v mariadb-install-db >/dev/null; then
  echo "mariadbd not installed: skipping"
  exit 77
fi
"$TOURNIQUET" drill magento --seed 7 --scenario trojanorder --quiet >/dev/null
"$TOURNIQUET" drill woo --seed 7 --scenario woo-stuffing --quiet >/dev/null

data="$TQ_TMP/mysql"
sock="$TQ_TMP/mysql.sock"
mkdir -p "$data"
user_opt=()
[[ $(id -u) -eq 0 ]] && user_opt=(--user=root)
mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=normal \
  "${user_opt[@]}" --skip-test-db >"$TQ_TMP/install.log" 2>&1 || {
  cat "$TQ_TMP/install.log"
  exit 1
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MARIADBD" --no-defaults --datadir="$data" --socket="$sock" --port="$port" \
  --bind-address=127.0.0.1 --skip-networking=0 --skip-grant-tables "${user_opt[@]}" \
  --pid-file="$TQ_TMP/mysql.pid" --log-error="$TQ_TMP/mysql.err" --innodb-buffer-pool-size=64M \
  --innodb-log-file-size=48M --skip-log-bin &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  mariadb --no-defaults --socket="$sock" -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
sql() { mariadb --no-defaults --socket="$sock" "$@"; }

check() {  # DB OUT
  local db=$1 out=$2
  sql -e "CREATE DATABASE $db"
  # Strict mode on top of the dump's own SQL_MODE: every value must fit its column.
  sed "s/SQL_MODE='NO_AUTO_VALUE_ON_ZERO'/SQL_MODE='NO_AUTO_VALUE_ON_ZERO,STRICT_ALL_TABLES'/" "$out/db/store.sql" | sql "$db"
  # Every table and count truth.json states must match the loaded database.
  jq -r '.row_counts | to_entries[] | "\(.key) \(.value)"' "$out/truth.json" |
    while read -r table want; do
      got=$(sql -N -e "SELECT COUNT(*) FROM \`$table\`" "$db")
      if [[ "$got" != "$want" ]]; then
        echo "$db.$table: $got rows, truth.json says $want"
        exit 1
      fi
    done
  ntables=$(jq '.row_counts | length' "$out/truth.json")
  loaded=$(sql -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$db'")
  [[ "$ntables" == "$loaded" ]] || { echo "$db: $loaded tables loaded, truth lists $ntables"; exit 1; }
  # The attacker's copy (gzip'd mysqldump in the web root).
  leak=$(jq -r '.files[] | select(.kind=="dump") | .path' "$out/truth.json")
  if [[ -n "$leak" ]]; then
    sql -e "CREATE DATABASE ${db}_leak"
    zcat "$out/webroot/$leak" | sql "${db}_leak"
  fi
}
check magento magento
check woo woo
# Injected rows are where the truth says.
pk=$(jq -r '.rogue_accounts[0].pk.user_id' magento/truth.json)
name=$(sql -N -e "SELECT username FROM admin_user WHERE user_id=$pk" magento)
[[ "$name" == "$(jq -r '.rogue_accounts[0].username' magento/truth.json)" ]] || {
  echo "rogue admin $pk is '$name'"
  exit 1
}
pk=$(jq -r '.db_injections[0].pk.entity_id' magento/truth.json)
sql -N -e "SELECT firstname FROM sales_order_address WHERE entity_id=$pk" magento | grep -q 'addAfterFilterCallback' || {
  echo "payload not in sales_order_address $pk"
  exit 1
}
key=$(jq -r '.tokens[0].pk.key_id' woo/truth.json)
[[ $(sql -N -e "SELECT description FROM wp_woocommerce_api_keys WHERE key_id=$key" woo) == sync ]]
# Every US state and at least 20 countries among customers.
states=$(sql -N -e "SELECT COUNT(DISTINCT region) FROM customer_address_entity WHERE country_id='US'" magento)
countries=$(sql -N -e "SELECT COUNT(DISTINCT country_id) FROM customer_address_entity" magento)
[[ "$states" -ge 51 && "$countries" -ge 20 ]] || { echo "states $states countries $countries"; exit 1; }
echo "ok: dumps load, row counts match truth.json ($states US regions, $countries countries)"
