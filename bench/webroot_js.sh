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
#   1b. The snippets not obfuscated by hand, and the benign look-alikes, run through the real
#      javascript-obfuscator (npm) with seven option sets: recall per set, benign at high.
#   1c. The same through terser and JS-Confuser's three presets (npm), and through roadroller
#      (npm; held out: its output is never opened while the resolvers are written).
#   2. The same snippets as store database rows (cms_block, design/head/includes), judged by
#      `investigate --only storedb`: a skimmer pasted into a CMS block is found as in a file.
#   3. Benign JavaScript that must stay quiet at high/critical: bench/data/js_benign (hand-written
#      look-alikes: the store's own checkout, Stripe, Braintree, PayPal, analytics snippets),
#      payment and checkout libraries from the npm registry (fetched with `npm pack` into $WORK,
#      never into the repository), the Debian libjs-* bundles and WordPress's JavaScript
#      (installed packages read with dpkg -L, others fetched with apt-get download), and the
#      drill's web roots (every file not planted). Every finding at medium or above is listed.
# Usage: bench/webroot_js.sh   env: TOURNIQUET, WORK, KEEP=1, NPM=0 (skip the npm libraries),
#        DEBIAN=0 (skip the Debian trees), DRILL=0 (skip the drill web roots),
#        OBFUSCATOR=0 (skip the snippets run through any obfuscator), JSOBF=0 (skip
#        javascript-obfuscator alone, keep the other tools of 1c)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
TQ=${TOURNIQUET:-$SRC/build/src/cli/tourniquet}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tq-webroot-js.XXXXXX")}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
[ -x "$TQ" ] || { echo "no tourniquet binary at $TQ (make build)"; exit 2; }
mkdir -p "$WORK" && cd "$WORK"

# scan_tree TREE OUT: the web-root stage over TREE; path<TAB>max severity rank<TAB>why to OUT.
source "$SRC/bench/lib/webroot_scan_tree.bash"

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

# The snippets run through javascript-obfuscator (obfuscator.io, the tool most skimmers are
# shipped through), fetched from the npm registry into $WORK, with seven option sets from its
# documentation (release 4): defaults; base64 and RC4 string arrays; wrappers with index shift
# and shuffling; control-flow flattening with split strings, numbers as expressions and object
# keys transformed; unicode escapes only; and everything at once; and releases 2 and 0.18
# (what skimmers of 2018-2021 were run through) with defaults and RC4. Only snippets not already
# obfuscated by hand are used; the benign look-alikes go through the same sets and must stay
# below high. OBFUSCATOR=0 skips this.
# Recall per option set of the obfuscated snippets (1b, 1c): odd numbers and L-* tuned, even
# numbers held out; benign look-alikes at high listed.
cat > obf_report.py <<'P'
import os, re, sys
sev = {}
for line in open(sys.argv[1]):
    p, r, why = line.rstrip("\n").split("\t", 2)
    sev[p.split("/out/", 1)[-1]] = int(r)
root = sys.argv[2]
for name in sorted(os.listdir(os.path.join(root, "skimmer"))):
    tot = {"tuned": [0, 0], "held out": [0, 0]}
    missed = []
    for f in sorted(os.listdir(os.path.join(root, "skimmer", name))):
        m = re.match(r"(\d+)-", f)
        g = "held out" if m and int(m.group(1)) % 2 == 0 else "tuned"
        hit = sev.get("skimmer/%s/%s" % (name, f), -1) >= 3
        tot[g][0] += hit
        tot[g][1] += 1
        if not hit:
            missed.append(f)
    ben = os.listdir(os.path.join(root, "benign", name))
    fp = [f for f in ben if sev.get("benign/%s/%s" % (name, f), -1) >= 3]
    print("  %-16s skimmers %2d/%2d (tuned %d/%d, held out %d/%d); benign at high %d/%d%s" % (
        name, tot["tuned"][0] + tot["held out"][0], tot["tuned"][1] + tot["held out"][1],
        tot["tuned"][0], tot["tuned"][1], tot["held out"][0], tot["held out"][1], len(fp),
        len(ben), (" " + " ".join(fp)) if fp else ""))
    if missed:
        print("    missed: " + " ".join(missed))
P

