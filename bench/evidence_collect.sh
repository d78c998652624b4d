#!/usr/bin/env bash
# Whole-command benchmark: `tourniquet collect` of a tree of many small files (a web root's
# shape: 20,000 files, 200 MB by default) against `tar c SRC | sha256sum` on the same data
# in the same run, both with a warm page cache, RUNS times interleaved (tar, collect, tar,
# collect, ...; each collect into a fresh case). Prints the best and median wall time of each,
# peak RSS, the load average, and the throughput ratio of the bests and of the medians.
#   BENCH_FILES=20000 BENCH_MB=200 RUNS=3 bash bench/evidence_collect.sh
set -euo pipefail
T="${TOURNIQUET:?set TOURNIQUET to the tourniquet binary}"
files="${BENCH_FILES:-20000}"
mb="${BENCH_MB:-200}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tq-bench-evidence.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
src="$work/webroot"
python3 - "$src" "$files" "$mb" <<'PY'
import os, random, sys
root, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
avg = mb * 1_000_000 // n
chunk = os.urandom(1 << 20)
for i in range(n):
    d = os.path.join(root, f"app/code/m{i % 97}/d{i % 13}")
    os.makedirs(d, exist_ok=True)
    size = max(1, int(rng.expovariate(1 / avg)))
    off = rng.randrange(0, len(chunk))
    data = (chunk[off:] + chunk)[:size] if size <= len(chunk) else os.urandom(size)
    with open(os.path.join(d, f"f{i}.php"), "wb") as f:
        f.write(data)
PY
bytes=$(du -sb "$src" | cut -f1)
runs="${RUNS:-3}"
timed() { /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null; cat "$work/time"; }
tar c -C "$work" webroot | sha256sum >/dev/null   # warm the page cache
load=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$work/results"
for i in $(seq 1 "$runs"); do
  echo "tar $(timed sh -c "tar c -C '$work' webroot | sha256sum")" >> "$work/results"
  "$T" init "$work/case$i" --name bench >/dev/null
  echo "tq $(timed "$T" --case "$work/case$i" --quiet collect --label webroot "$src")" >> "$work/results"
done
python3 - "$bytes" "$files" "$work/results" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
b, n = int(sys.argv[1]), int(sys.argv[2])
rows = {"tar": [], "tq": []}
for line in open(sys.argv[3]):
    who, wall, kb = line.split()
    rows[who].append((float(wall), int(kb)))
print(f"data: {n} files, {b/1e6:.1f} MB; {len(rows['tq'])} interleaved runs; "
      f"load average {sys.argv[4]} before, {sys.argv[5]} after")
best, med = {}, {}
for who, name in (("tar", "tar c | sha256sum"), ("tq", "tourniquet collect")):
    walls = [w for w, _ in rows[who]]
    best[who], med[who] = min(walls), statistics.median(walls)
    peak = max(k for _, k in rows[who]) / 1024
    print(f"{name + ':':<20} best {best[who]:6.2f} s  median {med[who]:6.2f} s  "
          f"{b/1e6/best[who]:7.1f} MB/s  {n/best[who]:8.0f} files/s  peak RSS {peak:5.0f} MB")
print(f"ratio (collect / tar|sha256sum throughput): best {best['tar']/best['tq']:.2f}, "
      f"median {med['tar']/med['tq']:.2f}  (goal >= 0.50)")
PY
