/**
 * End to end: the HTML, STIX 2.1 and ECS exports of `exhunt scan` and `exhunt report`, checked against
 * what the specifications require (written from the STIX 2.1 specification and Elastic's ECS field
 * reference; no validator is available offline), and the redaction of names.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/index.js';
import { scoId, uuidv5, TLP2_MARKINGS, TLP2_EXTENSION } from '../../src/report/stix.js';
import { runCli, tempDir } from './helpers.js';

let root: string;
let tree: string;
const out: Record<'json' | 'html' | 'stix' | 'ecs', string> = { json: '', html: '', stix: '', ecs: '' };
let result: { findings: Array<{ id: string; evidence: string; entities: { ips: string[]; paths: string[]; mailboxes: string[]; accounts: string[] } }>; [k: string]: unknown };
let scanRun: Awaited<ReturnType<typeof runCli>>;

before(async () => {
  root = await tempDir('reports');
  tree = join(root, 'tree');
  await simulate({ out: tree, scenario: 'proxylogon', seed: 3 });
  for (const k of Object.keys(out) as Array<keyof typeof out>) out[k] = join(root, `out.${k}`);
  scanRun = await runCli(['scan', tree, '-q', '--json', out.json, '--html', out.html, '--stix', out.stix, '--tlp', 'green', '--ecs', out.ecs]);
  assert.equal(scanRun.code, 6, `scan of the simulated server: ${scanRun.stderr}`);
  result = JSON.parse(await readFile(out.json, 'utf8'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

// ── STIX 2.1, from the specification ──

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** §3.2: timestamps are RFC 3339 in UTC with `Z`; created/modified MUST be precise to the millisecond. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TIMESTAMP_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SCO_TYPES = new Set(['artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate']);
const SDO_TYPES = new Set(['attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure', 'intrusion-set', 'location', 'malware', 'malware-analysis', 'note', 'observed-data', 'opinion', 'report', 'threat-actor', 'tool', 'vulnerability']);
/** §10.6 indicator-type-ov. */
const INDICATOR_TYPES = new Set(['anomalous-activity', 'anonymization', 'benign', 'compromised', 'malicious-activity', 'attribution', 'unknown']);

type Obj = Record<string, unknown>;

function idParts(id: unknown): { type: string; uuid: string } {
  assert.equal(typeof id, 'string');
  const m = /^([a-z0-9][a-z0-9-]{1,248}[a-z0-9])--(.+)$/.exec(id as string);
  assert.ok(m, `identifier ${String(id)} is type--UUID`);
  assert.match(m[2]!, UUID, `identifier ${String(id)} has an RFC 4122 UUID`);
  return { type: m[1]!, uuid: m[2]! };
}

/**
 * Pattern basics (§9): one or more observation expressions `[ … ]`, each a comparison
 * `object-type:property.path = 'string'` (or AND-ed comparisons), strings quoted with `'` and
 * escaping only `\\` and `\'`.
 */
function checkPattern(p: string): void {
  let i = 0;
  const ws = () => {
    while (p[i] === ' ') i++;
  };
  const str = () => {
    assert.equal(p[i], "'", `string literal at ${i} in ${p}`);
    i++;
    while (i < p.length && p[i] !== "'") {
      if (p[i] === '\\') {
        assert.ok(p[i + 1] === '\\' || p[i + 1] === "'", `only \\\\ and \\' escapes in ${p}`);
        i += 2;
      } else i++;
    }
    assert.equal(p[i], "'", `closed string in ${p}`);
    i++;
  };
  const path = () => {
    const m = /^[a-z0-9-]+:(?:[a-z0-9_]+|'[^']+')(?:\.(?:[a-z0-9_]+|'[^']+'))*/.exec(p.slice(i));
    assert.ok(m, `object path at ${i} in ${p}`);
    i += m[0].length;
  };
  assert.equal(p[i], '[');
  i++;
  for (;;) {
    ws();
    path();
    ws();
    assert.ok(p.startsWith('= ', i), `'=' comparison in ${p}`);
    i += 1;
    ws();
    str();
    ws();
    if (p.startsWith('AND ', i)) {
      i += 4;
      continue;
    }
    break;
  }
  assert.equal(p[i], ']', `observation closed in ${p}`);
  assert.equal(i, p.length - 1, `nothing after the observation in ${p}`);
}

