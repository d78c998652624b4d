# Progress on a terminal, nothing on a pipe: drill, collect, every investigate stage, notify
# plan/render and report run once with stderr on a pseudo-terminal (python's pty), where each
# must draw its bar with its unit of work and done/total, and once with stderr on a pipe, where
# not one progress byte (carriage return or erase-line escape) may appear.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
# on_pty OUT CMD...: runs CMD with stdin/stdout/stderr on a pseudo-terminal, its bytes to OUT.
on_pty() {
  out="$1"; shift
  python3 - "$out" "$@" <<'PY'
import os, pty, sys
out = open(sys.argv[1], "wb")
def read(fd):
    data = os.read(fd, 65536)
    out.write(data)
    return data
status = pty.spawn(sys.argv[2:], read)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
PY
}
# expect OUT PATTERN...: each (a Python regex over the bytes as text) is in OUT.
expect() {
  python3 - "$@" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
missing = [p for p in sys.argv[2:] if not re.search(p, text)]
for p in missing:
    print(f"FAIL: {sys.argv[1]}: no progress matching {p!r}", file=sys.stderr)
sys.exit(1 if missing else 0)
PY
}
no_progress() {  # FILE: no progress bytes
  if grep -q $'\r\|\x1b\[K' "$1"; then fail "$1: progress bytes on a pipe: $(head -c 200 "$1" | od -c | head -3)"; fi
}

on_pty drill.pty "$T" drill store --scenario trojanorder --seed 5 --scale small
[ $? = 0 ] || fail "drill on a terminal: $(tail -c 300 drill.pty)"
expect drill.pty '\rdrill: building the store \[\.+\] 0/7 steps' '\rdrill: writing the access logs \[#+\.*\] 4/7 steps'
"$T" init case --name progress --discovered-at 2022-10-14T11:05:00Z > /dev/null || fail init
on_pty collect.pty "$T" --case case collect --label logs store/logs
expect collect.pty '\rcollect \[' ' [0-9.]+ [kM]?B/[0-9.]+ [kM]?B'
for label in webroot db host; do
  "$T" --case case --quiet collect --label $label store/$label > /dev/null || fail "collect $label"
done
on_pty investigate.pty "$T" --case case investigate
expect investigate.pty \
  '\rlogs: scanning \[[#.]+\] [0-9.]+ [kM]?B/[0-9.]+ [kM]?B' \
  '\rlogs: storing ' \
  '\rwebroot: scanning \[[#.]+\] [0-9]+/[0-9]+ files' \
  '\rstoredb: reading dumps \[[#.]+\] [0-9.]+ [kM]?B/[0-9.]+ [kM]?B' \
  '\rhost: reading \[[#.]+\] [0-9]+/[0-9]+ files' \
  '\ranalysis: attributing and writing the timeline'
# In a whole run the analysis reads the requests beside the store database stage (its turn
# shows what is left of that, if anything, on this small store); on its own it reads them in
# its turn, pass by pass.
on_pty analysis.pty "$T" --case case investigate --only analysis
expect analysis.pty \
  '\ranalysis: reading requests \(pass 1\) \[[#.]+\] [0-9]+/[0-9]+ requests' \
  '\ranalysis: reading requests \(pass 2\)' \
  '\ranalysis: attributing and writing the timeline'
# The logs stage counts the compressed files' own bytes: it never shows more done than the total
# (the decompressed count used to pass it at once and read 100% for the whole stage).
python3 - investigate.pty <<'PY' || exit 1
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
units = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
for done, du, total, tu in re.findall(r"\rlogs: scanning \[[#.]+\] ([0-9.]+) (\w+)/([0-9.]+) (\w+)", text):
    if float(done) * units[du] > float(total) * units[tu]:
        sys.exit(f"FAIL: logs progress past its total: {done} {du}/{total} {tu}")
PY
"$T" --case case --quiet scope > /dev/null 2>&1
on_pty plan.pty "$T" --case case notify plan
expect plan.pty '\rnotify: reading the affected people \[\.+\] 0/3 steps'
on_pty render.pty "$T" --case case notify render --from privacy@shop.example --organisation "Example Shop"
expect render.pty '\rnotify: writing letters \[[#.]+\] [0-9]+/[0-9]+ people'
on_pty report.pty "$T" --case case report --draft
expect report.pty '\rreport: postmortem-internal \[\.+\] 0/3 documents' \
  '\rreport: public-postmortem \[#+\.+\] 2/3 documents'

# The same commands on a pipe: no progress bytes at all.
rm -rf store2 case2
"$T" drill store2 --scenario trojanorder --seed 5 --scale small > /dev/null 2> drill.err \
  || fail "drill on a pipe"
no_progress drill.err
"$T" init case2 --name pipe --discovered-at 2022-10-14T11:05:00Z > /dev/null 2>&1 || fail init
for label in logs webroot db host; do
  "$T" --case case2 collect --label $label store2/$label > /dev/null 2>> collect.err \
    || fail "collect $label"
done
no_progress collect.err
"$T" --case case2 investigate > /dev/null 2> investigate.err
no_progress investigate.err
"$T" --case case2 scope > /dev/null 2>&1
"$T" --case case2 notify plan > /dev/null 2> plan.err
no_progress plan.err
"$T" --case case2 notify render --from privacy@shop.example --organisation "Example Shop" > /dev/null 2> render.err
no_progress render.err
"$T" --case case2 report --draft > /dev/null 2> report.err
no_progress report.err
echo "progress on a terminal for drill, collect, 5 investigate stages, notify plan/render, report; none on a pipe"
