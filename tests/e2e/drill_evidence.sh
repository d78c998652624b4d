#!/usr/bin/env bash
# Every evidence reference in truth.json points at a line that holds that request at that
# time (all scenarios, all log formats); exfiltration sizes, file hashes and mtimes match.
set -euo pipefail
check="$TQ_SOURCE_DIR/tests/e2e/drill_check_truth.py"
for scenario in cosmicsting woo-stuffing trojanorder; do
  "$TOURNIQUET" drill "s-$scenario" --seed 3 --scenario "$scenario" --requests 30000 --customers 600 >/dev/null
  python3 "$check" "s-$scenario"
done
for fmt in apache-combined nginx-custom jsonl; do
  "$TOURNIQUET" drill "f-$fmt" --seed 3 --scenario cosmicsting --requests 20000 --customers 300 \
    --log-format "$fmt" --waf-log >/dev/null
  python3 "$check" "f-$fmt"
  test -s "f-$fmt/logs/modsec_audit.log"
done
# JSON lines must each be valid JSON (raw invalid UTF-8 bytes allowed, as nginx writes them).
python3 - f-jsonl/logs/access.log <<'PY'
import json, sys
n = 0
for raw in open(sys.argv[1], 'rb'):
    json.loads(raw.decode('utf-8', 'surrogateescape'))
    n += 1
print('jsonl: %d lines parse' % n)
PY
# Usage errors exit 2 with a message.
set +e
"$TOURNIQUET" drill bad --scenario nope 2>err.txt; rc=$?
set -e
[[ $rc == 2 ]] && grep -q "unknown scenario" err.txt
mkdir -p full && touch full/x
set +e
"$TOURNIQUET" drill full 2>err.txt; rc=$?
set -e
[[ $rc == 2 ]] && grep -q "not empty" err.txt
echo ok
