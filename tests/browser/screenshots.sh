#!/usr/bin/env bash
# Regenerates docs/screenshots/{overview,story,timeline}.png (shown in the README): drills the
# cosmicsting store (seed 1, small), takes it through the whole response, serves it and runs
# the browser test, which photographs the three pages at 1280x800.
#   tests/browser/screenshots.sh [path/to/tourniquet]     (default: build/src/cli/tourniquet)
set -euo pipefail
TQ_SOURCE_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
TOURNIQUET="$(realpath "${1:-$TQ_SOURCE_DIR/build/src/cli/tourniquet}")"
export TQ_SOURCE_DIR TOURNIQUET
TQ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tq-shots.XXXXXX")
trap 'rm -rf "$TQ_TMP"' EXIT
cd "$TQ_TMP"
# shellcheck source=../e2e/server_drill.inc
source "$TQ_SOURCE_DIR/tests/e2e/server_drill.inc"
browser_ready
drill_case cosmicsting drill
start_drill_server drill/case
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$TQ_TMP"' EXIT
out="$TQ_SOURCE_DIR/docs/screenshots"
mkdir -p "$out" shots
BASE_URL="$BASE_URL" CHROMIUM="$CHROMIUM" SHOT_DIR="$TQ_TMP/shots" TRUTH="$PWD/drill/store/truth.json" \
  LEAD_USER=lead LEAD_PASS="$DRILL_LEAD_PASS" SCENARIO=cosmicsting DOC_SHOTS="$out" \
  node "$TQ_SOURCE_DIR/tests/browser/drill_test.mjs" > browser.log || { cat browser.log; exit 1; }
ls -l "$out"
