# Kill-and-resume delivery: SIGKILL `notify send` (at random points, then at the two
# dangerous points: before the end of data and while waiting for the final reply), run it
# again, and check what the SMTP server received: every person exactly once, none missing.
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
export SINK_SLOW=30
start_sink "$TQ_TMP/mail"
trap stop_sink EXIT
URL="smtp://127.0.0.1:$SINK_PORT"
$T init case --name "skimmer" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [("customer:%03d" % i, "p%03d@example.com" % i, "P %d" % i, "US", "CA", "en", json.dumps(["email", "payment_card"])) for i in range(240)]
rows.insert(100, ("customer:hold", "hold@example.com", "Held", "US", "CA", "en", json.dumps(["payment_card"])))
rows.insert(200, ("customer:slow", "slow@example.com", "Slow", "US", "CA", "en", json.dumps(["payment_card"])))
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) VALUES (?,?,?,?,?,?,?,'[]')", rows)
db.commit()
PYEOF
# California letters go by e-mail with E-SIGN consent (data/jurisdictions/letters.txt).
sqlite3 case/case.db "SELECT person_key FROM scope_person" >consented.txt
$T --case case notify consent --kind esign --file consented.txt >/dev/null
$T --case case notify render --from privacy@shop.example --no-letter-files >/dev/null
state() { sqlite3 case/case.db "SELECT state FROM notify_outbox WHERE person_key='$1'"; }
count_mail() { grep -l "X-Envelope-To: $1" "$TQ_TMP"/mail/*.eml 2>/dev/null | wc -l; }

# 1. Random kills while sending at 150 messages/s.
for delay in 0.25 0.4 0.3; do
  $T --case case notify send --smtp "$URL" --rate 150/s --confirm >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  # Never more than one message in flight: at most one row is sending or unconfirmed.
  inflight=$(sqlite3 case/case.db "SELECT count(*) FROM notify_outbox WHERE state IN ('sending','unconfirmed')")
  [ "$inflight" -le 1 ] || { echo "FAIL: $inflight rows in flight"; exit 1; }
done

# 2. Killed while the server holds RCPT for hold@: the row is 'sending'; the end of data
#    never went out, so a re-run must send it (once).
$T --case case notify send --smtp "$URL" --rate 0 --timeout 60 --confirm >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(state customer:hold)" = sending ] && break; sleep 0.05; done
[ "$(state customer:hold)" = sending ] || { echo "FAIL: hold@ never reached 'sending' ($(state customer:hold))"; exit 1; }
kill -9 $pid; wait $pid 2>/dev/null || true
[ "$(count_mail hold@example.com)" -eq 0 ] || { echo "FAIL: held message arrived"; exit 1; }

# 3. Killed while waiting for the final reply for slow@ (the server already has it): the
#    row is 'unconfirmed'; a re-run must not resend it and must report it as unknown.
$T --case case notify send --smtp "$URL" --rate 0 --timeout 60 --confirm >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(state customer:slow)" = unconfirmed ] && break; sleep 0.05; done
[ "$(state customer:slow)" = unconfirmed ] || { echo "FAIL: slow@ never reached 'unconfirmed' ($(state customer:slow))"; exit 1; }
kill -9 $pid; wait $pid 2>/dev/null || true
[ "$(count_mail hold@example.com)" -eq 1 ] || { echo "FAIL: requeued hold@ not sent once"; exit 1; }
[ "$(count_mail slow@example.com)" -eq 1 ] || { echo "FAIL: slow@ not at the server"; exit 1; }

# 4. Finish the run: slow@ is unknown (exit 6, reported with its Message-ID), not resent.
set +e
$T --case case notify send --smtp "$URL" --rate 0 --confirm --json >final.json
rc=$?
set -e
[ $rc -eq 6 ] || { echo "FAIL: exit $rc with an unknown message"; cat final.json; exit 1; }
[ "$(state customer:slow)" = unknown ] || { echo "FAIL: slow@ is $(state customer:slow)"; exit 1; }
[ "$(count_mail slow@example.com)" -eq 1 ] || { echo "FAIL: unknown message resent"; exit 1; }

# 5. The responder checks the server for each unknown Message-ID: delivered ones are marked
#    sent; the others (none expected here but random kills may leave one) are resent.
for id in $(sqlite3 case/case.db "SELECT id FROM notify_outbox WHERE state='unknown'"); do
  mid=$(sqlite3 case/case.db "SELECT message_id FROM notify_outbox WHERE id=$id")
  if grep -qF "Message-ID: $mid" "$TQ_TMP"/mail/*.eml; then
    $T --case case notify send --smtp "$URL" --mark-delivered "$id" >/dev/null 2>&1 || true
  fi
done
$T --case case notify send --smtp "$URL" --rate 0 --resend-unknown --confirm >/dev/null
[ "$(sqlite3 case/case.db "SELECT count(*) FROM notify_outbox WHERE state<>'sent'")" -eq 0 ] \
  || { echo "FAIL: not all sent"; sqlite3 case/case.db "SELECT person_key,state FROM notify_outbox WHERE state<>'sent'"; exit 1; }

# Exactly once: 242 people, 242 messages, each recipient once, each with its own Message-ID.
$PY - "$TQ_TMP/mail" case/case.db <<'PYEOF'
import collections, email, glob, os, sqlite3, sys
got = collections.Counter(); ids = {}
for path in glob.glob(os.path.join(sys.argv[1], "*.eml")):
    m = email.message_from_bytes(open(path, "rb").read())
    got[m["X-Envelope-To"]] += 1
    ids[m["X-Envelope-To"]] = m["Message-ID"]
db = sqlite3.connect(sys.argv[2])
want = dict(db.execute("SELECT recipient, message_id FROM notify_outbox"))
dups = [r for r, n in got.items() if n > 1]
missing = [r for r in want if r not in got]
if dups or missing or len(got) != len(want) or any(ids[r] != want[r] for r in want):
    print("FAIL: duplicates", dups, "missing", missing, "got", len(got), "want", len(want)); sys.exit(1)
print("exactly once:", len(want), "messages")
PYEOF
echo PASS
