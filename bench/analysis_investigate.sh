#!/usr/bin/env bash
# Whole-investigation benchmark: a drilled store at --scale large (about 2 GB of nginx
# combined logs, 8 M requests, plus its web root and database dump), collected into a case,
# then `tourniquet investigate` timed as a whole and per stage (logs, webroot, storedb,
# analysis). The goal: the whole investigation under a minute on 2 cores.
# Usage: bench/analysis_investigate.sh [SCENARIO] [REQUESTS]  (defaults trojanorder 8000000;
# env TOURNIQUET, WORK, KEEP=1 keeps the work directory)
set -euo pipefail
SCENARIO=${1:-trojanorder}
REQUESTS=${2:-8000000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TQ=${TOURNIQUET:-$SRC/build/src/cli/tourniquet}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tq-analysis-bench.XXXXXX")}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$TQ" drill store --scenario "$SCENARIO" --seed 1 --scale large --requests "$REQUESTS" > /dev/null
echo "logs: $(du -sb store/logs | cut -f1) bytes in $(ls store/logs | wc -l) files (compressed as written)"
"$TQ" init case --name bench > /dev/null
for label in logs webroot db; do
  [ -d "store/$label" ] && "$TQ" --case case --quiet collect --label "$label" "store/$label" > /dev/null
done
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N);
      python3 -c "print(f'{$e-$s:.1f}')"; }
echo "investigate (all stages): $(t "$TQ" --case case --quiet investigate) s"
for stage in logs webroot storedb analysis; do
  echo "  --only $stage: $(t "$TQ" --case case --quiet investigate --only "$stage") s"
done
/usr/bin/time -f "analysis peak RSS %M KiB" "$TQ" --case case --quiet investigate --only analysis \
  > /dev/null 2> rss.txt || true
tail -1 rss.txt