test('scan --html --stix --ecs writes all three exports', () => {
  assert.equal(scanRun.code, 6, scanRun.stderr);
  assert.match(scanRun.stderr, /wrote .*out\.html/);
});

test('UUIDv5 and SCO ids match independently computed values', () => {
  // RFC 4122 name-based UUID of "python.org" in the DNS namespace (the value Python's uuid.uuid5 gives).
  assert.equal(uuidv5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  // STIX §2.9: UUIDv5 in the SCO namespace over the canonical JSON {"value":"198.51.100.3"} (computed with Python).
  assert.equal(scoId('ipv4-addr', { value: '198.51.100.3' }), 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4');
});

test('STIX bundle: required properties, identifier formats, timestamps, patterns, TLP marking', async () => {
  const bundle = JSON.parse(await readFile(out.stix, 'utf8')) as Obj;
  assert.equal(bundle['type'], 'bundle');
  assert.equal(idParts(bundle['id']).type, 'bundle');
  assert.equal(bundle['spec_version'], undefined, 'a 2.1 bundle has no spec_version');
  const objects = bundle['objects'] as Obj[];
  assert.ok(Array.isArray(objects) && objects.length > 0);
  const byId = new Map<string, Obj>();
  for (const o of objects) {
    const { type, uuid } = idParts(o['id']);
    assert.equal(type, o['type'], `id prefix matches type for ${String(o['id'])}`);
    assert.ok(!byId.has(o['id'] as string), `unique id ${String(o['id'])}`);
    byId.set(o['id'] as string, o);
    if (SCO_TYPES.has(type)) {
      // SCO ids are UUIDv5 over the ID contributing properties (§2.9, §6).
      assert.equal(uuid[14], '5', `SCO ${String(o['id'])} uses UUIDv5`);
      const contributing: Obj = {};
      const keys = type === 'file' ? ['hashes', 'name', 'extensions', 'parent_directory_ref'] : type === 'directory' ? ['path'] : ['value'];
      for (const k of keys) if (o[k] !== undefined) contributing[k] = o[k];
      assert.equal(o['id'], scoId(type, contributing), `deterministic id of ${String(o['id'])}`);
      if (o['spec_version'] !== undefined) assert.equal(o['spec_version'], '2.1');
    } else {
      assert.equal(o['spec_version'], '2.1', `spec_version of ${String(o['id'])}`);
      assert.match(String(o['created']), TIMESTAMP_MS, 'created to the millisecond');
    }
    if (SDO_TYPES.has(type)) {
      assert.equal(uuid[14], '4', `SDO ${String(o['id'])} uses UUIDv4`);
      assert.match(String(o['modified']), TIMESTAMP_MS);
      assert.ok(String(o['modified']) >= String(o['created']), 'modified is not before created');
    }
  }
  const markings = objects.filter((o) => o['type'] === 'marking-definition');
  assert.equal(markings.length, 1);
  const m = markings[0]!;
  assert.equal(m['id'], TLP2_MARKINGS.green);
  assert.equal(m['name'], 'TLP:GREEN');
  assert.deepEqual((m['extensions'] as Obj)[TLP2_EXTENSION], { extension_type: 'property-extension', tlp_2_0: 'green' });

  const indicators = objects.filter((o) => o['type'] === 'indicator');
  assert.ok(indicators.length >= 3);
  for (const ind of indicators) {
    for (const k of ['pattern', 'pattern_type', 'valid_from']) assert.ok(ind[k] !== undefined, `indicator has ${k}`);
    assert.equal(ind['pattern_type'], 'stix');
    assert.match(String(ind['valid_from']), TIMESTAMP);
    checkPattern(String(ind['pattern']));
    for (const t of ind['indicator_types'] as string[]) assert.ok(INDICATOR_TYPES.has(t), t);
    assert.deepEqual(ind['object_marking_refs'], [m['id']]);
  }
  const observed = objects.filter((o) => o['type'] === 'observed-data');
  assert.ok(observed.length >= 1);
  for (const od of observed) {
    assert.match(String(od['first_observed']), TIMESTAMP);
    assert.match(String(od['last_observed']), TIMESTAMP);
    assert.ok(Date.parse(String(od['last_observed'])) >= Date.parse(String(od['first_observed'])));
    const n = od['number_observed'] as number;
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 999_999_999);
    const refs = od['object_refs'] as string[];
    assert.ok(refs.length >= 1);
    for (const ref of refs) {
      assert.ok(byId.has(ref), `object_refs ${ref} is in the bundle`);
      assert.ok(SCO_TYPES.has(idParts(ref).type), `observed-data refers to SCOs only (${ref})`);
    }
  }
  for (const f of objects.filter((o) => o['type'] === 'file' && o['parent_directory_ref'])) assert.ok(byId.has(f['parent_directory_ref'] as string));

  // What the indicators say: attacker IPs from exploitation findings, the shell, no private address.
  const patterns = indicators.map((i) => String(i['pattern']));
  const hostileIps = new Set(result.findings.filter((f) => f.evidence === 'success' || f.evidence === 'attempt').flatMap((f) => f.entities.ips));
  const publicIps = [...hostileIps].filter((ip) => isIP(ip) && !/^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip));
  assert.ok(publicIps.length >= 1);
  for (const ip of publicIps) assert.ok(patterns.includes(`[ipv4-addr:value = '${ip}']`), `indicator for ${ip}`);
  assert.ok(!patterns.some((p) => /'10\.|'192\.168\./.test(p)), 'no private address is shared');
  assert.ok(patterns.some((p) => p.includes("file:name = 'lsass.dmp'")), 'the LSASS dump');
  assert.ok(patterns.some((p) => /http-request-ext'\.request_value = '\/aspnet_client\//.test(p)), 'the web shell URL path');
});

// ── ECS, from Elastic's published field reference ──

/** ECS fields used by exhunt, each checked against the ECS 8.x field reference. */
const ECS_FIELDS = new Set([
  '@timestamp', 'message', 'tags', 'labels',
  'ecs.version',
  'event.kind', 'event.category', 'event.type', 'event.severity', 'event.risk_score', 'event.dataset', 'event.module', 'event.provider', 'event.start', 'event.end', 'event.created', 'event.outcome', 'event.action', 'event.reference',
  'rule.id', 'rule.name', 'rule.description', 'rule.category', 'rule.ruleset', 'rule.reference', 'rule.uuid', 'rule.version',
  'observer.vendor', 'observer.product', 'observer.version', 'observer.type', 'observer.name',
  'host.name', 'host.hostname',
  'source.ip', 'source.address', 'source.port',
  'url.original', 'url.path', 'url.query', 'url.domain', 'url.full',
  'http.request.method', 'http.response.status_code',
  'user_agent.original',
  'file.path', 'file.name', 'file.directory', 'file.hash.sha256', 'file.hash.sha1', 'file.hash.md5', 'file.size',
  'user.name', 'user.domain', 'user.email', 'user.target.name', 'user.target.email',
  'related.ip', 'related.user', 'related.hash', 'related.hosts',
  'vulnerability.id',
  'threat.framework', 'threat.technique.id', 'threat.technique.name', 'threat.tactic.name', 'threat.tactic.id',
  'log.file.path',
]);
const EVENT_KIND = new Set(['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal']);
const EVENT_CATEGORY = new Set(['api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam', 'intrusion_detection', 'library', 'malware', 'network', 'package', 'process', 'registry', 'session', 'threat', 'vulnerability', 'web']);
const EVENT_TYPE = new Set(['access', 'admin', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'device', 'end', 'error', 'group', 'indicator', 'info', 'installation', 'protocol', 'start', 'user']);

function leaves(o: Obj, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...leaves(v as Obj, p));
    else out.push(p);
  }
  return out;
}

