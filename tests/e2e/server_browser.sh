# serve in a real browser: Playwright (playwright-core from npm, tests/browser) drives
# Debian's chromium. Logs in, sees the case, assigns a task, checks that a <script> planted in
# attacker-written rows renders as text and does not run, and that a viewer cannot open the
# affected-customers page or its API. Screenshots go to the build directory.
command -v node >/dev/null || { echo "node not installed: skipped"; exit 77; }
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "chromium not installed: skipped"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipped"; exit 77; }
browser_dir="$TQ_SOURCE_DIR/tests/browser"
if [ ! -d "$browser_dir/node_modules/playwright-core" ]; then
  command -v npm >/dev/null || { echo "npm not installed: skipped"; exit 77; }
  npm ci --prefix "$browser_dir" --no-audit --no-fund >/dev/null
fi

source "$TQ_SOURCE_DIR/tests/e2e/server_fixture.inc"
make_case case
start_server case

shots="${TQ_BUILD_DIR:-$TQ_TMP}/screenshots"
mkdir -p "$shots"
BASE_URL="$BASE_URL" CHROMIUM="$CHROMIUM" SHOT_DIR="$shots" CASE_NAME="$CASE_NAME" \
  LEAD_USER=alice LEAD_PASS="$LEAD_PASS" VIEWER_USER=victor VIEWER_PASS="$VIEWER_PASS" \
  node "$browser_dir/ui_test.mjs"

# The changes made in the browser are in the audit log, by the user who made them.
audit=$(sqlite3 case/case.db "SELECT actor||' '||command||' '||outcome FROM audit_log")
grep -q "^alice task update ok" <<<"$audit" || { echo "no audit row for the task change"; exit 1; }
grep -q "^alice serve login ok" <<<"$audit" || { echo "no audit row for the login"; exit 1; }
echo "screenshots in $shots"
