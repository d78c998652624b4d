# Delivery channels (data/jurisdictions/letters.txt) against a real SMTP server on loopback:
# a California resident without E-SIGN consent is printed (a PDF with their name, address
# block and the California headings, and a mail-merge row), with consent is e-mailed; a German
# reader is e-mailed (GDPR allows it) once the controller's legal name and DPO are given, and
# refused, naming the missing field, before; a Japanese reader without consent is printed in
# Japanese (no e-mail address on record: by post). The outbox tracks both channels: queued, sent,
# printed.
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
for tool in pdftotext pdftoppm; do
  command -v $tool >/dev/null || { echo "SKIP: $tool not installed (poppler-utils)"; exit 77; }
done
start_sink "$TQ_TMP/mail"
trap stop_sink EXIT
$T init case --name "channels" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z \
  --postal-address $'1 Example Street\nLondon EC1A 1AA' >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
people = [("customer:ca1", "carla@example.com", "Carla Post", "US", "CA", "en"),
          ("customer:ca2", "cody@example.com", "Cody Mail", "US", "CA", "en"),
          ("customer:de1", "dora@example.com", "Dora Schmidt", "DE", "", "de"),
          ("customer:jp1", "", "山田 太郎", "JP", "", "ja")]
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) "
               "VALUES (?,?,?,?,?,?,?,'[]')", [p + (json.dumps(["email", "payment_card"]),) for p in people])
db.execute("UPDATE scope_person SET customer_id=7 WHERE person_key='customer:jp1'")
# The store's orders with billing addresses, as storedb writes them (schema version 3).
db.executescript("""
CREATE TABLE storedb_order (id INTEGER PRIMARY KEY, order_id TEXT, customer_id INTEGER, email TEXT,
  name TEXT, country TEXT, region TEXT, created_at INTEGER, billing_address TEXT NOT NULL DEFAULT '',
  billing_street TEXT NOT NULL DEFAULT '', billing_city TEXT NOT NULL DEFAULT '',
  billing_postcode TEXT NOT NULL DEFAULT '');
""")
orders = [("1", "carla@example.com", "US", "CA", 1, "", "Old Road 9", "Fresno", "93650"),
          ("2", "carla@example.com", "US", "CA", 2, "", "12 Mission Street\nApt 4", "San Francisco", "94105"),
          ("3", "cody@example.com", "US", "CA", 1, "", "5 Market Street", "San Francisco", "94103"),
          ("4", "", "JP", "東京都", 1, "", "千代田区丸の内1-1", "東京", "100-0005")]
db.executemany("INSERT INTO storedb_order(order_id,email,country,region,created_at,billing_address,"
               "billing_street,billing_city,billing_postcode) VALUES (?,?,?,?,?,?,?,?,?)", orders)
db.execute("UPDATE storedb_order SET customer_id=7 WHERE order_id='4'")
db.commit()
PYEOF

# GDPR letters need the controller's legal name and DPO: refused, naming them, exit 3.
set +e
$T --case case notify render --from privacy@shop.example --json >r1.json 2>r1.err
rc=$?
set -e
[ $rc -eq 3 ] || { echo "FAIL: render without legal name exit $rc, expected 3"; cat r1.json r1.err; exit 1; }
$PY - r1.json case/case.db <<'PYEOF'
import json, sqlite3, sys
r = json.load(open(sys.argv[1])); db = sqlite3.connect(sys.argv[2])
assert r["missing_details"] == 1, r
assert any("DE" in e and "legal_name, dpo" in e and "--legal-name" in e for e in r["detail_errors"]), r
keys = {k for (k,) in db.execute("SELECT person_key FROM notify_outbox WHERE kind='letter'")}
assert keys == {"customer:ca1", "customer:ca2", "customer:jp1"}, keys
PYEOF

# A letter queued by an older run without the check is held, never sent without the details.
sqlite3 case/case.db "INSERT INTO notify_outbox(message_key,kind,person_key,recipient,subject,body,
  body_sha256,message_id,state,created_at,updated_at,channel) VALUES('letter:customer:de1','letter',
  'customer:de1','dora@example.com','old','old','x','<old@x>','queued',0,0,'email')"
set +e
$T --case case notify render --from privacy@shop.example >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 3 ] && [ "$(sqlite3 case/case.db "SELECT state FROM notify_outbox WHERE person_key='customer:de1'")" = held ] \
  || { echo "FAIL: an old queued GDPR letter without the details was not held"; exit 1; }

# Cody gave E-SIGN consent; the controller's details are stored once and used from then on.
$T --case case notify consent --kind esign cody@example.com >/dev/null
set +e
$T --case case notify consent --kind esign nobody@example.com >c2.txt; rc=$?
set -e
[ $rc -eq 3 ] && grep -q "no affected person nobody@example.com" c2.txt || { echo "FAIL: unknown consent key"; cat c2.txt; exit 1; }
$T --case case notify render --from privacy@shop.example --legal-name "Example Shop Ltd" \
  --dpo "Dana Smith, dpo@shop.example" --json >r2.json