test('ECS NDJSON: one document per finding, ECS field names and allowed values', async () => {
  const text = await readFile(out.ecs, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.length, result.findings.length);
  for (const line of lines) {
    const d = JSON.parse(line) as Obj;
    for (const p of leaves(d)) {
      if (p.startsWith('exhunt.') || p.startsWith('labels.')) continue;
      assert.ok(ECS_FIELDS.has(p), `${p} is an ECS field`);
    }
    assert.match(String(d['@timestamp']), TIMESTAMP);
    const ev = d['event'] as Obj;
    assert.ok(EVENT_KIND.has(String(ev['kind'])));
    for (const c of ev['category'] as string[]) assert.ok(EVENT_CATEGORY.has(c), c);
    for (const t of ev['type'] as string[]) assert.ok(EVENT_TYPE.has(t), t);
    assert.ok(Number.isInteger(ev['severity']));
    for (const v of Object.values((d['labels'] as Obj) ?? {})) assert.equal(typeof v, 'string', 'labels are keywords');
    const src = d['source'] as Obj | undefined;
    if (src) assert.ok(isIP(String(src['ip'])));
    const http = d['http'] as { response?: { status_code?: unknown } } | undefined;
    if (http?.response?.status_code !== undefined) assert.ok(Number.isInteger(http.response.status_code));
    assert.ok((d['rule'] as Obj)['id'] && (d['rule'] as Obj)['name']);
    assert.ok((d['exhunt'] as Obj)['finding_id']);
  }
  const docs = lines.map((l) => JSON.parse(l) as Obj);
  assert.ok(docs.some((d) => (d['url'] as Obj | undefined)?.['path'] && (d['user_agent'] as Obj | undefined)?.['original']), 'web findings carry url and user agent');
  assert.ok(docs.some((d) => (d['file'] as Obj | undefined)?.['path']), 'file findings carry file.path');
});

