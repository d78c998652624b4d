#!/bin/sh
# make fuzz-smoke: runs each libFuzzer target for FUZZ_SECONDS (default 30) from a scratch
# copy of its saved corpus, then prints one line per target: executions, coverage (edges) and
# features from libFuzzer's DONE line. Exit 1 when a target crashed, leaked or timed out (its
# reproducer is kept in the scratch directory printed).
# Usage: smoke.sh BIN_DIR CORPUS_DIR TARGET...
set -u
bin=$(cd "$1" && pwd) || exit 2; corpus=$(cd "$2" && pwd) || exit 2; shift 2
secs="${FUZZ_SECONDS:-30}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tq-fuzz-smoke.XXXXXX")
status=0
for t in "$@"; do
  short=${t%_fuzz}
  mkdir -p "$scratch/$short"
  [ -d "$corpus/$short" ] && cp -R "$corpus/$short/." "$scratch/$short/"
  log="$scratch/$short.log"
  # The normaliser also starts from the benchmarks' technique snippets and the obfuscator's
  # fixtures (read, never written).
  extra=""
  [ "$short" = webroot_normalize ] &&
    extra="$corpus/../../bench/data/php_techniques $corpus/../../bench/data/js_skimmers $corpus/../../bench/data/js_benign $corpus/../../src/webroot/testdata/obfuscator"
  # shellcheck disable=SC2086
  (cd "$scratch" && "$bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$scratch/$short" $extra > "$log" 2>&1)
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  if [ $rc -ne 0 ]; then
    status=1
    printf '%-28s FAILED (exit %s): see %s\n' "$t" "$rc" "$log"
  else
    printf '%-28s execs %s  %s\n' "$t" "${execs:-?}" "$(echo "$done_line" | sed -E 's/^#[0-9]+[[:space:]]+DONE[[:space:]]+//')"
  fi
done
[ $status -eq 0 ] && rm -rf "$scratch"
exit $status
