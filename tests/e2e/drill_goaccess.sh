#!/usr/bin/env bash
# goaccess (a real peer) parses every drilled nginx access log, rotated and gzip'd ones
# included, with zero invalid lines, and counts as many requests as the drill wrote.
set -euo pipefail
command -v goaccess >/dev/null || { echo "goaccess not installed: skipping"; exit 77; }
for scenario in cosmicsting woo-stuffing; do
  out="store-$scenario"
  size=(); [[ $scenario == woo-stuffing ]] && size=(--requests 30000)
  "$TOURNIQUET" --json drill "$out" --seed 11 --scenario "$scenario" "${size[@]}" >"$out.json"
  want=$(jq .log_lines "$out.json")
  all="$TQ_TMP/all-$scenario.log"
  : >"$all"
  for f in "$out"/logs/access.log*; do
    case "$f" in *.gz) zcat "$f" >>"$all" ;; *) cat "$f" >>"$all" ;; esac
  done
  goaccess "$all" --log-format=COMBINED --no-progress --no-global-config -o "$TQ_TMP/ga.json" </dev/null
  total=$(jq .general.total_requests "$TQ_TMP/ga.json")
  failed=$(jq .general.failed_requests "$TQ_TMP/ga.json")
  if [[ "$failed" != 0 || "$total" != "$want" ]]; then
    echo "$scenario: goaccess read $total requests, $failed invalid; drill wrote $want lines"
    exit 1
  fi
  echo "$scenario: goaccess parsed $total lines, 0 invalid"
done
