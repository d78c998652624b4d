#!/usr/bin/env bash
# Whole-case benchmark: a store of real size, answered command by command, each timed from
# outside (wall seconds and peak RSS, /usr/bin/time), printed as one table.
#   1. drill a breached Magento store: 1,000,000 customers (a ~6 GB dump), about 7 M requests
#      (~2 GB of logs, rotated days gzip'd), and a web root padded to 50,000 files
#   2. init, collect of each evidence kind (logs, webroot, db, host), investigate, scope,
#      notify plan, report: the response a responder runs, from evidence to report
# The drill is not timed (it is the store, not the response). Sizes (defaults = full scale):
#   WHOLE_CUSTOMERS=1000000 WHOLE_REQUESTS=7000000 WHOLE_FILES=50000 bash bench/whole_case.sh
# WORK=DIR keeps the drilled store there (and reuses it when it is already there: KEEP=1
# keeps it after the run); RUNS=N answers the case N times (a fresh case each time, the
# table gives the best and the median). Needs about 3x the dump's size free under WORK.
set -euo pipefail
T="${TOURNIQUET:?set TOURNIQUET to the tourniquet binary}"
customers="${WHOLE_CUSTOMERS:-1000000}"
requests="${WHOLE_REQUESTS:-7000000}"
files="${WHOLE_FILES:-50000}"
runs="${RUNS:-1}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tq-whole-case.XXXXXX")}"
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
store="$work/store"

if [ ! -f "$store/truth.json" ]; then
  rm -rf "$store"
  echo "drilling: $customers customers, ~$requests requests (not timed) ..."
  "$T" drill "$store" --seed 11 --scenario cosmicsting --days 14 --customers "$customers" \
    --requests "$requests" >/dev/null
  # Pad the web root to the size of a real Magento install with vendor-like PHP and JS (the
  # drill's own files, planted ones included, stay as they are).
  python3 - "$store/webroot" "$files" <<'PY'
import os, random, sys
root, want = sys.argv[1], int(sys.argv[2])
have = sum(len(f) for _, _, f in os.walk(root))
rng = random.Random(11)
words = (b"function return public private protected static array string int if else foreach "
         b"while new class namespace use const value name price quantity customer order "
         b"product catalog checkout cart item total shipping").split()
for i in range(max(0, want - have)):
    d = os.path.join(root, "vendor/benchpad/module-%d/%s" % (i % 400, ("Model", "view/frontend/web/js")[i % 5 == 0]))
    os.makedirs(d, exist_ok=True)
    js = i % 5 == 0
    n = max(200, int(rng.expovariate(1 / 9000)))
    out = [b"define([], function () {\n" if js else b"<?php\nnamespace Vendor\\BenchPad\\M%d;\n" % i]
    size = len(out[0])
    while size < n:
        line = b" ".join(rng.choice(words) for _ in range(rng.randrange(4, 14))) + b"(%d);\n" % rng.randrange(10**9)
        out.append(line)
        size += len(line)
    with open(os.path.join(d, "f%d.%s" % (i, "js" if js else "php")), "wb") as f:
        f.write(b"".join(out))
PY
fi
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$store/truth.json" "$1"; }
dump_bytes=$(stat -c %s "$store/db/store.sql")
log_bytes=$(du -sb "$store/logs" | cut -f1)
web_files=$(find "$store/webroot" -type f | wc -l)
web_bytes=$(du -sb "$store/webroot" | cut -f1)
echo "store: dump $((dump_bytes / 1000000)) MB, logs $((log_bytes / 1000000)) MB," \
  "web root $web_files files $((web_bytes / 1000000)) MB; load: $(cut -d' ' -f1-3 /proc/loadavg)"

results="$work/results.tsv"
: >"$results"
# step NAME CMD...: runs the command, records "name wall_s peak_kb"; exit 0 or 1 ("found
# something") is success, anything else stops the benchmark.
step() {
  local name="$1"
  shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out.log" 2>&1 || rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    echo "whole_case: $name failed with exit code $rc:" >&2
    tail -20 "$work/out.log" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$name" "$(tail -1 "$work/time" | tr ' ' '\t')" >>"$results"
}

for run in $(seq 1 "$runs"); do
  case="$work/case"
  chmod -R u+w "$case" 2>/dev/null || true
  rm -rf "$case"
  "$T" init "$case" --name "whole case" --platform magento --store-url "$(field store_url)" \
    --timezone "$(field timezone)" --discovered-at "$(field discovered_at)" >/dev/null
  export TOURNIQUET_CASE="$case"
  step "collect logs" "$T" --quiet collect --label logs "$store/logs"
  step "collect webroot" "$T" --quiet collect --label webroot "$store/webroot"
  step "collect db" "$T" --quiet collect --label db "$store/db/store.sql"
  step "collect host" "$T" --quiet collect --label host "$store/host"
  step "investigate" "$T" --quiet investigate --known-keys "$store/known_keys.pub"
  step "scope" "$T" --quiet scope
  step "notify plan" "$T" --quiet notify plan
  step "report" "$T" --quiet report --draft
  unset TOURNIQUET_CASE
done

python3 - "$results" "$runs" "$dump_bytes" "$log_bytes" <<'PY'
import sys, statistics
path, runs, dump, logs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = {}
order = []
for line in open(path):
    name, wall, kb = line.rstrip("\n").split("\t")
    if name not in rows:
        order.append(name)
    rows.setdefault(name, []).append((float(wall), int(kb)))
print(f"{'command':<16} {'best s':>8} {'median s':>9} {'peak RSS MB':>12}   ({runs} run(s))")
total_best = total_med = 0.0
for name in order:
    walls = [w for w, _ in rows[name]]
    peak = max(k for _, k in rows[name]) / 1024
    best, med = min(walls), statistics.median(walls)
    total_best += best
    total_med += med
    extra = ""
    if name == "collect db":
        extra = f"  {dump / 1e6 / best:.0f} MB/s"
    print(f"{name:<16} {best:8.2f} {med:9.2f} {peak:12.0f}{extra}")
print(f"{'whole response':<16} {total_best:8.2f} {total_med:9.2f}")
PY
