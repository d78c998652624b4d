# Bad input for export and investigate --clickhouse, against a real ClickHouse 18.16 on
# loopback: an unreachable server and a wrong password (exit 6), a column map naming a missing
# column and a table whose column has the wrong type (exit 3), a server error in the middle of
# a scan (exit 6): each message names the URL, and the table when there is one. Then resume:
# an export killed with -9 in the middle, and one whose server was killed in the middle, each
# re-run to exactly the rows of one export (nothing twice). Skips (77) without the server.
source "$TQ_SOURCE_DIR/tests/e2e/warehouse_lib.bash"
ch_require
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; [ -f err.txt ] && cat err.txt >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
trap ch_stop_all EXIT
ch_start A || fail "clickhouse did not start"
U="http://127.0.0.1:$CH_HTTP_A"
"$T" drill dr --seed 3 --scale small --days 5 --scenario cosmicsting > /dev/null 2>&1 || fail drill
"$T" init case --name errors > /dev/null
# One rotated file (about a fifth of the drill) keeps the test short.
"$T" --case case --quiet collect --label logs dr/logs/access.log.2.gz > /dev/null
expect() {  # expect RC PATTERN... : the last command's exit code and stderr
  local want=$1; shift
  [ "$rc" -eq "$want" ] || fail "exit $rc, want $want"
  for p in "$@"; do grep -q -- "$p" err.txt || fail "message lacks '$p': $(cat err.txt)"; done
}

# Unreachable (a port nothing listens on).
dead="http://127.0.0.1:$(ch_free_port)"
rc=0; "$T" --case case export clickhouse "$dead" 2> err.txt > /dev/null || rc=$?
expect 6 "$dead"
rc=0; "$T" --case case investigate --only logs --clickhouse "$dead" --source t.r 2> err.txt > /dev/null || rc=$?
expect 6 "$dead"
# Wrong password; then the right one works.
rc=0; TOURNIQUET_CLICKHOUSE_PASSWORD=wrong "$T" --case case export clickhouse "$U" --user tq 2> err.txt > /dev/null || rc=$?
expect 6 "$U" "Wrong password"
# A password in the URL is refused before anything is sent.
rc=0; "$T" --case case export clickhouse "http://tq:tq-pw@127.0.0.1:$CH_HTTP_A" 2> err.txt > /dev/null || rc=$?
expect 2 "no credentials in the URL"

# Export, then kill -9 in the middle of a second export to another database, then re-run.
TOURNIQUET_CLICKHOUSE_PASSWORD=tq-pw "$T" --case case --json export clickhouse "$U" --user tq --database whole > whole.json || fail "export"
total=$(ch_sql "$CH_HTTP_A" "SELECT count() FROM whole.tq_requests")
[ "$total" -gt 3000 ] || fail "only $total rows exported"
"$T" --case case --quiet export clickhouse "$U" --database killed --batch-rows 500 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  n=$(ch_sql "$CH_HTTP_A" "SELECT count() FROM killed.tq_batches" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 3 ] 2>/dev/null && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
part=$(ch_sql "$CH_HTTP_A" "SELECT count() FROM killed.tq_requests")
[ "$part" -lt "$total" ] || echo "note: the export finished before the kill ($part rows)"
"$T" --case case --quiet export clickhouse "$U" --database killed --batch-rows 500 > /dev/null || fail "re-run after kill -9"
[ "$(ch_sql "$CH_HTTP_A" "SELECT count() FROM killed.tq_requests")" = "$total" ] || fail "rows after resume: $(ch_sql "$CH_HTTP_A" "SELECT count() FROM killed.tq_requests"), want $total"
[ "$(ch_sql "$CH_HTTP_A" "SELECT count() FROM (SELECT sha256, line_no FROM killed.tq_requests GROUP BY sha256, line_no HAVING count() > 1)")" = 0 ] || fail "duplicate rows after resume"
echo "kill -9 after $part of $total rows: resumed to $total, no duplicates"

# A column map naming a column the table lacks: exit 3, URL and table named.
printf '[columns]\nclient = "NoSuchColumn"\n' > bad.toml
rc=0; "$T" --case case investigate --only logs --clickhouse "$U" --source whole.tq_requests --columns bad.toml 2> err.txt > /dev/null || rc=$?
expect 3 "$U" "whole.tq_requests" "NoSuchColumn"
# A column map that is not one: file and line.
printf '[columns]\nclient = "a"\nnot a mapping\n' > broken.toml
rc=0; "$T" --case case investigate --only logs --clickhouse "$U" --source whole.tq_requests --columns broken.toml 2> err.txt > /dev/null || rc=$?
expect 3 "broken.toml:3:"
# A table whose column has another type: the insert fails with exit 3, URL and table named.
ch_sql "$CH_HTTP_A" "CREATE DATABASE typed" > /dev/null
ch_sql "$CH_HTTP_A" "$(ch_sql "$CH_HTTP_A" "SHOW CREATE TABLE whole.tq_requests FORMAT TabSeparatedRaw" | sed 's/^CREATE TABLE whole\./CREATE TABLE typed./; s/ client String,/ client UInt32,/')" > /dev/null
rc=0; "$T" --case case export clickhouse "$U" --database typed 2> err.txt > /dev/null || rc=$?
expect 3 "$U" "typed" "tq_requests"
# A server error in the middle of the scan (the user may read 1,000 rows): exit 6, named.
rc=0; "$T" --case case investigate --only logs --clickhouse "$U" --clickhouse-user limited --source whole.tq_requests 2> err.txt > /dev/null || rc=$?
expect 6 "$U" "whole.tq_requests"
# The server killed in the middle of an export: exit 6; restarted, the re-run completes it.
"$T" --case case --quiet export clickhouse "$U" --database crash --batch-rows 500 > /dev/null 2> err.txt &
pid=$!
for _ in $(seq 1 200); do
  n=$(ch_sql "$CH_HTTP_A" "SELECT count() FROM crash.tq_batches" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 3 ] 2>/dev/null && break
  sleep 0.05
done
kill -9 "$CH_PID_A"; wait "$CH_PID_A" 2>/dev/null || true
rc=0; wait $pid || rc=$?
[ "$rc" -eq 6 ] || [ "$rc" -eq 0 ] || fail "export with its server killed: exit $rc"
[ "$rc" -eq 0 ] || grep -q "$U" err.txt || fail "no URL in: $(cat err.txt)"
ch_start A "" "$CH_HTTP_A" "$CH_TCP_A" || fail "restart"
"$T" --case case --quiet export clickhouse "$U" --database crash --batch-rows 500 > /dev/null || fail "re-run after the server came back"
[ "$(ch_sql "$CH_HTTP_A" "SELECT count() FROM crash.tq_requests")" = "$total" ] || fail "rows after the server crash: $(ch_sql "$CH_HTTP_A" "SELECT count() FROM crash.tq_requests")"
echo ok