// ── HTML, statically (the browser test is html-chromium.test.ts) ──

test('HTML: self-contained, CSP with hashes, no inline handlers or style attributes', async () => {
  const html = await readFile(out.html, 'utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(csp, 'CSP meta');
  const policy = csp[1]!.replace(/&#39;/g, "'");
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /img-src data:/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(scripts.length, 1);
  assert.equal(styles.length, 1);
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
  assert.ok(policy.includes(`script-src ${hash(scripts[0]![1]!)}`), 'the script is allowed by its hash');
  assert.ok(policy.includes(`style-src ${hash(styles[0]![1]!)}`), 'the style sheet is allowed by its hash');
  assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link\b|<iframe|<img\b|<object|<embed/i);
  assert.doesNotMatch(html, /\sstyle="/);
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.doesNotMatch(html, /(src|href)="(https?:|\/\/|javascript:)/i);
  // Contents a reader needs.
  for (const s of ['Verdicts', 'What to do next', 'CISA', 'Incident timeline', '<svg', 'Attacker IPs', 'Web shells', 'Log coverage', 'Mitigations', 'id="findings"', 'TLP:GREEN']) assert.ok(html.includes(s), s);
  assert.match(html, /COMPROMISED/);
});

// ── exhunt report, and redaction ──

/** A small result by hand, with names to redact in every place they can appear. */
function namedResult(): Obj {
  const finding = (id: string, over: Obj): Obj => ({
    id, ruleId: 'exhunt.test.rule', title: 'Test rule', severity: 'high', family: 'proxylogon', cves: ['CVE-2021-26855'], evidence: 'success',
    summary: 'mailbox K.Ito@Example-Law.com exported by CONTOSO\\jdoe (administration task)', time: '2021-03-03T10:00:00.000Z', lastTime: '2021-03-03T11:00:00.000Z', count: 2,
    source: { path: 'Users/jdoe/log.txt', line: 3, kind: 'text' },
    fields: { AnchorMailbox: 'SMTP:k.ito@example-law.com', User: 'CONTOSO\\jdoe', Path: 'C:\\Users\\jdoe\\Desktop\\x.pst' },
    entities: { ips: ['203.0.113.9'], userAgents: [], mailboxes: ['k.ito@example-law.com'], accounts: ['CONTOSO\\jdoe', 'SYSTEM'], paths: ['C:\\inetpub\\wwwroot\\aspnet_client\\s.aspx'], hashes: [] },
    samples: [], tags: [], ...over,
  });
  return {
    schema: 'exhunt.scan-result/1',
    tool: { name: 'exhunt', version: '0.0.0-test', rulePack: { hash: 'ab'.repeat(32), rules: 1, files: 1, issues: [] }, knowledge: { builds: '2026-02', families: 'proxylogon window from 2021-01-03' }, options: { extraRules: [], maxRecordBytes: 1048576 }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000 },
    host: { name: 'EXCH01', evidence: { path: '/evidence', layout: 'system-drive' }, exchange: { installPathAssumed: false, builds: [] } },
    verdicts: { proxylogon: { status: 'compromised', window: { start: '2021-01-03T00:00:00.000Z', end: '2021-03-16T00:00:00.000Z', endReason: 'end of the evidence' }, reasons: ['k.ito@example-law.com was targeted'], findingIds: ['F0001', 'F0002'] } },
    findings: [finding('F0001', {}), finding('F0002', { summary: 'shell used by contoso\\JDOE', entities: { ips: ['198.51.100.7'], userAgents: [], mailboxes: ['K.ITO@example-law.com'], accounts: ['contoso\\JDOE'], paths: [], hashes: [] } })],
    coverage: { sources: [], missing: [], problems: [] },
    stats: { logFiles: 0, logBytes: 0, records: 0, filesInventoried: 0 },
    nextSteps: ['Tell k.ito@example-law.com and jdoe.'],
    incidents: [{ id: 'I1', status: 'compromised', families: ['proxylogon'], window: { start: '2021-03-03T10:00:00.000Z', end: '2021-03-03T11:00:00.000Z' }, ips: [{ ip: '203.0.113.9', requests: 3, stages: ['exploit'] }], shells: [], mailboxes: [{ mailbox: 'k.ito@example-law.com', how: ['exported'], findingIds: ['F0001'] }], accounts: [{ account: 'CONTOSO\\jdoe', findingIds: ['F0001'] }], allMailboxesReachable: true, links: [], findingIds: ['F0001'], timeline: [{ time: '2021-03-03T10:00:00.000Z', stage: 'exfiltration', text: 'export of k.ito@example-law.com', findingId: 'F0001' }] }],
  };
}

test('report --redact: names become stable pseudonyms in HTML, STIX and ECS; others stay', async () => {
  const input = join(root, 'named.json');
  await writeFile(input, JSON.stringify(namedResult()));
  const files = (tag: string) => ({ html: join(root, `${tag}.html`), stix: join(root, `${tag}.stix.json`), ecs: join(root, `${tag}.ndjson`) });
  const run = async (tag: string, key?: string) => {
    const f = files(tag);
    const r = await runCli(['report', input, '--html', f.html, '--stix', f.stix, '--ecs', f.ecs, '--redact'], { env: key === undefined ? { EXHUNT_REDACT_KEY: '' } : { EXHUNT_REDACT_KEY: key } });
    assert.equal(r.code, 0, r.stderr);
    return { html: await readFile(f.html, 'utf8'), stix: await readFile(f.stix, 'utf8'), ecs: await readFile(f.ecs, 'utf8') };
  };
  // Each run is its own process, as a user's would be; they run side by side to keep the test short.
  const [a, b, c, d, e] = await Promise.all([run('a', 'case-42-key'), run('b', 'case-42-key'), run('c', 'another-key'), run('d'), run('e')]);
  const all = `${a.html}\n${a.stix}\n${a.ecs}`;
  for (const name of [/k\.ito/i, /jdoe/i, /example-law/i]) assert.doesNotMatch(all, name, `${name} is redacted`);
  const mbx = [...new Set(all.match(/mailbox-[0-9a-f]{12}@redacted\.invalid/g) ?? [])];
  const acct = [...new Set(all.match(/account-[0-9a-f]{12}/g) ?? [])];
  assert.equal(mbx.length, 1, 'one mailbox, whatever its case, one pseudonym');
  assert.ok(acct.length >= 1 && acct.length <= 2, 'CONTOSO\\jdoe (and the bare jdoe) only');
  for (const s of [a.html, a.ecs]) assert.ok(s.includes(mbx[0]!), 'the same pseudonym in every export');
  assert.equal(a.ecs.replace(/"created":"[^"]+"/g, ''), b.ecs.replace(/"created":"[^"]+"/g, ''), 'same key, same pseudonyms');
  assert.ok(!c.ecs.includes(mbx[0]!), 'another key, other pseudonyms');
  // Not names: built-in principals, IPs and ordinary words stay as they were.
  assert.match(a.ecs, /SYSTEM/);
  assert.match(a.ecs, /203\.0\.113\.9/);
  assert.match(a.html, /administration task/);
  assert.match(a.html, /Mailbox addresses and account names in this report are pseudonyms/);
  // Without a key, a random one per run: two runs do not link.
  const pd = d.ecs.match(/mailbox-[0-9a-f]{12}/)![0];
  assert.ok(!e.ecs.includes(pd));
});

test('report: the same result renders again from its JSON; bad input is a clear error', async () => {
  const html2 = join(root, 'again.html');
  const r = await runCli(['report', out.json, '--html', html2, '--tlp', 'amber+strict']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*again\.html/);
  assert.match(await readFile(html2, 'utf8'), /TLP:AMBER\+STRICT/);

  const notJson = join(root, 'not.json');
  const otherJson = join(root, 'other.json');
  await writeFile(notJson, 'hello');
  await writeFile(otherJson, '{"schema":"something-else"}');
  const cases: Array<[string[], number, RegExp]> = [
    [['report', out.json], 2, /at least one of --html, --stix, --ecs/],
    [['report', out.json, '--stix', join(root, 'x.json'), '--tlp', 'purple'], 2, /--tlp: expected one of/],
    [['report', join(root, 'nope.json'), '--html', join(root, 'y.html')], 3, /cannot read/],
    [['report', notJson, '--html', join(root, 'z.html')], 2, /not JSON/],
    [['report', otherJson, '--html', join(root, 'z.html')], 2, /not an exhunt result/],
    [['report', out.json, '--html', join(root, 'no-such-dir', 'r.html')], 2, /cannot write/],
  ];
  // A bare result (older, or edited by hand) still renders: missing parts are simply left out.
  const bare = join(root, 'bare.json');
  await writeFile(bare, JSON.stringify({ schema: 'exhunt.scan-result/1', tool: {}, host: {}, verdicts: { proxylogon: { status: 'clean' } }, findings: [{ id: 'F0001', severity: 'high', evidence: 'success', time: '2021-03-01T00:00:00Z' }], coverage: {}, stats: {} }));
  cases.push([['report', bare, '--html', join(root, 'bare.html'), '--stix', join(root, 'bare.stix'), '--ecs', join(root, 'bare.ndjson')], 0, /^$/]);
  const runs = await Promise.all(cases.map(([args]) => runCli(args)));
  runs.forEach((x, i) => {
    assert.equal(x.code, cases[i]![1], `${cases[i]![0].join(' ')}: ${x.stderr}`);
    assert.match(x.stderr, cases[i]![2]);
  });
});
