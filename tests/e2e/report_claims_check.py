#!/usr/bin/env python3
# Checks a case's public documents against their claims ledgers and the case itself (used by
# report_claims.sh): every ledger sentence is in the text; every fact it cites says in the
# case what the ledger says; a sentence citing an open task only says "we are ..." or marks
# it to confirm; "told directly" only when the outbox says every letter was delivered; the
# entry vector is the analysis' own; no "between X and X"; the GDPR notice has each Art. 33(3)
# element filled or marked. Prints the open markers; exit 1 with the reasons on a mismatch.
import json, os, re, sqlite3, sys

case, expect_entry = sys.argv[1], sys.argv[2]  # expect_entry: vulnerability|stuffing|unknown
db = sqlite3.connect(os.path.join(case, "case.db"))
errs, markers = [], set()


def one(sql, *args):
    row = db.execute(sql, args).fetchone()
    return row[0] if row else None


letters = one("SELECT count(*) FROM notify_outbox WHERE kind='letter'") or 0
# Delivered: e-mailed, or printed for the post (notify print).
sent = one("SELECT count(*) FROM notify_outbox WHERE kind='letter' AND state IN ('sent','printed')") or 0
affected = one("SELECT count(*) FROM scope_person") or 0
entry = db.execute("SELECT id, detail FROM findings WHERE kind='analysis.entry_vector'").fetchone()
for doc in ["public-notice", "public-postmortem"]:
    ledger = json.load(open(os.path.join(case, "reports", doc + ".claims.json")))
    md = open(os.path.join(case, "reports", doc + ".md"), encoding="utf-8").read()
    md = re.sub(r"\\([\\`*_\[\]|#!])", r"\1", md).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = " ".join(c["text"] for c in ledger["claims"])
    markers.update(ledger["open_markers"])
    if sorted(set(re.findall(r"\[to confirm:[^\]]*\]", text))) != sorted(ledger["open_markers"]):
        errs.append(f"{doc}: open_markers do not match the text")
    for c in ledger["claims"]:
        if c["text"] not in md:
            errs.append(f"{doc}: ledger sentence not in the document: {c['text']!r}")
        open_task = False
        for f in c["facts"]:
            t, i, st = f["table"], f["id"], f["state"]
            if t == "tasks":
                row = db.execute("SELECT status, dedupe_key FROM tasks WHERE id=?", (i,)).fetchone()
                if not row or row[0] != st or row[1] != f["key"]:
                    errs.append(f"{doc}: task {i} is {row} in the case, {st!r} in the ledger")
                open_task |= st != "done"
            elif t == "findings":
                if one("SELECT count(*) FROM findings WHERE id=?", i) != 1:
                    errs.append(f"{doc}: finding {i} not in the case")
            elif t == "notify_outbox":
                if st != f"delivered={sent} of {letters}":
                    errs.append(f"{doc}: outbox {st!r}, case delivered={sent} of {letters}")
            elif t == "notify_obligation":
                if one("SELECT CASE WHEN t.status='done' THEN 'done' ELSE o.status END FROM "
                       "notify_obligation o LEFT JOIN tasks t ON t.id=o.task_id WHERE o.id=?", i) != st:
                    errs.append(f"{doc}: obligation {i} status differs from {st!r}")
            elif t == "scope_count":
                cat = f["key"].split("=", 1)[1]
                n = one("SELECT sum(people) FROM scope_count WHERE category=?", cat)
                if st != f"people={n}":
                    errs.append(f"{doc}: {cat} {st!r}, case {n}")
        if open_task and not re.search(r"\b[Ww]e are\b|\[to confirm:", c["text"]):
            errs.append(f"{doc}: claims done on an open task: {c['text']!r}")
    told = "told directly" in text
    if told != (letters > 0 and sent == letters and sent >= affected > 0):
        errs.append(f"{doc}: 'told directly' is {told} with {sent} of {letters} letters sent")
    if re.search(r"between (\d+ \w+ \d{4}) and \1\b", text):
        errs.append(f"{doc}: a one-day window written as a range")
    if "known, since fixed" in text or "ncrypt" in text or "other personal data" in text:
        errs.append(f"{doc}: stock wording that does not follow the case")
    if doc == "public-postmortem":
        detail = json.loads(entry[1]) if entry else {}
        cve = re.fullmatch(r"CVE-\d{4}-\d{4,7}", detail.get("cve", "") or "")
        kind = "vulnerability" if cve else "stuffing" if "stuffing" in detail.get("technique", "") else "unknown" if not entry else "other"
        if kind != expect_entry:
            errs.append(f"analysis found {kind!r}, the scenario expects {expect_entry!r}")
        says = {"vulnerability": "security flaw", "stuffing": "credential stuffing",
                "unknown": "[to confirm: the entry vector]"}.get(kind)
        if says and says not in text:
            errs.append(f"{doc}: entry {kind} not stated as {says!r}")
        for other, words in [("vulnerability", "security flaw"), ("stuffing", "credential stuffing")]:
            if other != kind and words in text:
                errs.append(f"{doc}: says {words!r} but the analysis found {kind}")
        fix = db.execute("SELECT status FROM tasks WHERE dedupe_key='contain:fix:upgrade'").fetchone()
        if cve and (cve.group(0) in text) != (fix is not None and fix[0] == "done"):
            errs.append(f"{doc}: {cve.group(0)} named while its fix is {fix}")
gdpr = os.path.join(case, "reports/notify/notices/EEA.gdpr.art33_all.txt")
if os.path.exists(gdpr):
    n = open(gdpr, encoding="utf-8").read()
    for label in ["Legal basis: ", "Deadline: ", "What happened: ", "Period: ",
                  "Approximate number of data subjects concerned: ",
                  "Approximate number of personal data records concerned: ",
                  "Contact point for more information: ", "Data protection officer: "]:
        m = re.search(re.escape(label) + r"(.*)", n)
        if not m or not m.group(1).strip():
            errs.append(f"GDPR notice: {label.strip()} empty")
    c3, c4 = n.find("(Art. 33(3)(c))"), n.find("(Art. 33(3)(d))")
    if c3 < 0 or c4 < 0 or "\n   - " not in n[c3:c4]:
        errs.append("GDPR notice: no likely consequence (Art. 33(3)(c))")
    if c4 < 0 or not re.search(r"\n   (- We |\[to confirm: )", n[c4:]):
        errs.append("GDPR notice: no measure taken or proposed (Art. 33(3)(d))")
    if "{{" in n or "[to complete" in n:
        errs.append("GDPR notice: a template gap")
for m in sorted(markers):
    print("marker:", m)
for e in errs:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
