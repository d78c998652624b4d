# The internal post-mortem tells the attack: on every drill scenario (small scale; seed
# REPORT_SEED, default 4; REPORT_SCALE=medium by hand), drill, collect, investigate, scope,
# contain and report, then report_timeline_check.py: every step of the truth's `steps` is on
# the report's timeline, in the SVG and in the Markdown table; the appendix holds the
# indicators (intruders' addresses, entry request, planted files, downloads, rogue accounts)
# and links the findings CSV, which holds every finding, formula-safe.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
status=0
for scenario in ${REPORT_SCENARIOS:-cosmicsting woo-stuffing trojanorder}; do
  out="store-$scenario"; c="case-$scenario"
  "$T" drill "$out" --scenario "$scenario" --seed "${REPORT_SEED:-4}" \
    --scale "${REPORT_SCALE:-small}" > /dev/null || fail "drill $scenario"
  "$T" init "$c" --name "$scenario" > /dev/null || fail init
  for label in logs webroot db; do
    [ -d "$out/$label" ] || continue
    "$T" --case "$c" --quiet collect --label $label "$out/$label" > /dev/null || fail collect
  done
  "$T" --case "$c" --quiet investigate > /dev/null 2>&1
  [ $? -le 1 ] || fail "investigate $scenario"
  "$T" --case "$c" --quiet scope > /dev/null 2>&1
  "$T" --case "$c" --quiet contain > /dev/null || fail "contain $scenario"
  "$T" --case "$c" report --internal > "$c.report.out" || fail "report $scenario"
  grep -q "postmortem-internal-findings.csv" "$c.report.out" || fail "CSV not listed"
  python3 "$TQ_SOURCE_DIR/tests/e2e/report_timeline_check.py" "$out/truth.json" "$c" \
    "$scenario seed ${REPORT_SEED:-4}" || status=1
done
exit $status
