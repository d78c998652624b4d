# The real binary over a small hand-made breached Magento web root: collect it, investigate
# with the shipped pack, a user's YARA rule and a directory of OSV JSON, and check the planted
# files, the look-alikes and the advisory. Skips until `collect` is in the binary.
"$TOURNIQUET" --help | grep -qE "^ +collect" || { echo "collect not built yet"; exit 77; }
S="$TQ_SOURCE_DIR/src/webroot/testdata"
W=tree
mkdir -p $W/app/etc $W/pub/static/frontend/Magento/luma/en_US/mage $W/pub/media/wysiwyg \
         $W/pub/media/customer $W/vendor/acme/jwt/src rules osv
echo '<config/>' > $W/app/etc/di.xml
echo '{"packages":[{"name":"magento/product-community-edition","version":"2.4.6-p5"}]}' > $W/composer.lock
cp "$S/benign/require.js" "$S/benign/packed_plugin.min.js" $W/pub/static/frontend/Magento/luma/en_US/
cp "$S/benign/Base64Url.php" $W/vendor/acme/jwt/src/
printf '<?php\n// Silence is golden.\n' > $W/pub/media/customer/index.php
{ echo 'define([],function(){});'; cat "$S/malicious/checkout_harvester.js"; } > $W/pub/static/frontend/Magento/luma/en_US/mage/cookies.js
cp "$S/malicious/shell_eval_post.php" $W/pub/media/wysiwyg/cache.php
cat > rules/mine.yar <<'R'
rule Responder_Own_Rule { strings: $a = "Silence is golden" condition: $a and filename == "index.php" }
R
cat > osv/extra.json <<'J'
[{"id": "GHSA-TEST-0001", "aliases": ["CVE-2099-0001"], "summary": "test advisory",
  "affected": [{"package": {"ecosystem": "Packagist", "name": "magento/community-edition"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.4.0"}, {"last_affected": "2.4.6-p5"}]}]}]}]
J
"$TOURNIQUET" init case --name e2e >/dev/null
"$TOURNIQUET" --case case collect --label webroot $W >/dev/null
set +e
"$TOURNIQUET" --case case --json investigate --only webroot --yara rules --advisories osv > out.json
rc=$?
set -e
[ $rc -eq 1 ] || { echo "exit $rc, want 1 (findings)"; cat out.json; exit 1; }
python3 - <<'P'
import json, sqlite3, sys
out = json.load(open("out.json"))["stages"]["webroot"]
db = sqlite3.connect("case/case.db")
rows = db.execute("select kind, rule, detail from findings where component='webroot'").fetchall()
paths = {}
for kind, rule, detail in rows:
    d = json.loads(detail)
    if "path" in d:
        paths.setdefault(d["path"].split("tree/")[-1], set()).add((kind, rule))
def has(path, kind):
    return any(k == kind for k, r in paths.get(path, ()))
errors = []
if not has("pub/static/frontend/Magento/luma/en_US/mage/cookies.js", "webroot.yara"): errors.append("skimmer not found")
if not has("pub/media/wysiwyg/cache.php", "webroot.misplaced_php"): errors.append("misplaced php not found")
if not any(r.endswith("Responder_Own_Rule") for k, r in paths.get("pub/media/customer/index.php", ())): errors.append("user rule did not run")
for benign in ["pub/static/frontend/Magento/luma/en_US/require.js", "pub/static/frontend/Magento/luma/en_US/packed_plugin.min.js", "vendor/acme/jwt/src/Base64Url.php"]:
    if benign in paths: errors.append("false positive: %s %s" % (benign, paths[benign]))
cves = {v["cve"]: v for v in out["vulnerable"]}
if cves.get("CVE-2024-34102", {}).get("fixed") != "2.4.6-p6": errors.append("CosmicSting not named: %s" % cves)
if "CVE-2099-0001" not in cves: errors.append("user OSV advisory not loaded")
print("\n".join(errors) or "ok")
sys.exit(1 if errors else 0)
P
