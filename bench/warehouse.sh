#!/usr/bin/env bash
# Whole-command benchmark of the ClickHouse scale-out (issue 27; make bench, not make test):
# a drilled store's logs (large scale: ~2 GB, 7 M requests) exported to ClickHouse 18.16 on
# loopback (rows/s), then the shipped pack run in the cluster on one server and on two local
# shards (a Distributed table over halves of the rows), against the local logs stage on the
# same evidence. Wall time and peak memory of tourniquet (/usr/bin/time), median of
# TQ_BENCH_RUNS (3) interleaved runs; the server's own time for the scan query from the JSON.
# Both shards share this machine's cores, so two shards measure the cost of the distribution,
# not a speed-up; on two machines each shard scans half.
#   TQ_WAREHOUSE_SCALE (large), TQ_WAREHOUSE_DAYS (the scale's), TQ_BENCH_DIR (/tmp/tq-bench-wh)
set -euo pipefail
T="${TOURNIQUET:?}"
SRC="${TQ_SOURCE_DIR:?}"
dir="${TQ_BENCH_DIR:-/tmp/tq-bench-wh}"
runs="${TQ_BENCH_RUNS:-3}"
scale="${TQ_WAREHOUSE_SCALE:-large}"
mkdir -p "$dir"
export TQ_TMP="$dir" CH_BASE="$dir"
source "$SRC/tests/e2e/warehouse_lib.bash"
[ -n "$CH_SERVER" ] || { echo "warehouse: clickhouse-server not installed, skipped"; exit 0; }
trap ch_stop_all EXIT
rm -rf "$dir/ch_A" "$dir/ch_B"
ch_two_shards A B
A=$CH_HTTP_A

store="$dir/store-$scale${TQ_WAREHOUSE_DAYS:+-$TQ_WAREHOUSE_DAYS}"
if [ ! -f "$store/truth.json" ]; then
  "$T" drill "$store" --scenario cosmicsting --seed 1 --scale "$scale" \
    ${TQ_WAREHOUSE_DAYS:+--days "$TQ_WAREHOUSE_DAYS"} > /dev/null
fi
# The logs' size as read: gzip-rotated files counted uncompressed.
bytes=$(for f in "$store"/logs/*; do case $f in *.gz) zcat "$f" | wc -c ;; *) wc -c < "$f" ;; esac; done |
  awk '{s += $1} END {print s}')
disk=$(du -cb "$store"/logs/* | tail -1 | cut -f1)
case="$dir/case"
rm -rf "$case"
"$T" init "$case" --name bench > /dev/null
"$T" --case "$case" --quiet collect --label logs "$store/logs" > /dev/null

# Export: once to an empty database (rows/s), then the re-run that finds everything there.
ch_sql "$A" "DROP DATABASE IF EXISTS bench" > /dev/null
/usr/bin/time -f "%e %M" -o "$dir/export.time" "$T" --case "$case" --json export clickhouse \
  "http://127.0.0.1:$A" --database bench > "$dir/export.json"
/usr/bin/time -f "%e %M" -o "$dir/reexport.time" "$T" --case "$case" --json export clickhouse \
  "http://127.0.0.1:$A" --database bench > "$dir/reexport.json"
rows=$(ch_sql "$A" "SELECT count() FROM bench.tq_requests")
read -r ew em < <(tail -1 "$dir/export.time")
read -r rw rm_ < <(tail -1 "$dir/reexport.time")
python3 - "$rows" "$ew" "$em" "$rw" "$bytes" "$disk" <<'PY'
import sys
rows, ew, em, rw, b, d = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"export: {rows} rows from {b/1e6:.0f} MB of logs ({d/1e6:.0f} MB on disk) in {ew:.1f} s = {rows/ew:,.0f} rows/s, "
      f"peak {em/1024:.0f} MB; re-run (nothing to send) {rw:.1f} s")
PY
ch_split "$A" bench tq_requests "$A" "$CH_HTTP_B" "$CH_TCP_A"

# The scans, interleaved: local logs stage, cluster on one server, cluster on two shards.
declare -A wall mem server
for i in $(seq 1 "$runs"); do
  for mode in local one two; do
    args=(investigate --only logs)
    [ $mode = one ] && args+=(--clickhouse "http://127.0.0.1:$A" --source bench.tq_requests)
    [ $mode = two ] && args+=(--clickhouse "http://127.0.0.1:$A" --source sh.all)
    rc=0
    /usr/bin/time -f "%e %M" -o "$dir/$mode.time" "$T" --case "$case" --json "${args[@]}" \
      > "$dir/$mode.json" 2> "$dir/$mode.err" || rc=$?
    [ $rc -le 1 ] || { cat "$dir/$mode.err"; exit 1; }
    read -r w m < <(tail -1 "$dir/$mode.time")
    wall[$mode]+="$w " mem[$mode]+="$m "
    if [ $mode != local ]; then
      server[$mode]+="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['stages']['clickhouse']['seconds']['scan'])" "$dir/$mode.json") "
    fi
  done
done
med() { python3 -c "import statistics,sys;print(statistics.median(float(x) for x in sys.argv[1:]))" $1; }
python3 - "$(med "${wall[local]}")" "$(med "${wall[one]}")" "$(med "${wall[two]}")" \
  "$(med "${mem[local]}")" "$(med "${mem[one]}")" "$(med "${mem[two]}")" \
  "$(med "${server[one]}")" "$(med "${server[two]}")" "$rows" "$runs" \
  "$(python3 -c "import json;print(json.load(open('$dir/one.json'))['stages']['clickhouse']['rows_through_prefilter'])")" <<'PY'
import sys
lw, ow, tw, lm, om, tm, os_, ts, rows, runs, kept = sys.argv[1:]
lw, ow, tw, os_, ts = map(float, (lw, ow, tw, os_, ts))
print(f"scan of {rows} rows, median of {runs} interleaved runs (wall, tourniquet's peak memory):")
print(f"  local logs stage        {lw:7.2f} s  {float(lm)/1024:6.0f} MB")
print(f"  ClickHouse, one server  {ow:7.2f} s  {float(om)/1024:6.0f} MB  (the server's scan query {os_:.2f} s; {kept} rows through the prefilter)")
print(f"  ClickHouse, two shards  {tw:7.2f} s  {float(tm)/1024:6.0f} MB  (scan query {ts:.2f} s: {ts/os_:.2f}x one server's)")
PY
