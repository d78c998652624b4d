#!/usr/bin/env bash
# JavaScript/HTML skimmer benchmark (make bench, not make test): recall and false positives of
# `tourniquet investigate --only webroot` on card skimmers and on real payment and checkout code.
#   1. bench/data/js_skimmers: skimmer snippets written by this team from public descriptions of
#      the techniques (obfuscator.io string arrays, Dean Edwards' packer, new Function(atob()),
#      bracket and constructor code, checkout-URL gates with setInterval, listeners on card
#      fields, whole-form harvests, localStorage/cookie stashes, Image/fetch/XHR/sendBeacon/
#      WebSocket exfiltration, fake card forms and iframes, look-alike analytics loaders, code in
#      onerror/onload handlers, CSS carriers, Prototype.js and jQuery requests, templates, CMS
#      fragments, minified code). Split before any tuning: odd numbers (and the L-* snippets,
#      written earlier and tuned on) are the tuned group; even numbers are held out. Recall is
#      counted at high/critical.
#   2. Benign JavaScript that must stay quiet at high/critical: bench/data/js_benign (hand-written
#      look-alikes: the store's own checkout, Stripe, Braintree, PayPal, analytics snippets),
#      payment and checkout libraries from the npm registry (fetched with `npm pack` into $WORK,
#      never into the repository), the Debian libjs-* bundles and WordPress's JavaScript
#      (installed packages read with dpkg -L, others fetched with apt-get download), and the
#      drill's web roots (every file not planted). Every finding at medium or above is listed.
# Usage: bench/webroot_js.sh   env: TOURNIQUET, WORK, KEEP=1, NPM=0 (skip the npm libraries),
#        DEBIAN=0 (skip the Debian trees), DRILL=0 (skip the drill web roots)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
TQ=${TOURNIQUET:-$SRC/build/src/cli/tourniquet}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tq-webroot-js.XXXXXX")}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
[ -x "$TQ" ] || { echo "no tourniquet binary at $TQ (make build)"; exit 2; }
mkdir -p "$WORK" && cd "$WORK"

# Runs the web-root stage over a tree; writes path<TAB>max severity rank<TAB>why to $2.
scan_tree() {
  local tree=$1 out=$2
  local case=$WORK/case-$(basename "$out" .tsv)
  rm -rf "$case"
  "$TQ" init "$case" --name bench >/dev/null
  "$TQ" --case "$case" -q collect --label webroot "$tree" >/dev/null
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
    "$TQ" --case "$case" -q --json investigate --only webroot >/dev/null || true
  read -r secs kb < <(tail -n 1 "$WORK/time.txt")
  echo "  $(basename "$tree"): $(find "$tree" -type f | wc -l) files, investigate --only webroot ${secs}s, peak ${kb} KB"
  python3 - "$case/case.db" "$out" <<'P'
import json, sqlite3, sys
rank = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
best = {}
for kind, sev, detail, summary in sqlite3.connect(sys.argv[1]).execute(
        "select kind, severity, detail, summary from findings where component='webroot'"):
    if kind in ("webroot.platform", "webroot.advisory", "webroot.timing", "webroot.integrity"):
        continue
    p = json.loads(detail).get("path")
    if p and rank[sev] > best.get(p, (-1, ""))[0]:
        best[p] = (rank[sev], kind + ": " + summary)
with open(sys.argv[2], "w") as f:
    for p, (r, why) in sorted(best.items()):
        f.write("%s\t%d\t%s\n" % (p, r, why.replace("\t", " ").replace("\n", " ")))
P
}

