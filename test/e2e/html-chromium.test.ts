/**
 * The HTML report in a real browser (Debian's `chromium`, headless): payloads planted in every place
 * evidence text reaches the page (user agents, URLs, file names, EVTX-like fields, incident text,
 * coverage ids, host name) must not run script and must not fetch anything. Payload URLs point at a
 * listener on 127.0.0.1 that the test starts; it must see no request. Skipped when chromium is absent.
 *
 * EXHUNT_SCREENSHOT=1 also writes docs/img/report.png from the demo scenario's report.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { assetPath } from '../../src/assets.js';
import { runCli, tempDir } from './helpers.js';

function findChromium(): string | undefined {
  for (const c of [process.env['CHROMIUM'], 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!c) continue;
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return undefined;
}

const chromium = findChromium();
const skip = chromium ? false : 'chromium not installed (Debian: apt-get install chromium); the browser checks of the HTML report were not run';

let root: string;
let server: Server;
let port = 0;
const requests: string[] = [];

before(async () => {
  if (!chromium) return;
  root = await tempDir('chromium');
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  if (!chromium) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

/** Run headless chromium on a local file; returns stdout (the DOM with --dump-dom). */
function browse(args: string[], file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const profile = join(root, `profile-${Math.random().toString(36).slice(2)}`);
    const p = spawn(
      chromium!,
      [
        '--headless', '--disable-gpu', '--no-sandbox', '--no-first-run', '--disable-extensions', '--disable-background-networking',
        '--disable-sync', '--disable-default-apps', '--mute-audio', `--user-data-dir=${profile}`, '--virtual-time-budget=3000',
        ...args, `file://${file}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Payloads that would run script, change the page or fetch from the listener if they reached the DOM as markup. */
function payloads(base: string): string[] {
  return [
    `<script>document.title='PWNED';document.body.appendChild(document.createElement('div')).id='pwned'</script>`,
    `"><script>document.title='PWNED'</script>`,
    `'><img src=${base}/img onerror="document.title='PWNED'">`,
    `<svg onload="document.title='PWNED'"><image href="${base}/svgimage"/></svg>`,
    `javascript:document.title='PWNED'`,
    `</style><script>document.title='PWNED'</script><style>`,
    `</script><script>document.title='PWNED'</script>`,
    `</title><script>document.title='PWNED'</script>`,
    `<style>@import url(${base}/css-import);body{background:url(${base}/css-bg)}</style>`,
    `\\3c script\\3e document.title='PWNED'\\3c /script\\3e expression(alert(1)) url(${base}/css-escape)`,
    `<link rel=stylesheet href=${base}/link><iframe src=${base}/iframe></iframe><object data=${base}/object></object>`,
    `<meta http-equiv="refresh" content="0;url=${base}/refresh">`,
    `<base href="${base}/base/"><a id=pwned href=x>x</a>`,
    `<form action=${base}/form><button id=pwned>go</button></form>`,
    `<img srcset="${base}/srcset 1x"><video poster=${base}/poster></video><audio src=${base}/audio></audio>`,
    `<details open ontoggle="document.title='PWNED'">`,
    `<math><mtext><table><mglyph><style><img src=${base}/mxss onerror=document.title='PWNED'>`,
    `<!--<img src="--><img src=${base}/comment onerror=document.title='PWNED'>`,
    `file\u202Egnp.aspx \u2066isolate\u2069 \u200Fmark \u0000nul \u001b[31mansi`,
    `&lt;script&gt;document.title='PWNED'&lt;/script&gt; &#x3C;script&#x3E;`,
    `<template><script>document.title='PWNED'</script></template><noscript><p title="</noscript><img src=${base}/noscript onerror=alert(1)>"></noscript>`,
  ];
}

/** A result by hand with a payload in every field the report shows. */
function hostileResult(base: string): Record<string, unknown> {
  const p = payloads(base);
  const pick = (i: number) => p[i % p.length]!;
  const findings = p.map((payload, i) => ({
    id: `F${String(i + 1).padStart(4, '0')}`,
    ruleId: `exhunt.hostile.${i}${pick(i + 3)}`,
    title: `title ${pick(i + 1)}`,
    severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5],
    family: i % 3 === 0 ? null : i % 3 === 1 ? 'proxylogon' : `fam${pick(i)}`,
    cves: ['CVE-2021-26855', pick(i + 2)],
    evidence: (['success', 'attempt', 'probe', 'context'] as const)[i % 4],
    summary: `GET ${payload} from 203.0.113.${i + 1}`,
    time: new Date(Date.UTC(2021, 2, 2, i)).toISOString(),
    lastTime: new Date(Date.UTC(2021, 2, 2, i + 1)).toISOString(),
    count: i + 1,
    source: { path: `inetpub/logs/LogFiles/W3SVC1/${payload}.log`, line: i + 1, kind: i % 2 ? 'iis-w3c' : 'evtx' },
    fields: {
      'cs(User-Agent)': payload,
      'cs-uri-stem': `/owa/auth/${payload}.aspx`,
      'cs-uri-query': payload,
      'cs-method': 'POST',
      'sc-status': '200',
      // EVTX-like fields (Security 4688 / Sysmon 1).
      CommandLine: `cmd.exe /c ${payload}`,
      NewProcessName: `C:\\Windows\\Temp\\${payload}.exe`,
      TargetUserName: payload,
      [`Field${payload}`]: 'key is hostile too',
      sha256: 'a'.repeat(64),
    },
    entities: {
      ips: [`203.0.113.${i + 1}`, pick(i + 5)],
      userAgents: [payload],
      mailboxes: [`${payload}@example.com`],
      accounts: [`CONTOSO\\${payload}`],
      paths: [`C:\\inetpub\\wwwroot\\aspnet_client\\${payload}.aspx`, `/aspnet_client/${payload}.aspx`],
      hashes: ['a'.repeat(64)],
    },
    samples: [{ time: '2021-03-02T12:00:00.000Z', source: { path: `x/${payload}`, line: 9 }, fields: { x: payload } }],
    tags: ['attack.t1190', pick(i + 4)],
  }));
  return {
    schema: 'exhunt.scan-result/1',
    tool: {
      name: 'exhunt', version: `0.0.0 ${p[0]}`, rulePack: { hash: `${p[1]}${'0'.repeat(64)}`, rules: 1, files: 1, issues: [] },
      knowledge: { builds: p[2], families: p[3] }, options: { extraRules: [], maxRecordBytes: 1048576 },
      startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000,
    },
    host: {
      name: p[0],
      evidence: { path: `/evidence/${p[5]}`, layout: p[6] },
      exchange: {
        installPath: p[7], installPathAssumed: false,
        builds: [{ build: p[8], firstSeen: '2021-02-01T00:00:00.000Z', lastSeen: '2021-03-01T00:00:00.000Z', source: p[9] }],
        exSetup: { version: p[10], path: p[11], modified: '2021-01-01T00:00:00.000Z' },
        exposure: { build: p[12], product: p[13], cu: p[14], su: p[15], knowledgeDate: p[16], families: { proxylogon: { status: p[17], reason: p[18] }, [p[19]!]: { status: 'vulnerable', reason: p[0], fixedBy: { build: p[1], cu: p[2], su: p[3], kb: p[4], cuUpgrade: true } } } },
        mitigations: { proxylogon: { status: p[5], detail: p[6] }, [p[7]!]: p[8] },
        installedUpdates: [p[9], { kb: p[10], name: p[11] }],
      },
    },
    verdicts: {
      proxylogon: { status: 'compromised', window: { start: '2021-01-03T00:00:00.000Z', end: '2021-03-16T00:00:00.000Z', endReason: p[12] }, reasons: p, findingIds: findings.map((f) => f.id) },
      [p[13]!]: { status: p[14], window: { start: p[15], end: p[16], endReason: p[17] }, reasons: [p[18]], findingIds: [p[19]] },
    },
    findings,
    coverage: {
      sources: p.map((payload, i) => ({
        id: payload, kind: payload, files: 1, bytes: 10, records: 5,
        firstTime: new Date(Date.UTC(2021, 1, 1 + i)).toISOString(), lastTime: new Date(Date.UTC(2021, 2, 1 + i)).toISOString(),
        hoursWithRecords: 3, gaps: [{ start: '2021-02-10T00:00:00.000Z', end: '2021-02-12T00:00:00.000Z', hours: 48 }], minGapHours: 24,
        longRecords: 0, malformed: 0, truncatedFiles: 0, skipped: [{ path: payload, reason: payload }],
      })),
      missing: p.slice(0, 3),
      problems: p.map((x) => ({ path: x, reason: x })),
      evidenceStart: '2021-02-01T00:00:00.000Z', evidenceEnd: '2021-03-20T00:00:00.000Z',
      notes: p.slice(3, 6),
    },
    stats: { logFiles: 1, logBytes: 10, records: 5, filesInventoried: 1 },
    nextSteps: p,
    incidents: [{
      id: p[0], status: p[1], families: [p[2], 'proxylogon'],
      window: { start: '2021-03-02T00:00:00.000Z', end: '2021-03-03T00:00:00.000Z' },
      ips: [{ ip: p[3], requests: 3, stages: [p[4]], first: p[5], last: p[6] }],
      shells: [{ path: p[7], url: p[8], sha256: p[9], written: { time: '2021-03-02T01:00:00.000Z', findingId: 'F0001', how: p[10] }, accesses: 2, accessIps: [p[11]] }],
      mailboxes: [{ mailbox: p[12], how: [p[13]], findingIds: ['F0001'] }],
      allMailboxesReachable: true, allMailboxesReason: p[14],
      exposure: { start: '2021-03-02T00:00:00.000Z', end: '2021-03-16T00:00:00.000Z', endReason: p[15] },
      accounts: [{ account: p[16], findingIds: [] }],
      links: p.slice(0, 4),
      findingIds: ['F0001'],
      timeline: p.map((x, i) => ({ time: `2021-03-02T0${i % 10}:00:00.000Z`, stage: x, findingId: i % 2 ? `F000${(i % 9) + 1}` : x, text: x, source: { path: x, line: i } })),
    }],
    scanning: { ipCount: 2, requests: 4, top: [{ ip: p[17], requests: 3 }] },
  };
}

