#!/usr/bin/env bash
# Load benchmark of `tourniquet serve`: wrk on loopback, 50 connections, against the
# dashboard (/api/case), the timeline API (/api/timeline, first page and a filtered page) and
# the UI page. Prints requests/s, p99 latency and the server's peak memory (VmHWM).
#
# The case: $TQ_BENCH_CASE if set (e.g. a drilled and investigated case at the large size),
# else (or when it does not exist yet) a synthetic one with the shape of a large drill: FINDINGS findings with event times
# (the timeline), evidence items, attackers with addresses, affected people in 30
# jurisdictions, tasks. Needs wrk, sqlite3, curl.
set -euo pipefail
TOURNIQUET="${TOURNIQUET:-build/src/cli/tourniquet}"
DURATION="${DURATION:-10s}"
FINDINGS="${FINDINGS:-200000}"
for tool in wrk sqlite3 curl; do
  command -v $tool >/dev/null || { echo "server_load: $tool not installed, skipped"; exit 0; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/tq-server-bench.XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# TQ_BENCH_CASE naming a directory that does not exist yet: the synthetic case is made
# there and kept, for re-runs.
case_dir="${TQ_BENCH_CASE:-$work/case}"
if [ ! -e "$case_dir/case.db" ]; then
  "$TOURNIQUET" init "$case_dir" --name "server load bench" --platform magento \
    --discovered-at 2026-01-10T08:00:00Z >/dev/null
  start=$(date +%s.%N)
  sqlite3 "$case_dir/case.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 50000)
INSERT INTO evidence_items(sha256,label,original_path,kind,size,collected_at)
  SELECT printf('%064x', i), 'logs', '/var/log/nginx/access.log.' || i, 'file', 1000000, 1768032000000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $FINDINGS)
INSERT INTO findings(kind,component,severity,confidence,summary,evidence_id,evidence_sha256,line,
  event_time,rule,dedupe_key,created_at,updated_at)
  SELECT 'log.rule_hit','logs', CASE i % 5 WHEN 0 THEN 'high' WHEN 1 THEN 'critical' ELSE 'medium' END,
    0.8, 'GET /pub/media/wysiwyg/x' || i || '.php?cmd=id UA: Mozilla/5.0 <script>x</script> from 203.0.' || (i % 250) || '.' || (i % 200),
    1 + i % 50000, printf('%064x', 1 + i % 50000), i, 1767000000000000 + i * 1000000, 'webshell_access',
    'bench:' || i, 1768032000000000, 1768032000000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
INSERT INTO attackers(label,confidence,first_seen,last_seen,reasons)
  SELECT 'cluster-' || i, 0.5 + (i % 50) / 100.0, 1767000000000000 + i, 1768000000000000 + i, '["rule hits"]' FROM n;
INSERT INTO attacker_addresses SELECT id, '198.51.100.' || (id % 250) FROM attackers;
INSERT INTO attacker_addresses SELECT id, '2001:db8::' || id FROM attackers;
CREATE TABLE IF NOT EXISTS scope_person (id INTEGER PRIMARY KEY, email TEXT, name TEXT,
  country TEXT, region TEXT, categories TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 50000)
INSERT INTO scope_person(email,name,country,region,categories)
  SELECT 'customer' || i || '@example.test', 'Customer ' || i,
    substr('DEFRITESNLBEATPLSEDKFIIEPTCZGRHUROBGHRSKSILTLVEEUSCAGBAUCH', 1 + 2 * (i % 29), 2),
    CASE WHEN i % 29 = 25 THEN 'CA' ELSE '' END, 'email,name' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200)
INSERT INTO tasks(title,phase,owner,status,due_at,source,created_at,updated_at)
  SELECT 'Task ' || i, 1 + i % 5, CASE WHEN i % 3 = 0 THEN '' ELSE 'owner' || (i % 7) END,
    CASE WHEN i % 4 = 0 THEN 'done' ELSE 'open' END, 1768300000000000 + i * 3600000000,
    'manual', 1768032000000000, 1768032000000000 FROM n;
COMMIT;
SQL
  printf 'synthetic case: %s findings, 50000 evidence items, 500 attackers, 50000 people (%.1f s)\n' \
    "$FINDINGS" "$(echo "$(date +%s.%N) - $start" | bc)"
fi
TOURNIQUET_PASSWORD="bench-password-1" "$TOURNIQUET" --case "$case_dir" user add bench --role lead >/dev/null

start_server() {
  "$TOURNIQUET" --case "$case_dir" serve --port 0 "$@" >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  base=
  for _ in $(seq 100); do
    base=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/serve.out" || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "serve did not start"; cat "$work/serve.err"; exit 1; }
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"name":"bench","password":"bench-password-1"}' "$base/api/login" |
    grep -i '^set-cookie:' | sed 's/^[Ss]et-[Cc]ookie: *//; s/;.*//')
  [ -n "$cookie" ] || { echo "login failed"; exit 1; }
}
stop_server() {
  peak=$(awk '/VmHWM/ {print $2}' /proc/$server_pid/status)
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}
run() {  # label connections path
  out=$(wrk -t2 -c"$2" -d"$DURATION" --latency -H "Cookie: $cookie" "$base$3" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errs=$(awk '/Socket errors/ {print $0}' <<<"$out" | sed 's/ *Socket errors: *//')
  echo "| $1 | $3 | $2 | $rps | $p50 | $p99 | ${bad:-0} ${errs} |"
}

echo "| mode | endpoint | connections | requests/s | p50 | p99 | non-2xx / socket errors |"
echo "|---|---|---|---|---|---|---|"
start_server
for path in /api/case /api/timeline "/api/timeline?offset=100000&limit=200" /; do
  run cached 50 "$path"
done
stop_server
echo "server peak memory (cached run): ${peak} kB (VmHWM)"
start_server --no-cache
for path in /api/case /api/timeline "/api/timeline?offset=100000&limit=200"; do
  run uncached 50 "$path"
done
# A substring filter scans the whole timeline (no full-text index): measured at 4 connections.
run uncached 4 "/api/timeline?q=x4242&limit=200"
stop_server
echo "server peak memory (uncached run): ${peak} kB (VmHWM)"
