// Browser test of `tourniquet serve`: Playwright (playwright-core) drives Debian's chromium.
// Env: BASE_URL, CHROMIUM, SHOT_DIR, LEAD_USER/LEAD_PASS, VIEWER_USER/VIEWER_PASS, CASE_NAME.
// Exits non-zero with a message on the first failed check.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const env = process.env;
const base = env.BASE_URL;
const shots = env.SHOT_DIR || '.';
let failures = 0;
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tq-chromium-'));
// A fresh profile directory: Playwright passes it as --user-data-dir.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10000);
  const dialogs = [];
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss(); });
  const cspViolations = [];
  page.on('console', m => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

  async function login(user, pass) {
    await page.goto(base + '/');
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.fill('#login-name', user);
    await page.fill('#login-password', pass);
    await page.click('#login-submit');
  }

  // Lead: log in and see the case.
  const first = await page.goto(base + '/');
  check(/script-src 'self'/.test(first.headers()['content-security-policy'] || ''),
        'the page carries a strict Content-Security-Policy');
  await login(env.LEAD_USER, env.LEAD_PASS);
  await page.waitForSelector('#case-name');
  check((await page.textContent('#case-name')) === env.CASE_NAME, 'lead sees the case name');
  check((await page.textContent('#affected-count')).trim() === '3', 'overview counts 3 affected people');
  const overview = await page.textContent('#view');
  check(overview.includes('DE') && overview.includes('US-CA'), 'affected counts per jurisdiction shown');
  check(overview.includes('Report to the supervisory authority'), 'deadline shown on the overview');
  check(/in \d+d|overdue by/.test(overview), 'deadline counts down');
  await page.screenshot({ path: path.join(shots, 'server_ui_overview.png'), fullPage: true });

  // Planted script in attacker-written strings renders as text and does not run.
  await page.goto(base + '/#/findings');
  await page.waitForSelector('td.finding-summary');
  const summaries = await page.$$eval('td.finding-summary', tds => tds.map(t => t.textContent));
  check(summaries.some(s => s.includes('<script>window.__pwned=1</script>')),
        'a <script> in a user agent (finding) shows as text');
  await page.goto(base + '/#/attackers');
  await page.waitForSelector('td.attacker-label');
  const labels = await page.$$eval('td.attacker-label', tds => tds.map(t => t.textContent));
  check(labels.some(s => s.includes('<img src=x onerror=window.__pwned=2>')),
        'an <img onerror> in an attacker label shows as text');
  await page.goto(base + '/#/timeline');
  await page.waitForSelector('td.timeline-summary');
  check((await page.textContent('#view')).includes('<script>window.__pwned=1</script>'),
        'the timeline shows the planted script as text');
  check(await page.$('#view a[href^="#/evidence/"]') !== null, 'timeline rows link to evidence');
  await page.click('#view a[href^="#/evidence/"]');
  await page.waitForFunction(() => document.querySelector('#view').textContent.includes('sha256'));
  check((await page.textContent('#view')).includes('access.log'), 'evidence page names the log');
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, 'the planted script did not run');
  check(await page.$$eval('#view img, #view script', n => n.length) === 0,
        'no element was created from evidence');
  check(dialogs.length === 0, 'no dialog was opened');

  // Assign a task and change its status.
  await page.goto(base + '/#/tasks');
  await page.waitForSelector('input.owner-input[data-task="1"]');
  await page.fill('input.owner-input[data-task="1"]', 'bob');
  await page.click('input.owner-input[data-task="1"] + button.assign-button');
  await page.waitForFunction(() => {
    const i = document.querySelector('input.owner-input[data-task="1"]');
    return i && i.value === 'bob' && !document.querySelector('#view .error');
  });
  await page.selectOption('select.status-select[data-task="1"]', 'in_progress');
  await page.waitForFunction(() => {
    const s = document.querySelector('select.status-select[data-task="1"]');
    return s && s.value === 'in_progress';
  });
  // The select shows the new value before the server has stored it: ask the server until it
  // has (or 5 s have passed), then check.
  const t1 = await page.evaluate(async () => {
    let t;
    for (let i = 0; i < 50; ++i) {
      t = (await (await fetch('/api/tasks')).json()).find(x => x.id === 1);
      if (t && t.owner === 'bob' && t.status === 'in_progress') break;
      await new Promise(r => setTimeout(r, 100));
    }
    return t;
  });
  check(t1.owner === 'bob' && t1.status === 'in_progress', 'task 1 assigned to bob, in progress');
  await page.screenshot({ path: path.join(shots, 'server_ui_tasks.png'), fullPage: true });

  // The lead sees the affected list.
  await page.goto(base + '/#/scope');
  await page.waitForSelector('#view table');
  check((await page.textContent('#view')).includes('erika@example.test'), 'lead sees the affected list');
  // A change without the CSRF token is refused, even with the session cookie.
  const noCsrf = await page.evaluate(async () => (await fetch('/api/tasks/1', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ owner: 'mallory' }) })).status);
  check(noCsrf === 403, 'change without CSRF token: 403');
  check(cspViolations.length === 0, 'no Content-Security-Policy violation: ' + cspViolations.join(' | '));

  // Log out, then the viewer.
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  const after = await page.evaluate(async () => (await fetch('/api/case')).status);
  check(after === 401, 'after logout the API answers 401');
  await login(env.VIEWER_USER, env.VIEWER_PASS);
  await page.waitForSelector('#case-name');
  const navText = await page.textContent('#nav');
  check(!navText.includes('Affected') && !navText.includes('Findings'),
        'viewer has no affected-list or findings link');
  await page.goto(base + '/#/scope');
  await page.waitForSelector('#page-error');
  const viewerScope = await page.textContent('#view');
  check(viewerScope.includes('Not for your role') && !viewerScope.includes('erika'),
        'viewer cannot open the affected-customers page');
  const apiStatus = await page.evaluate(async () => (await fetch('/api/scope')).status);
  check(apiStatus === 403, 'viewer gets 403 from /api/scope');
  const letters = await page.evaluate(async () => (await fetch('/api/letters')).status);
  check(letters === 403, 'viewer gets 403 from /api/letters');
  await page.screenshot({ path: path.join(shots, 'server_ui_viewer.png'), fullPage: true });
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