if [ "${OBFUSCATOR:-1}" != 0 ]; then
  rm -rf trees/obf && mkdir -p trees/obf/in-skimmer trees/obf/in-benign
  for f in "$SRC"/bench/data/js_skimmers/*.js; do
    grep -qE '_0x|p,a,c,k,e|atob|fromCharCode' "$f" || cp "$f" trees/obf/in-skimmer/
  done
  cp "$SRC"/bench/data/js_benign/*.js trees/obf/in-benign/
fi
if [ "${OBFUSCATOR:-1}" != 0 ] && [ "${JSOBF:-1}" != 0 ]; then
  echo "== the snippets through javascript-obfuscator"
  # Release 4 with every option set; releases 2 and 0.18 (older templates: a var array
  # rotated by a count, string indexes) with their defaults and RC4.
  ok=0
  for v in 4 2.19.1 0.18.8; do
    mkdir -p "obf/$v" && (cd "obf/$v" && [ -x node_modules/.bin/javascript-obfuscator ] ||
      (npm init -y >/dev/null && npm install --silent "javascript-obfuscator@$v" >/dev/null 2>&1)) || true
    [ -x "obf/$v/node_modules/.bin/javascript-obfuscator" ] && ok=1
  done
  if [ "$ok" = 1 ]; then
    sets=(
      "4|default|"
      "4|base64|--string-array-encoding base64"
      "4|rc4|--string-array-encoding rc4"
      "4|wrappers|--string-array-encoding base64 --string-array-wrappers-count 2 --string-array-wrappers-type function --string-array-wrappers-chained-calls true --string-array-index-shift true --string-array-shuffle true"
      "4|flattened|--string-array-encoding rc4 --control-flow-flattening true --split-strings true --split-strings-chunk-length 5 --numbers-to-expressions true --transform-object-keys true --dead-code-injection true"
      "4|unicode|--string-array false --unicode-escape-sequence true"
      "4|everything|--string-array-threshold 1 --string-array-calls-transform true --string-array-encoding rc4 --string-array-wrappers-count 5 --string-array-wrappers-type function --string-array-wrappers-parameters-max-count 5 --control-flow-flattening true --control-flow-flattening-threshold 1 --dead-code-injection true --split-strings true --split-strings-chunk-length 2 --numbers-to-expressions true --self-defending true --transform-object-keys true"
      "2.19.1|default|"
      "2.19.1|rc4|--string-array-encoding rc4"
      "0.18.8|default|"
      "0.18.8|rc4|--string-array-encoding rc4"
    )
    for set in "${sets[@]}"; do
      v=${set%%|*} rest=${set#*|}
      name=$v-${rest%%|*} opts=${rest#*|}
      [ -x "obf/$v/node_modules/.bin/javascript-obfuscator" ] || continue
      for kind in skimmer benign; do
        mkdir -p "trees/obf/out/$kind/$name"
        for f in trees/obf/in-$kind/*.js; do
          # shellcheck disable=SC2086
          "obf/$v/node_modules/.bin/javascript-obfuscator" "$f" --output \
            "trees/obf/out/$kind/$name/$(basename "$f")" --seed 7 $opts >/dev/null 2>&1 ||
            echo "  (javascript-obfuscator $v failed on $(basename "$f") with $name)"
        done
      done
    done
    scan_tree trees/obf/out sev-obf.tsv
    python3 obf_report.py sev-obf.tsv trees/obf/out
  else
    echo "  (javascript-obfuscator not installable from the npm registry here, skipped)"
  fi
fi

# 1c. The same inputs through two more tools from the npm registry, none used while the resolvers
# were written: terser (the minifier most bundles go through: compress, mangle top-level names)
# and JS-Confuser 2 with its three presets (low: string concealing under a per-function
# alphabet, renaming, dispatchers; medium and high add flattening, opaque predicates and code
# run through Function), and with each transform the presets mix on its own (t-NAME). A
# measurement of what is still missed (JS-Confuser was the tuned tool of the twelfth round). And
# roadroller 2 (a packer for size: the whole script compressed by context mixing into one
# string that a short decoder expands and evaluates), added in the twelfth round as a held-out
# tool: its output was not opened while the resolvers were written. And jsfuck (held out since
# the fourteenth round, below).
if [ "${OBFUSCATOR:-1}" != 0 ] && [ -d trees/obf/in-skimmer ]; then
  echo "== the snippets through terser and JS-Confuser"
  mkdir -p obf/other && (cd obf/other && [ -d node_modules/js-confuser ] && [ -d node_modules/terser ] ||
    (npm init -y >/dev/null && npm install --silent terser@5 js-confuser@2 >/dev/null 2>&1)) || true
  if [ -d obf/other/node_modules/js-confuser ] && [ -d obf/other/node_modules/terser ]; then
    cat > obf/other/run.js <<'J'
const fs = require('fs'), path = require('path');
const JsConfuser = require('js-confuser');
const { minify } = require('terser');
const [, , inDir, outDir, mode] = process.argv;
(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(inDir)) {
    const code = fs.readFileSync(path.join(inDir, f), 'utf8');
    try {
      // t-NAME: JS-Confuser with that one transform (and the renaming every preset has).
      const opts = mode.startsWith('t-')
        ? { target: 'browser', renameVariables: true, [mode.slice(2)]: true }
        : { target: 'browser', preset: mode };
      const out = mode === 'terser'
        ? (await minify(code, { compress: { passes: 2 }, mangle: { toplevel: true }, toplevel: true })).code
        : (r => (typeof r === 'string' ? r : r.code))(await JsConfuser.obfuscate(code, opts));
      fs.writeFileSync(path.join(outDir, f), out);
    } catch (e) { console.log('  (' + mode + ' failed on ' + f + ')'); }
  }
})();
J
    rm -rf trees/obf2 && mkdir -p trees/obf2/out
    # The presets, then each transform they mix on its own (medium and high wrap the whole
    # script in Function(...) with `pack`, and high runs functions through it with `rgf`).
    for m in terser low medium high t-stringConcealing t-stringEncoding t-stringSplitting \
             t-dispatcher t-calculator t-opaquePredicates t-flatten t-rgf \
             t-controlFlowFlattening t-globalConcealing t-variableMasking t-pack; do
      for kind in skimmer benign; do
        (cd obf/other && node run.js "../../trees/obf/in-$kind" "../../trees/obf2/out/$kind/$m" "$m")
      done
    done
    mkdir -p obf/roadroller && (cd obf/roadroller && [ -x node_modules/.bin/roadroller ] ||
      (npm init -y >/dev/null && npm install --silent roadroller@2.1.0 >/dev/null 2>&1)) || true
    if [ -x obf/roadroller/node_modules/.bin/roadroller ]; then
      for kind in skimmer benign; do
        mkdir -p "trees/obf2/out/$kind/roadroller"
        for f in trees/obf/in-$kind/*.js; do
          obf/roadroller/node_modules/.bin/roadroller "$f" -o \
            "trees/obf2/out/$kind/roadroller/$(basename "$f")" >/dev/null 2>&1 ||
            echo "  (roadroller failed on $(basename "$f"))"
        done
      done
    else
      echo "  (roadroller not installable from the npm registry here, skipped)"
    fi
    # jsfuck 0.4.0 (npm; held out since the fourteenth round, its output never opened while the
    # evaluator was written): the whole script rewritten in the six characters []()!+, letters
    # taken from coerced values ("false"[1], "undefined"[2], [].flat's source text) and the
    # script run through []["flat"]["constructor"](code)() (encode with wrapWithEval).
    mkdir -p obf/jsfuck && (cd obf/jsfuck && [ -f node_modules/jsfuck/jsfuck.js ] ||
      (npm init -y >/dev/null && npm install --silent jsfuck@0.4.0 >/dev/null 2>&1)) || true
    if [ -f obf/jsfuck/node_modules/jsfuck/jsfuck.js ]; then
      for kind in skimmer benign; do
        mkdir -p "trees/obf2/out/$kind/jsfuck"
        for f in trees/obf/in-$kind/*.js; do
          node -e 'const fs = require("fs"), { JSFuck } = require(process.argv[1]);
            fs.writeFileSync(process.argv[3], JSFuck.encode(fs.readFileSync(process.argv[2], "utf8"), true));' \
            "$PWD/obf/jsfuck/node_modules/jsfuck/jsfuck.js" "$f" \
            "trees/obf2/out/$kind/jsfuck/$(basename "$f")" >/dev/null 2>&1 ||
            echo "  (jsfuck failed on $(basename "$f"))"
        done
      done
    else
      echo "  (jsfuck not installable from the npm registry here, skipped)"
    fi
    scan_tree trees/obf2/out sev-obf2.tsv
    python3 obf_report.py sev-obf2.tsv trees/obf2/out
  else
    echo "  (terser or js-confuser not installable from the npm registry here, skipped)"
  fi
fi

# The same snippets pasted into the store database: each as a cms_block row, and again as
# core_config_data design/head/includes (JavaScript wrapped in <script>, HTML as it is; PHP
# templates and stylesheets do not run from a row and are left out), and the benign
# look-alikes. investigate --only storedb; recall at high/critical per group.
echo "== the same snippets as database rows (cms_block and design/head/includes)"
python3 - "$SRC/bench/data/js_skimmers" "$SRC/bench/data/js_benign" rows.sql rows.map <<'P'
import os, sys
mal, ben, out, mapf = sys.argv[1:]
def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
rows = []
for d, kind in ((mal, "skimmer"), (ben, "benign")):
    for f in sorted(os.listdir(d)):
        ext = f.rsplit(".", 1)[-1]
        if ext not in ("js", "html"):
            continue
        body = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
        if ext == "js":
            body = "<script>\n" + body + "</script>"
        rows.append((kind, f, body))
with open(out, "w") as o, open(mapf, "w") as m:
    o.write("CREATE TABLE `cms_block` (`block_id` int NOT NULL, `title` varchar(255), "
            "`identifier` varchar(255), `content` mediumtext, `creation_time` timestamp NULL, "
            "`update_time` timestamp NULL, `is_active` smallint, PRIMARY KEY (`block_id`));\n")
    o.write("CREATE TABLE `core_config_data` (`config_id` int NOT NULL, `scope` varchar(8), "
            "`scope_id` int, `path` varchar(255), `value` text, `updated_at` timestamp NULL, "
            "PRIMARY KEY (`config_id`));\n")
    # The store's own address, as every Magento database holds it.
    o.write("INSERT INTO `core_config_data` VALUES (100000,'default',0,'web/secure/base_url',"
            "'https://shop.example.com/','2025-01-01 00:00:00');\n")
    for i, (kind, f, body) in enumerate(rows, 1):
        o.write("INSERT INTO `cms_block` VALUES (%d,%s,%s,%s,'2026-01-01 00:00:00',"
                "'2026-01-02 00:00:00',1);\n" % (i, q(f), q("block-%d" % i), q(body)))
        o.write("INSERT INTO `core_config_data` VALUES (%d,'default',0,'design/head/includes',"
                "%s,'2026-01-02 00:00:00');\n" % (i, q(body)))
        m.write("%d\t%s\t%s\n" % (i, kind, f))
P
rm -rf case-rows && "$TQ" init case-rows --name bench >/dev/null
"$TQ" --case case-rows -q collect --label db rows.sql >/dev/null
/usr/bin/time -f "%e %M" -o time.txt "$TQ" --case case-rows -q --json investigate --only storedb >/dev/null || true
read -r secs kb < <(tail -n 1 time.txt)
echo "  rows: investigate --only storedb ${secs}s, peak ${kb} KB"
python3 - case-rows/case.db rows.map <<'P'
import json, re, sqlite3, sys
rank = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
best = {}
for sev, detail in sqlite3.connect(sys.argv[1]).execute(
        "select severity, detail from findings where kind='storedb.injected_script'"):
    d = json.loads(detail)
    pk = d.get("pk") or {}
    key = (d.get("canonical_table"), str(list(pk.values())[0]) if pk else "")
    best[key] = max(best.get(key, 0), rank[sev])
groups = {}
for line in open(sys.argv[2]):
    i, kind, f = line.rstrip("\n").split("\t")
    m = re.match(r"(\d+)-", f)
    g = ("benign" if kind == "benign" else "held out (even numbers)"
         if m and int(m.group(1)) % 2 == 0 else "tuned (odd numbers and L-*)")
    for table in ("cms_block", "core_config_data"):
        groups.setdefault((g, table), []).append((f, best.get((table, i), -1)))
for (g, table), items in sorted(groups.items()):
    hit = [f for f, r in items if r >= 3]
    print("  %-28s %-16s %2d/%2d at high/critical" % (g, table, len(hit), len(items)))
    for f, r in items:
        if (g == "benign") == (r >= 3):
            print("    %s %s" % ("flagged" if r >= 3 else "missed", f))
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
           credit-card-type payment cleave.js imask jquery jquery-validation \
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
    "$TQ" drill "drill-$s" --seed 7 --scenario "$s" --scale small >/dev/null 2>&1
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