$T --case case notify render --from privacy@shop.example --json >r3.json  # details remembered
$PY - r3.json case/case.db <<'PYEOF'
import json, sqlite3, sys
r = json.load(open(sys.argv[1])); db = sqlite3.connect(sys.argv[2])
assert r["missing_details"] == 0 and r["by_email"] == 2 and r["by_post"] == 2, r
ch = dict(db.execute("SELECT person_key, channel FROM notify_outbox WHERE kind='letter'"))
assert ch == {"customer:ca1": "post", "customer:ca2": "email", "customer:de1": "email",
              "customer:jp1": "post"}, ch
PYEOF

$T --case case notify send --smtp "smtp://127.0.0.1:$SINK_PORT" --rate 0 --confirm --json >send.json
$T --case case notify print --json >print.json
mail_summary "$TQ_TMP/mail" >mail.txt
$PY - send.json print.json mail.txt case/case.db <<'PYEOF'
import json, sqlite3, sys
send = json.load(open(sys.argv[1])); pr = json.load(open(sys.argv[2])); mail = open(sys.argv[3]).read()
db = sqlite3.connect(sys.argv[4])
assert send["sent"] == 2, send
rcpts = sorted(l.split()[1] for l in mail.splitlines() if l.startswith("MSG"))
assert rcpts == ["cody@example.com", "dora@example.com"], rcpts
assert "carla@" not in mail, "a postal letter was e-mailed"
assert pr["printed"] == 2 and pr["no_postal_address"] == 0, pr
st = dict(db.execute("SELECT person_key, state FROM notify_outbox WHERE kind='letter'"))
assert st == {"customer:ca1": "printed", "customer:ca2": "sent", "customer:de1": "sent",
              "customer:jp1": "printed"}, st
assert "Dana Smith, dpo@shop.example" in db.execute(
    "SELECT body FROM notify_outbox WHERE person_key='customer:de1'").fetchone()[0]
PYEOF

# The PDFs: the name, the address block (the latest order's), the headings; they rasterise.
out=case/reports/notify/print
ca_pdf=$(sqlite3 -csv case/case.db "SELECT printf('letter-%06d.pdf', id) FROM notify_outbox WHERE person_key='customer:ca1'")
jp_pdf=$(sqlite3 -csv case/case.db "SELECT printf('letter-%06d.pdf', id) FROM notify_outbox WHERE person_key='customer:jp1'")
pdftotext -layout "$out/$ca_pdf" ca.txt
for want in "Carla Post" "12 Mission Street" "Apt 4" "San Francisco CA 94105" "Example Shop Ltd" \
    "1 Example Street" "Notice of Data Breach" "What Happened" "What Information Was Involved" \
    "What We Are Doing" "What You Can Do" "For More Information"; do
  grep -qF "$want" ca.txt || { echo "FAIL: '$want' not in the California PDF"; cat ca.txt; exit 1; }
done
grep -q "Old Road 9" ca.txt && { echo "FAIL: an older order's address printed"; exit 1; }
pdftotext "$out/$jp_pdf" jp.txt
grep -qF "山田 太郎" jp.txt && grep -qF "100-0005" jp.txt || { echo "FAIL: the Japanese PDF"; cat jp.txt; exit 1; }
pdftoppm -png -r 40 -f 1 -l 1 "$out/$ca_pdf" page
[ "$(stat -c %s page-1.png)" -gt 2000 ] || { echo "FAIL: the PDF does not rasterise"; exit 1; }
$PY - "$out/mail-merge-1.csv" "$ca_pdf" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 2, rows
ca = [r for r in rows if r["person_key"] == "customer:ca1"][0]
assert ca["letter_file"] == sys.argv[2] and ca["name"] == "Carla Post", ca
assert (ca["address_line1"], ca["address_line2"], ca["address_line3"], ca["city"]) == ("12 Mission Street", "Apt 4", "", "San Francisco"), ca
assert (ca["postal_code"], ca["region"], ca["country"]) == ("94105", "CA", "US"), ca
PYEOF

# Printed letters are told (the plan counts them); a second print prints nothing new.
$T --case case notify print --json >print2.json
$PY -c 'import json; r=json.load(open("print2.json")); assert r["printed"]==0 and r["already_printed"]==2, r'
[ "$(sqlite3 case/case.db "SELECT status FROM notify_obligation WHERE obligation_key='US-CA.individuals/US-CA'")" = done ] \
  || { echo "FAIL: CA letters printed and sent but the duty is not done"; exit 1; }
echo "ok: channels"
