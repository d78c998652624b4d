#!/usr/bin/env python3
"""Checks a drilled store against its truth.json: every evidence reference points at a line
that holds that request at that time, exfiltration sizes match the log and the file, file
hashes and mtimes match, affected people are in the dump. Usage: drill_check_truth.py OUT"""
import datetime
import gzip
import hashlib
import json
import os
import re
import sys

out = sys.argv[1]
truth = json.load(open(os.path.join(out, 'truth.json')))
fmt = truth['log_format']
errors = []
cache = {}


def lines_of(rel):
    if rel not in cache:
        path = os.path.join(out, rel)
        data = gzip.open(path, 'rb').read() if rel.endswith('.gz') else open(path, 'rb').read()
        cache[rel] = data.split(b'\n')
    return cache[rel]


MON = {m: i + 1 for i, m in enumerate('Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split())}


def line_time(line):
    if fmt == 'jsonl':
        t = json.loads(line)['time']
        return datetime.datetime.fromisoformat(t).astimezone(datetime.timezone.utc)
    m = re.search(rb'\[(\d\d)/(\w\w\w)/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\]', line)
    if not m:
        return None
    d, mon, y, hh, mm, ss, sign, oh, om = m.groups()
    off = (int(oh) * 60 + int(om)) * (1 if sign == b'+' else -1)
    tz = datetime.timezone(datetime.timedelta(minutes=off))
    return datetime.datetime(int(y), MON[mon.decode()], int(d), int(hh), int(mm), int(ss),
                             tzinfo=tz).astimezone(datetime.timezone.utc)


def utc(s):
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).replace(microsecond=0)


def check_ref(where, ev, request=None, time=None):
    if ev is None:
        return None
    rel, n = ev['file'], ev['line']
    ls = lines_of(rel)
    if n < 1 or n > len(ls) or (n == len(ls) and ls[-1] == b''):
        errors.append('%s: %s line %d does not exist' % (where, rel, n))
        return None
    line = ls[n - 1]
    if request:
        method, uri, _ = request.split(' ', 2)
        if method.encode() not in line or uri.encode() not in line:
            errors.append('%s: %s:%d does not hold %r: %r' % (where, rel, n, request, line[:300]))
    if time and rel.startswith('logs/access'):
        lt = line_time(line)
        if lt is None or lt != utc(time):
            errors.append('%s: %s:%d time %s, truth says %s' % (where, rel, n, lt, time))
    return line


check_ref('entry', truth['entry']['evidence'], truth['entry']['request'], truth['entry']['time'])
for i, s in enumerate(truth['steps']):
    check_ref('steps[%d]' % i, s['evidence'], s.get('request'), s['time'])
for i, s in enumerate(truth['benign_events']):
    check_ref('benign_events[%d]' % i, s['evidence'], s.get('request'), s['time'])
for i, h in enumerate(truth['hostile_lines']):
    line = check_ref('hostile_lines[%d]' % i, h['evidence'], h.get('request'))
    if line is not None and h['kind'] == 'long_line_1mb' and len(line) < (1 << 20):
        errors.append('hostile long line is only %d bytes' % len(line))
total = 0
for i, e in enumerate(truth['exfiltration']):
    line = check_ref('exfiltration[%d]' % i, e['evidence'], e['request'])
    total += e['bytes']
    if line is not None and fmt in ('nginx-combined', 'nginx-custom', 'apache-combined'):
        m = re.search(rb'" (\d{3}) (\d+|-) "', line)
        if not m or int(m.group(2)) != e['bytes']:
            errors.append('exfiltration[%d]: log size %r != %d' % (i, m and m.group(2), e['bytes']))
if total != truth['bytes_exfiltrated']:
    errors.append('bytes_exfiltrated %d != sum %d' % (truth['bytes_exfiltrated'], total))
for f in truth['files']:
    p = os.path.join(out, 'webroot', f['path'])
    if not os.path.exists(p):
        errors.append('file %s missing' % f['path'])
        continue
    data = open(p, 'rb').read()
    if hashlib.sha256(data).hexdigest() != f['sha256']:
        errors.append('file %s: sha256 mismatch' % f['path'])
    mt = datetime.datetime.fromtimestamp(int(os.stat(p).st_mtime), datetime.timezone.utc)
    if mt != utc(f['mtime']):
        errors.append('file %s: mtime %s != %s' % (f['path'], mt, f['mtime']))
    if f['kind'] == 'dump':
        for e in truth['exfiltration']:
            if e['path'].endswith(os.path.basename(f['path'])) and e['bytes'] != len(data):
                errors.append('dump %s is %d bytes, download says %d' % (f['path'], len(data), e['bytes']))
for a in truth['attackers']:
    if not re.match(r'^\d+\.\d+\.\d+\.\d+$', a['ip']):
        errors.append('attacker ip %r' % a['ip'])
if not truth['affected']:
    errors.append('no affected people')
dump = open(os.path.join(out, 'db', 'store.sql'), 'rb').read()
for a in truth['affected'][:400]:
    if ("'%s'" % a['email']).encode() not in dump:
        errors.append('affected %s not in the dump' % a['email'])
        break
for a in truth['affected']:
    if not a['reason'] or not a['categories']:
        errors.append('affected %s without reason or categories' % a['email'])
        break
if errors:
    print('\n'.join(errors[:30]))
    sys.exit(1)
print('ok: %d steps, %d affected, %d evidence files' %
      (len(truth['steps']), len(truth['affected']), len(cache)))
