# Public statements follow the case, on every drill scenario: the post-mortem and notice against
# their claims ledgers and the case (report_claims_check.py) while nothing is done, after every
# containment task is done, after letters really went out through an SMTP server on loopback,
# and with the entry vector removed. `report` exits 1 while a [to confirm: ...] marker is open
# and 0 with --draft.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
cd "$TQ_TMP" || exit 1
CHECK="$TQ_SOURCE_DIR/tests/e2e/report_claims_check.py"
report_and_check() {  # CASE ENTRY LABEL: report without --draft; exit 1 iff markers are open
  "$T" --case "$1" report > /dev/null 2> "$1.err"; rc=$?
  python3 "$CHECK" "$1" "$2" > "$1.markers" || fail "$3"
  if [ -s "$1.markers" ]; then want=1; else want=0; fi
  [ $rc = $want ] || fail "$3: report exit $rc with markers: $(cat "$1.markers")"
  [ $want = 0 ] || grep -q "to confirm" "$1.err" || fail "$3: open markers not listed"
}
for scenario in cosmicsting woo-stuffing trojanorder; do
  out="store-$scenario"; c="case-$scenario"
  entry=vulnerability; [ $scenario = woo-stuffing ] && entry=stuffing
  "$T" drill "$out" --scenario "$scenario" --seed 3 --scale small > /dev/null || fail drill
  field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$out/truth.json" "$1"; }
  "$T" init "$c" --name "$scenario" --store-url "$(field store_url)" --timezone "$(field timezone)" \
    --discovered-at "$(field discovered_at)" --legal-name "Example Shop Ltd" \
    --dpo "dpo@shop.example" --phone 1-800-555-0100 --website https://shop.example/incident \
    > /dev/null || fail init
  "$T" --case "$c" --quiet collect --label logs "$out/logs" > /dev/null || fail collect
  "$T" --case "$c" --quiet collect --label webroot "$out/webroot" > /dev/null || fail collect
  [ -d "$out/db" ] && { "$T" --case "$c" --quiet collect --label db "$out/db" > /dev/null || fail collect; }
  "$T" --case "$c" --quiet investigate > /dev/null 2>&1
  "$T" --case "$c" --quiet scope > /dev/null 2>&1
  "$T" --case "$c" --quiet contain --allow 192.0.2.250 > /dev/null || fail contain
  "$T" --case "$c" --quiet notify plan > /dev/null 2>&1
  "$T" --case "$c" --quiet notify render --from privacy@shop.example > /dev/null || fail render
  # 1. Nothing done, nothing sent: drafts; "we are ..." everywhere; exit 1 without --draft.
  "$T" --case "$c" report --draft > /dev/null || fail "$scenario: report --draft"
  report_and_check "$c" $entry "$scenario: nothing done"
  [ -s "$c.markers" ] || fail "$scenario: no marker while the access is still being closed"
  grep -q "We are " "$c/reports/public-postmortem.md" || fail "$scenario: nothing in progress"
  # 2. The team finishes every containment task.
  for id in $(sqlite3 "$c/case.db" "SELECT id FROM tasks WHERE source='contain'"); do
    "$T" --case "$c" --quiet task done "$id" > /dev/null || fail "task done $id"
  done
  report_and_check "$c" $entry "$scenario: tasks done"
  grep -q "Every administrator login requires a second factor" "$c/reports/public-postmortem.md" \
    || fail "$scenario: a done task not stated as done"
done
# 3. Letters really go out (woo-stuffing): the post-mortem says so with the outbox's count.
c=case-woo-stuffing
start_sink "$TQ_TMP/mail"
trap stop_sink EXIT
"$T" --case "$c" --quiet notify send --smtp "smtp://127.0.0.1:$SINK_PORT" --rate 0 --confirm > /dev/null 2>&1
sent=$(sqlite3 "$c/case.db" "SELECT count(*) FROM notify_outbox WHERE kind='letter' AND state='sent'")
[ "$sent" -gt 0 ] || fail "no letter delivered"
report_and_check "$c" stuffing "letters sent"
grep -qE "(told directly \($sent letters delivered\)|We have written to $sent of)" "$c/reports/public-postmortem.md" \
  || fail "the delivered count ($sent) is not stated"
# 4. The analysis' entry vector is withdrawn: the post-mortem must not invent one.
c=case-cosmicsting
sqlite3 "$c/case.db" "DELETE FROM findings WHERE kind='analysis.entry_vector'" || fail sqlite
report_and_check "$c" unknown "entry unknown"
grep -q "to confirm: the entry vector" "$c.markers" || fail "unknown entry not marked"
echo PASS
