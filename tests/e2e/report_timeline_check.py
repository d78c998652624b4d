#!/usr/bin/env python3
"""The internal post-mortem against the drill's truth (used by report_timeline.sh).

usage: report_timeline_check.py TRUTH.json CASE_DIR LABEL

Every step of the truth's `steps` must be shown in the report's timeline, both in the SVG
(an event's <title>) and in the Markdown's timeline table: an event within one second of the
step's time and, when the step is a request, naming the request's path. The appendix must hold
the indicators that matter (the intruders' addresses, the entry request's path, every planted
file, every exfiltration download's path, every rogue account) and link the findings CSV, which
must hold one row per finding with formula-looking cells neutralised. The Markdown must not
send the reader to the HTML. Prints one line of figures.
"""
import csv
import html
import json
import re
import sqlite3
import sys
from datetime import datetime, timezone

truth = json.load(open(sys.argv[1]))
case = sys.argv[2]
label = sys.argv[3]
md = open(f"{case}/reports/postmortem-internal.md", encoding="utf-8").read()
page = open(f"{case}/reports/postmortem-internal.html", encoding="utf-8").read()
errs = []


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def shown_ts(s):  # "2024-07-13 01:00:41" as the report writes it (UTC)
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def md_cells(line):
    """A Markdown table row's cells, with the renderer's escapes undone."""
    cells, cur, i = [], "", 0
    line = line.strip()[1:]  # leading |
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            cur += line[i + 1]
            i += 2
            continue
        if ch == "|":
            cells.append(html.unescape(cur.strip()))
            cur = ""
        else:
            cur += ch
        i += 1
    return cells


# The story opens the report (before the summary): a table of steps, the first the entry.
if not re.search(r"^# [^\n]*\n+## The story\n", md, re.M):
    errs.append("the report does not open with the story")
story = md.split("\n## The story\n", 1)[1].split("\n## ", 1)[0] if "\n## The story\n" in md else ""
story_rows = [c for c in (md_cells(l) for l in story.splitlines() if l.startswith("|"))
              if not all(re.fullmatch(r":?-+:?", x) for x in c if x)][1:]
if len(story_rows) < 3:
    errs.append(f"the story has {len(story_rows)} steps")
elif story_rows[0][1] != "entry":
    errs.append(f"the story opens with {story_rows[0][1]!r}, not the entry")

# The Markdown timeline table: the first table under "## Timeline".
section = md.split("\n## Timeline\n", 1)[1].split("\n## ", 1)[0]
md_events = []
for line in section.splitlines():
    if not line.startswith("| ") or line.startswith("| ---"):
        continue
    cells = md_cells(line)
    if cells[0] == "#":
        continue
    md_events.append((shown_ts(cells[1][:19]), cells[2] + ": " + cells[4]))
# The SVG's events: each <circle> carries a <title> "#N TIME LANE: TEXT".
svg = page.split("<svg", 1)[1].split("</svg>", 1)[0] if "<svg" in page else ""
svg_events = []
for t in re.findall(r"<title>(.*?)</title>", svg, re.S):
    t = html.unescape(t)
    m = re.match(r"#\d+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (.*)", t, re.S)
    if m:
        svg_events.append((shown_ts(m.group(1)), m.group(2)))
lanes = len(re.findall(r'text-anchor="end">', svg)) - 1  # lane names, less the "UTC" label


def request_path(step):
    req = step.get("request")
    if not req:
        return None
    return req.split(" ")[1].split("?")[0][:60]


def shown(events, step):
    t = ts(step["time"])
    path = request_path(step)
    # The report shows whole seconds: the event's second is the step's, or one either side.
    near = [text for when, text in events if abs(when - int(t)) <= 1]
    if not near:
        return False
    return path is None or any(path in text for text in near)


steps = truth.get("steps", [])
for where, events in (("SVG", svg_events), ("Markdown", md_events)):
    missing = [f'{s["action"]}@{s["time"]}' for s in steps if not shown(events, s)]
    if missing:
        errs.append(f"{where} timeline lacks steps: {missing}")
if "see the HTML" in md:
    errs.append("the Markdown sends the reader to the HTML version")

# The appendix: indicators that matter, and the CSV link.
appendix = md.split("## Appendix: indicators", 1)[1] if "## Appendix: indicators" in md else ""
plain = appendix.replace("\\", "")
for a in truth["attackers"]:
    if a["role"] != "credential_stuffing" and a["ip"] not in plain:
        errs.append(f"appendix lacks attacker address {a['ip']}")
entry = truth.get("entry") or {}
if request_path(entry) and request_path(entry)[:40] not in plain:
    errs.append(f"appendix lacks the entry request {request_path(entry)}")
for f in truth.get("files", []):
    if f["path"] not in plain:
        errs.append(f"appendix lacks planted file {f['path']}")
for x in truth.get("exfiltration", []):
    if x["path"] not in plain:
        errs.append(f"appendix lacks download {x['path']}")
for r in truth.get("rogue_accounts", []):
    if r["username"] not in plain:
        errs.append(f"appendix lacks rogue account {r['username']}")
csv_name = "postmortem-internal-findings.csv"
if f"]({csv_name})" not in md or f'href="{csv_name}"' not in page:
    errs.append("the findings CSV is not linked from both documents")
db = sqlite3.connect(f"{case}/case.db")
(total,) = db.execute("SELECT count(*) FROM findings").fetchone()
with open(f"{case}/reports/{csv_name}", newline="", encoding="utf-8") as fh:
    rows = list(csv.reader(fh))
if len(rows) != total + 1:
    errs.append(f"CSV has {len(rows) - 1} rows, the case {total} findings")
bad = [r for r in rows[1:] for cell in r if cell[:1] in ("=", "+", "-", "@")]
if bad:
    errs.append(f"CSV cells open with a formula character: {bad[0][:3]}")
size = len(md.encode()) + len(page.encode())
print(f"{label}: steps in SVG {sum(shown(svg_events, s) for s in steps)}/{len(steps)}, "
      f"in Markdown {sum(shown(md_events, s) for s in steps)}/{len(steps)}; "
      f"{len(svg_events)} drawn, {len(md_events)} listed, {lanes} lanes; "
      f"{total} findings in the CSV; report {size // 1024} KB (md+html)")
for e in errs:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
