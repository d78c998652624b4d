# init, status --json, --help everywhere, exit codes, and cases that are not usable.
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$T" init case --name "e2e <script>alert(1)</script>" --platform magento \
  --store-url https://shop.example --timezone Europe/Berlin \
  --discovered-at 2025-10-10T08:00:00Z > init.out
grep -q "Case created in case" init.out || fail "init output: $(cat init.out)"

# status --json: valid JSON with the five phases, in order.
"$T" --case case status --json > status.json
python3 - status.json <<'PY' || fail "status --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert [p["phase"] for p in d["phases"]] == [1, 2, 3, 4, 5], d
assert d["case"]["name"] == "e2e <script>alert(1)</script>"
assert d["case"]["discovered_at"] == "2025-10-10T08:00:00Z"
assert d["phases"][0]["next"].startswith("tourniquet collect")
PY
# Global options also work before the subcommand and through the environment.
TOURNIQUET_CASE=case "$T" status | grep -q "1. Shut it down" || fail "status via TOURNIQUET_CASE"

# init wrote an audit row.
sqlite3 case/case.db "SELECT command, outcome FROM audit_log" | grep -qx "init|ok" || fail "audit"

# --help on every subcommand, exit 0.
for cmd in $("$T" --help | awk '/^Subcommands:/{on=1;next} on && NF {print $1}'); do
  "$T" "$cmd" --help > /dev/null || fail "$cmd --help"
done

# Exit codes: usage 2, case error 4.
set +e
"$T" status --no-such-flag 2> err; rc=$?
[ $rc -eq 2 ] || fail "unknown flag exit $rc"
"$T" --case nowhere status 2> err; rc=$?
[ $rc -eq 4 ] || fail "missing case exit $rc"
grep -q "nowhere: no such case directory" err || fail "missing case message: $(cat err)"
mkdir notacase
"$T" --case notacase status 2> err; rc=$?
[ $rc -eq 4 ] || fail "not a case exit $rc"
grep -q "not a tourniquet case (no case.db)" err || fail "not a case message"
"$T" init case2 --name x --timezone Mars/Base 2> err; rc=$?
[ $rc -eq 2 ] || fail "bad zone exit $rc"
[ ! -e case2 ] || fail "bad zone left a directory behind"

# A corrupt case.db: one-line error, exit 4.
cp -r case broken && head -c 4096 /dev/urandom > broken/case.db
"$T" --case broken status 2> err; rc=$?
[ $rc -eq 4 ] || fail "corrupt exit $rc"
[ "$(wc -l < err)" -eq 1 ] || fail "corrupt: not one line: $(cat err)"

# A read-only case directory: writing commands refuse with a clear message; reading works.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  chmod 755 "$TQ_TMP"
  chmod -R a+rX case
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  as_nobody "$T" --case case investigate 2> err; rc=$?
  [ $rc -eq 4 ] || fail "read-only investigate exit $rc: $(cat err)"
  grep -q "the case directory is read-only" err || fail "read-only message: $(cat err)"
  as_nobody "$T" --case case status > /dev/null 2> err || fail "read-only status: $(cat err)"
fi
set -e
echo "foundation cli: ok"
