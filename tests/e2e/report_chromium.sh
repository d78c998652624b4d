# The internal post-mortem's HTML in headless Chromium: a <script> an attacker put in a user
# agent (carried into a finding's summary, as the log stage does) must show as text and not
# run. Saves a screenshot next to the case. Skips (77) without chromium or sqlite3.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] || exit 77
command -v sqlite3 > /dev/null || exit 77
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$TQ_TMP" || exit 1
"$T" init case --name "xss test" > /dev/null || fail init
UA="Mozilla/5.0 <script>document.body.setAttribute('data-pwned','yes')</script><img src=x onerror=\"document.title='PWNED'\">"
SQL_UA=$(printf '%s' "$UA" | sed "s/'/''/g")
# The entry vector's summary is shown in the report (the appendix no longer lists every finding).
sqlite3 case/case.db "INSERT INTO findings(kind,component,severity,confidence,summary,detail,dedupe_key,created_at,updated_at) VALUES('analysis.entry_vector','analysis','high',0.9,'Entry: request with user agent $SQL_UA','{}','xss-1',0,0);" \
  || fail "insert finding"
"$T" --case case report --internal > /dev/null || fail "report"
html=case/reports/postmortem-internal.html
[ -s "$html" ] || fail "no html"
grep -q "<script>document" "$html" && fail "raw <script> in the HTML"
prof=$(mktemp -d)
timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$prof" --screenshot="$TQ_TMP/report.png" --window-size=1200,1600 \
  "file://$TQ_TMP/$html" > /dev/null 2>&1
timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$prof" --dump-dom "file://$TQ_TMP/$html" > dom.html 2> chromium.err
rm -rf "$prof"
[ -s dom.html ] || { cat chromium.err >&2; fail "chromium produced no DOM"; }
grep -q "data-pwned=" dom.html && fail "the injected script ran"
grep -q "<title>PWNED" dom.html && fail "the injected onerror ran"
grep -q "&lt;script&gt;document.body.setAttribute" dom.html || fail "the script does not show as text"
[ -s "$TQ_TMP/report.png" ] || fail "no screenshot"
cp "$TQ_TMP/report.png" "${TQ_SCREENSHOT:-/tmp/tourniquet-report.png}" 2> /dev/null
echo "ok: script shown as text, not run; screenshot saved"
