#!/usr/bin/env bash
# Whole-command benchmark of `tourniquet drill`: access-log lines per second, MB/s, and the
# time for a 2 GB log set (DRILL_BENCH_REQUESTS=8000000 runs the real 2 GB set; the default
# drills 1.5M lines, ~0.45 GB, and extrapolates, so `make bench` stays short).
set -euo pipefail
bin="${TOURNIQUET:?set TOURNIQUET to the tourniquet binary}"
requests="${DRILL_BENCH_REQUESTS:-1500000}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drill-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)
/usr/bin/time -f '%U %S %M' -o "$tmp/time" \
  "$bin" --json drill "$tmp/out" --seed 1 --scenario cosmicsting --days 14 --customers 2000 \
  --requests "$requests" --threads "${DRILL_BENCH_THREADS:-2}" >"$tmp/sum.json"
end=$(date +%s.%N)
read -r user sys rss <"$tmp/time"
lines=$(jq .log_lines "$tmp/sum.json")
bytes=$(jq .log_bytes "$tmp/sum.json")
python3 - "$start" "$end" "$user" "$sys" "$rss" "$lines" "$bytes" <<'PY'
import sys
start, end, user, sys_, rss, lines, nbytes = map(float, sys.argv[1:])
wall = end - start
cpu = user + sys_
print('drill: %d lines, %.0f MB of logs (gzip level 6 for rotated days)' % (lines, nbytes / 1e6))
print('  wall %.2f s, cpu %.2f s, max RSS %.0f MB' % (wall, cpu, rss / 1024))
print('  %.0f lines/s, %.1f MB/s (wall); %.0f lines/s per CPU-second' %
      (lines / wall, nbytes / 1e6 / wall, lines / cpu))
print('  2 GB log set: %.1f s at this wall rate; %.1f s if both cores are free (cpu/2)' %
      (2e9 / (nbytes / wall), 2e9 / (nbytes / cpu) / 2))
PY
