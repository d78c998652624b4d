#!/usr/bin/env bash
# Whole-command benchmark: `tourniquet collect` of a tree of many small files (a web root's
# shape: 20,000 files, 200 MB by default) against `tar c SRC | sha256sum` on the same data
# in the same run, both with a warm page cache. Prints both throughputs and the ratio.
#   BENCH_FILES=20000 BENCH_MB=200 bash bench/evidence_collect.sh
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
now() { date +%s.%N; }
tar c -C "$work" webroot | sha256sum >/dev/null   # warm the page cache
t0=$(now); tar c -C "$work" webroot | sha256sum >/dev/null; t1=$(now)
"$T" init "$work/case" --name bench >/dev/null
t2=$(now); "$T" --case "$work/case" --quiet collect --label webroot "$src" >/dev/null; t3=$(now)
python3 - "$bytes" "$files" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
b, n = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:])
tar, tq = t1 - t0, t3 - t2
print(f"data: {n} files, {b/1e6:.1f} MB")
print(f"tar c | sha256sum:   {tar:6.2f} s  {b/1e6/tar:7.1f} MB/s  {n/tar:8.0f} files/s")
print(f"tourniquet collect:  {tq:6.2f} s  {b/1e6/tq:7.1f} MB/s  {n/tq:8.0f} files/s")
print(f"ratio (collect / tar|sha256sum throughput): {tar/tq:.2f}  (goal >= 0.80)")
PY