test('hostile evidence in the HTML report: no script runs, nothing is fetched', { skip }, async () => {
  const base = `http://127.0.0.1:${port}`;
  const json = join(root, 'hostile.json');
  const html = join(root, 'hostile.html');
  await writeFile(json, JSON.stringify(hostileResult(base)));
  const r = await runCli(['report', json, '--html', html]);
  assert.equal(r.code, 0, r.stderr);

  // Control: the same browser and listener do see a fetch from a page that asks for one, so the
  // "no request" below is a real observation.
  const control = join(root, 'control.html');
  await writeFile(control, `<!DOCTYPE html><title>control</title><img src="${base}/control">`);
  await browse(['--dump-dom'], control);
  assert.ok(requests.some((q) => q.includes('/control')), 'the listener sees a page that fetches');
  requests.length = 0;

  const run = await browse(['--dump-dom'], html);
  const dom = run.stdout;
  assert.ok(dom.includes('</html>'), `chromium dumped the DOM (exit ${run.code}): ${run.stderr.slice(-500)}`);
  // Our own script ran (CSP allows it by hash): the filter box is shown and the marker is set.
  assert.match(dom, /<html[^>]*data-js="on"/, 'the report script ran');
  const title = /<title>([\s\S]*?)<\/title>/.exec(dom)?.[1] ?? '';
  assert.ok(title.startsWith('exhunt report'), `title unchanged: ${title}`);
  assert.ok(!title.includes('PWNED') || title.includes('&lt;script&gt;'), 'no payload set the title');
  assert.doesNotMatch(dom, /id="pwned"/, 'no payload added an element');
  assert.equal((dom.match(/<script\b/g) ?? []).length, 1, 'only the report script element exists');
  assert.doesNotMatch(dom, /<(iframe|object|embed|img|link|base|video|audio|template|meta http-equiv="refresh")\b/i, 'no element from a payload');
  assert.equal((dom.match(/<form\b/g) ?? []).length, 1, 'only the report\'s filter form');
  // Inside tags only: the payloads' own text (escaped, so without a raw '<') mentions onerror= too.
  // Chromium serialises every attribute value in double quotes with '"' escaped, and text with '<'
  // escaped, so tags and attribute names can be read off the dump exactly.
  const handlers: string[] = [];
  for (const tag of dom.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const attr of tag[2]!.matchAll(/\s([^\s=]+)(?:="[^"]*")?/g)) if (/^on/i.test(attr[1]!)) handlers.push(tag[0]);
  }
  assert.deepEqual(handlers, [], 'no event handler attribute');
  assert.ok(dom.includes('\\u202E'), 'bidi override shown, not applied');
  assert.ok(!dom.includes('\u202E'), 'no raw bidi override in the page');
  assert.ok(dom.includes('document.title=&#39;PWNED&#39;') || dom.includes("document.title='PWNED'"), 'payload text is shown as text');
  // Give a late fetch a moment to arrive before concluding there was none.
  await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(requests, [], 'the report fetched nothing');
});

test('demo report screenshot (EXHUNT_SCREENSHOT=1 writes docs/img/report.png)', { skip: skip || (process.env['EXHUNT_SCREENSHOT'] ? false : 'set EXHUNT_SCREENSHOT=1 to regenerate docs/img/report.png') }, async () => {
  const html = join(root, 'demo.html');
  const r = await runCli(['demo', '--html', html]);
  assert.equal(r.code, 0, r.stderr);
  const png = assetPath('docs/img/report.png');
  await mkdir(join(png, '..'), { recursive: true });
  const shot = await browse(['--hide-scrollbars', '--window-size=1100,1400', '--force-device-scale-factor=1', `--screenshot=${png}`], html);
  assert.equal(shot.code, 0, shot.stderr);
  const bytes = await readFile(png);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
});
