#!/usr/bin/env bash
# Whole-command benchmark of `tourniquet scope` (make bench) at store scale: 1 million customers
# and 3 million orders (scope_bench's case: a dump of everything and a 30-day skimmer, 1.1
# million people affected), timed as the responder runs it, from start to exit, with peak
# memory. Two runs: the first scope of the case, and a second that replaces every row.
#   TQ_BENCH_DIR (default /tmp/tq-bench-scope)
set -euo pipefail
T="${TOURNIQUET:?}"
bench="$(dirname "$T")/../../bench/scope_bench"
dir="${TQ_BENCH_DIR:-/tmp/tq-bench-scope}"
rm -rf "$dir"
mkdir -p "$dir"
# The case as the store reader leaves it; the benchmark runs scope on it once.
TQ_SCOPE_KEEP_CASE="$dir/base" "$bench" --benchmark_filter=BM_RunScope | grep BM_RunScope
# A first scope: the same case without the scope tables.
cp -r "$dir/base" "$dir/first"
sqlite3 "$dir/first/case.db" "DROP TABLE scope_person; DROP TABLE scope_count;
  DROP TABLE scope_exposure; DELETE FROM schema_component WHERE name='scope'; VACUUM;"
run() {
  sync
  /usr/bin/time -f "%e %M" -o "$dir/time" "$T" --case "$1" --quiet scope >/dev/null || [ $? -eq 1 ]
  read -r secs kb < <(tail -n 1 "$dir/time")  # after "Command exited with non-zero status 1"
  echo "scope ($2): ${secs} s, peak $((kb / 1024)) MB, $(sqlite3 "$1/case.db" \
    'SELECT count(*) FROM scope_person') people"
}
run "$dir/first" "first run"
run "$dir/first" "again, replacing every row"
rm -rf "$dir"