echo "== skimmer snippets (bench/data/js_skimmers)"
mkdir -p trees/skimmers
cp "$SRC"/bench/data/js_skimmers/* trees/skimmers/
scan_tree trees/skimmers sev-skimmers.tsv
python3 - sev-skimmers.tsv trees/skimmers <<'P'
import os, re, sys
names = ["info", "low", "medium", "high", "critical"]
sev = {}
for line in open(sys.argv[1]):
    p, r, why = line.rstrip("\n").split("\t", 2)
    sev[os.path.basename(p)] = (int(r), why)
groups = {"tuned (odd numbers and L-*)": [], "held out (even numbers)": []}
for f in sorted(os.listdir(sys.argv[2])):
    m = re.match(r"(\d+)-", f)
    g = "held out (even numbers)" if m and int(m.group(1)) % 2 == 0 else "tuned (odd numbers and L-*)"
    groups[g].append(f)
for g, files in groups.items():
    hit = [f for f in files if sev.get(f, (-1,))[0] >= 3]
    print("  %-28s %2d/%2d = %5.1f%% at high/critical" % (g, len(hit), len(files), 100.0 * len(hit) / max(len(files), 1)))
    for f in files:
        r, why = sev.get(f, (-1, ""))
        if r < 3:
            print("    missed %-36s %-8s %s" % (f, names[r] if r >= 0 else "none", why[:120]))
P

# Benign trees: every finding at medium or above, named.
report_benign() {
  python3 - "$1" "$2" <<'P'
import collections, sys
names = ["info", "low", "medium", "high", "critical"]
rows = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[1])]
by = collections.Counter(names[int(r)] for _, r, _ in rows if int(r) >= 2)
print("  %s: at medium or above %s" % (sys.argv[2], dict(by) or "none"))
for p, r, why in sorted(rows, key=lambda x: -int(x[1])):
    if int(r) >= 2:
        print("    %-8s %s  %s" % (names[int(r)], p, why[:150]))
P
}

echo "== benign JavaScript"
mkdir -p trees/benign/handwritten
cp "$SRC"/bench/data/js_benign/* trees/benign/handwritten/
if [ "${NPM:-1}" != 0 ]; then
  mkdir -p npm
  for p in @stripe/stripe-js braintree-web @adyen/adyen-web @paypal/paypal-js card-validator \
           credit-card-type payment cleave.js imask jquery prototypejs jquery-validation \
           @square/web-sdk inputmask; do
    d=trees/benign/npm/$(echo "$p" | tr '/@' '__')
    if (cd npm && npm pack --silent "$p" >/dev/null 2>&1); then
      mkdir -p "$d" && tar -xzf npm/$(ls -t npm | head -n 1) -C "$d" && rm -f npm/*.tgz
      # Scripts only: the web-root stage is judged here on JavaScript and HTML.
      find "$d" -type f ! -name '*.js' ! -name '*.mjs' ! -name '*.cjs' ! -name '*.html' -delete
    else
      echo "  (npm package $p not reachable, skipped)"
    fi
  done
fi
if [ "${DEBIAN:-1}" != 0 ]; then
  pkgs="wordpress libjs-jquery libjs-jquery-ui libjs-bootstrap libjs-bootstrap4 libjs-bootstrap5
        libjs-underscore libjs-backbone libjs-lodash libjs-moment libjs-requirejs libjs-handlebars
        libjs-mustache libjs-jquery-datatables libjs-jquery-file-upload libjs-jquery-form
        libjs-jquery-cookie libjs-chart.js libjs-d3 libjs-prototype libjs-mootools libjs-es6-promise
        libjs-jquery-fancybox libjs-jquery-colorbox libjs-jquery-validate libjs-cleave"
  mkdir -p debs
  for p in $pkgs; do
    d=trees/benign/debian/$p
    if dpkg -s "$p" >/dev/null 2>&1; then
      dpkg -L "$p" | while read -r f; do
        [ -f "$f" ] && [ ! -L "$f" ] && mkdir -p "$d$(dirname "$f")" && cp "$f" "$d$f"
      done
    elif (cd debs && apt-get download "$p" >/dev/null 2>&1); then
      mkdir -p "$d" && dpkg-deb -x debs/"${p}"_*.deb "$d"
    else
      echo "  (package $p not available here, skipped)"
    fi
  done
  find trees/benign/debian -type l -delete 2>/dev/null || true
  find trees/benign/debian -type f ! -name '*.js' ! -name '*.html' ! -name '*.htm' -delete 2>/dev/null || true
fi
scan_tree trees/benign sev-benign.tsv
report_benign sev-benign.tsv "benign JavaScript ($(find trees/benign -type f | wc -l) files)"

if [ "${DRILL:-1}" != 0 ]; then
  echo "== drill web roots (files not planted)"
  for s in cosmicsting trojanorder woo-stuffing; do
    "$TQ" drill "drill-$s" --seed 7 --scenario "$s" --scale small >/dev/null
    scan_tree "drill-$s/webroot" "sev-drill-$s.tsv"
    python3 - "drill-$s/truth.json" "sev-drill-$s.tsv" "$s" <<'P'
import json, sys
names = ["info", "low", "medium", "high", "critical"]
t = json.load(open(sys.argv[1]))
planted = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "path" and isinstance(x, str): planted.add(x.split("webroot/", 1)[-1])
            else: walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
walk({k: v for k, v in t.items() if k not in ("benign_lookalikes", "benign_host", "benign_events")})
look = {l["path"].split("webroot/", 1)[-1] for l in t.get("benign_lookalikes", [])}
rows = [l.rstrip("\n").split("\t", 2) for l in open(sys.argv[2])]
fp = [(p, int(r), w) for p, r, w in rows if int(r) >= 3 and not any(p.endswith(x) for x in planted)]
found = [x for x in planted if any(p.endswith(x) and int(r) >= 3 for p, r, _ in rows)]
print("  %s: %d benign files at high/critical (%d look-alikes in the truth)" % (sys.argv[3], len(fp), len(look)))
for p, r, w in fp:
    print("    %-8s %s  %s" % (names[r], p, w[:150]))
P
  done
fi
