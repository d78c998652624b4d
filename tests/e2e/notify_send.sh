# notify send against a real SMTP server on loopback (aiosmtpd): dry run by default, one
# message per person with the right content, a rejected address reported (exit 6), a
# temporary failure retried, header injection refused, nothing sent twice on a re-run.
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
start_sink "$TQ_TMP/mail"
trap stop_sink EXIT
$T init case --name "skimmer" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [("customer:%d" % i, "p%d@example.com" % i, "Person %d" % i, "DE", "", "de" if i % 2 else "en",
         json.dumps(["email", "payment_card"] if i % 3 else ["email", "password_hash"])) for i in range(20)]
rows += [("customer:rej", "reject-me@example.com", "Rita", "FR", "", "fr", json.dumps(["email"])),
         ("customer:tmp", "tempfail@example.com", "Tim", "US", "CA", "es", json.dumps(["payment_card"])),
         ("customer:inj", "x@example.com>\r\nRCPT TO:<victim@example.com", "Inj", "US", "NY", "en", json.dumps(["email"])),
         ("customer:none", "", "Nobody", "US", "NY", "en", json.dumps(["email"]))]
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) VALUES (?,?,?,?,?,?,?,'[]')", rows)
db.commit()
PYEOF
# California letters go by e-mail only with E-SIGN consent (data/jurisdictions/letters.txt);
# GDPR letters need the controller's legal name and DPO.
$T --case case notify consent --kind esign customer:tmp >/dev/null
$T --case case notify render --from privacy@shop.example --legal-name "Example Shop Ltd" \
  --dpo "dpo@shop.example" >/dev/null
# Dry run (the default): nothing leaves.
set +e
$T --case case notify send --smtp "smtp://127.0.0.1:$SINK_PORT" >dry.txt
set -e
grep -q "DRY RUN" dry.txt || { echo "FAIL: no dry run"; cat dry.txt; exit 1; }
[ -z "$(ls "$TQ_TMP/mail")" ] || { echo "FAIL: dry run sent mail"; exit 1; }
set +e
$T --case case notify send --smtp "smtp://127.0.0.1:$SINK_PORT" --rate 0 --backoff 0.1 --confirm --json >send.json
rc=$?
set -e
[ $rc -eq 6 ] || { echo "FAIL: exit $rc, expected 6 (a rejected address)"; cat send.json; exit 1; }
mail_summary "$TQ_TMP/mail" >mail.txt
$PY - send.json mail.txt case/case.db <<'PYEOF'
import json, sqlite3, sys
rep = json.load(open(sys.argv[1])); mail = open(sys.argv[2]).read(); db = sqlite3.connect(sys.argv[3])
def check(c, m):
    if not c:
        print("FAIL:", m); print(json.dumps(rep, indent=1)); sys.exit(1)
check(rep["sent"] == 21, "sent %d" % rep["sent"])
check(rep["failed"] == 1 and rep["no_address"] == 0, "failed/no_address")
probs = {p["person_key"]: p for p in rep["problems"]}
check(probs["customer:rej"]["state"] == "failed" and "550" in probs["customer:rej"]["reply"], "reject reported with the server reply")
# Without a usable address (an injected one, none at all) a New York letter goes by post.
post = dict(db.execute("SELECT person_key, channel FROM notify_outbox WHERE person_key IN ('customer:inj','customer:none')"))
check(post == {"customer:inj": "post", "customer:none": "post"}, "no usable address: by post %r" % post)
check("customer:inj" not in probs and "customer:none" not in probs, "postal letters are not e-mail problems")
msgs = [l for l in mail.splitlines() if l.startswith("MSG ")]
rcpts = [m.split()[1] for m in msgs]
check(len(msgs) == 21 and len(set(rcpts)) == 21, "one message per person: %d" % len(msgs))
check("victim@example.com" not in mail, "no injected recipient")
# Content: each message is the outbox body for its recipient, with its Message-ID.
for key, rcpt, mid, body, state, attempts in db.execute("SELECT person_key, recipient, message_id, body, state, attempts FROM notify_outbox WHERE state='sent'"):
    block = mail.split("MSG %s %s" % (rcpt, mid))
    check(len(block) == 2, "message for %s with its Message-ID" % rcpt)
    got = "\n".join(l[4:] for l in block[1].split("\nMSG ")[0].splitlines()[1:])
    check(got.strip() == body.strip(), "body of %s" % rcpt)
tmp = db.execute("SELECT attempts, state FROM notify_outbox WHERE person_key='customer:tmp'").fetchone()
check(tmp == (2, "sent"), "temporary failure retried: %r" % (tmp,))
p1 = db.execute("SELECT body FROM notify_outbox WHERE person_key='customer:1'").fetchone()[0]
check("Kartennummer" in p1, "German letter delivered")
PYEOF
# Re-run: nothing new goes out; the failures are reported again.
set +e
$T --case case notify send --smtp "smtp://127.0.0.1:$SINK_PORT" --rate 0 --confirm --json >again.json
rc=$?
set -e
[ $rc -eq 6 ] || { echo "FAIL: re-run exit $rc"; exit 1; }
[ "$(ls "$TQ_TMP/mail" | wc -l)" -eq 21 ] || { echo "FAIL: re-run sent again"; exit 1; }
$PY -c 'import json; r=json.load(open("again.json")); assert r["sent"]==0 and r["already_sent"]==21 and r["failed"]==1, r'
# Individual duties whose letters are all out are done in the plan.
$T --case case notify plan >/dev/null || true
[ "$(sqlite3 case/case.db "SELECT status FROM notify_obligation WHERE obligation_key='US-CA.individuals/US-CA'")" = done ] \
  || { echo "FAIL: CA letters sent but duty not done"; exit 1; }
# An unreachable server: exit 6, the message stays queued (not lost, not failed).
sqlite3 case/case.db "UPDATE notify_outbox SET state='queued' WHERE person_key='customer:rej'"
set +e
$T --case case notify send --smtp "smtp://127.0.0.1:1" --retries 0 --confirm >down.txt
rc=$?
set -e
[ $rc -eq 6 ] && grep -q "STOPPED" down.txt || { echo "FAIL: unreachable server"; cat down.txt; exit 1; }
[ "$(sqlite3 case/case.db "SELECT state FROM notify_outbox WHERE person_key='customer:rej'")" = deferred ] \
  || { echo "FAIL: message not kept for later"; exit 1; }
echo PASS
