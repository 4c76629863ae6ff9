import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord as rec, ruleFromDetection as det } from './testing.js';
import { RuleProblem } from './problem.js';
import { base64OffsetVariants, windashVariants, parseFieldKey } from './modifiers.js';

const hit = (detection: Record<string, unknown>, fields: Record<string, string | number | boolean | null | undefined>, raw?: string): boolean =>
  det(detection).match(rec(fields, raw)) !== null;

const sel = (selection: unknown): Record<string, unknown> => ({ selection, condition: 'selection' });

test('plain value: equals, case-insensitive; lists are OR; maps are AND', () => {
  assert.ok(hit(sel({ Image: 'C:\\Windows\\cmd.exe' }), { Image: 'c:\\windows\\CMD.EXE' }));
  assert.ok(!hit(sel({ Image: 'cmd.exe' }), { Image: 'c:\\windows\\cmd.exe' }));
  assert.ok(hit(sel({ a: ['x', 'y'] }), { a: 'Y' }));
  assert.ok(!hit(sel({ a: 'x', b: 'y' }), { a: 'x', b: 'z' }));
  assert.ok(hit(sel([{ a: 'x' }, { b: 'y' }]), { a: 'q', b: 'y' }));
});

test('contains / startswith / endswith / all', () => {
  assert.ok(hit(sel({ 'u|contains': '/ecp/' }), { u: '/ECP/default.flt' }));
  assert.ok(hit(sel({ 'u|startswith': '/ecp' }), { u: '/ecp/x' }));
  assert.ok(!hit(sel({ 'u|startswith': 'ecp' }), { u: '/ecp/x' }));
  assert.ok(hit(sel({ 'u|endswith': '.FLT' }), { u: '/ecp/default.flt' }));
  assert.ok(hit(sel({ 'u|contains|all': ['/ecp/', '.js'] }), { u: '/ecp/x.js' }));
  assert.ok(!hit(sel({ 'u|contains|all': ['/ecp/', '.js'] }), { u: '/ecp/x.css' }));
  assert.ok(hit(sel({ 'u|contains': ['/ecp/', '.js'] }), { u: '/ecp/x.css' }));
});

test('cased', () => {
  assert.ok(hit(sel({ 'u|contains|cased': 'Auth' }), { u: '/owa/Auth/x' }));
  assert.ok(!hit(sel({ 'u|contains|cased': 'Auth' }), { u: '/owa/auth/x' }));
  assert.ok(!hit(sel({ 'u|cased': 'ABC' }), { u: 'abc' }));
});

test('re: RE2, unanchored, case-sensitive unless i; m and s sub-flags', () => {
  assert.ok(hit(sel({ 'u|re': '^/owa/auth/[a-z0-9]{1,8}\\.aspx$' }), { u: '/owa/auth/x1.aspx' }));
  assert.ok(!hit(sel({ 'u|re': '^/owa/auth/[a-z0-9]{1,8}\\.aspx$' }), { u: '/OWA/auth/x1.aspx' }));
  assert.ok(hit(sel({ 'u|re|i': '^/owa/auth/' }), { u: '/OWA/AUTH/x' }));
  assert.ok(hit(sel({ 'u|re': '(?i)^/owa/auth/' }), { u: '/OWA/AUTH/x' }));
  assert.ok(hit(sel({ 'u|re': 'shell' }), { u: 'a webshell here' }));
  assert.ok(!hit(sel({ 'u|re': '^b$' }), { u: 'a\nb' }));
  assert.ok(hit(sel({ 'u|re|m': '^b$' }), { u: 'a\nb' }));
  assert.ok(!hit(sel({ 'u|re': 'a.b' }), { u: 'a\nb' }));
  assert.ok(hit(sel({ 'u|re|s': 'a.b' }), { u: 'a\nb' }));
});

test('re: look-around and backreferences are unsupported, never run by another engine', () => {
  for (const p of ['(?<=a)b', 'a(?=b)', '(a)\\1', '(?!x)y']) {
    assert.throws(() => det(sel({ 'u|re': p })), (e: unknown) => e instanceof RuleProblem && e.kind === 'unsupported', p);
  }
  const t0 = Date.now();
  assert.ok(!hit(sel({ 'u|re': '(a+)+$b' }), { u: 'a'.repeat(100_000) + '!' }));
  assert.ok(Date.now() - t0 < 2000);
});

test('base64 and base64offset', () => {
  assert.deepEqual(base64OffsetVariants(new TextEncoder().encode('/bin/bash')), ['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2']);
  assert.ok(hit(sel({ 'q|base64': 'whoami' }), { q: Buffer.from('whoami').toString('base64') }));
  // base64 output is data: compared case-sensitively.
  assert.ok(!hit(sel({ 'q|base64': 'whoami' }), { q: Buffer.from('whoami').toString('base64').toLowerCase() }));
  for (const prefix of ['', 'x', 'xy', 'xyz']) {
    const blob = Buffer.from(`${prefix}Invoke-Mimikatz -Command`).toString('base64');
    assert.ok(hit(sel({ 'q|base64offset|contains': 'Invoke-Mimikatz' }), { q: `-enc ${blob}` }), `offset ${prefix.length}`);
  }
  assert.ok(!hit(sel({ 'q|base64offset|contains': 'Invoke-Mimikatz' }), { q: Buffer.from('Invoke-Something').toString('base64') }));
  assert.throws(() => det(sel({ 'q|base64': 'who*' })), RuleProblem);
});

test('utf16le / utf16be / utf16 / wide, alone and with base64', () => {
  const ps = (s: string, enc: 'utf16le' | 'utf16be'): string => {
    const b = Buffer.from(s, 'utf16le');
    if (enc === 'utf16be') b.swap16();
    return b.toString('base64');
  };
  assert.ok(hit(sel({ 'q|wide|base64offset|contains': 'ping' }), { q: ps('cmd /c ping x', 'utf16le') }));
  assert.ok(hit(sel({ 'q|utf16le|base64offset|contains': 'ping' }), { q: ps('xx ping', 'utf16le') }));
  assert.ok(hit(sel({ 'q|utf16be|base64offset|contains': 'ping' }), { q: ps('x ping', 'utf16be') }));
  assert.ok(hit(sel({ 'q|utf16|base64': 'ab' }), { q: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') }));
  assert.ok(hit(sel({ 'q|wide|contains': 'ab' }), { q: 'x\u0061\u0000\u0062\u0000y' }));
  assert.throws(() => parseFieldKey('q|base64|utf16le'), RuleProblem);
});

test('windash', () => {
  assert.equal(windashVariants('-enc').length, 5);
  assert.deepEqual(windashVariants('a-b'), ['a-b']); // not an option dash
  for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) {
    assert.ok(hit(sel({ 'CommandLine|windash|contains': ' -encodedcommand ' }), { CommandLine: `powershell ${d}EncodedCommand AAA` }), d);
  }
  assert.ok(!hit(sel({ 'CommandLine|windash|contains': ' -enc ' }), { CommandLine: 'powershell +enc AAA' }));
});

test('cidr: IPv4, IPv6, IPv4-mapped, non-IP values', () => {
  const s = sel({ 'c-ip|cidr': ['10.0.0.0/8', '192.168.1.0/24', 'fd00::/8', '2001:db8::/32'] });
  assert.ok(hit(s, { 'c-ip': '10.1.2.3' }));
  assert.ok(hit(s, { 'c-ip': '192.168.1.77' }));
  assert.ok(!hit(s, { 'c-ip': '192.168.2.1' }));
  assert.ok(!hit(s, { 'c-ip': '11.0.0.1' }));
  assert.ok(hit(s, { 'c-ip': 'fd12:3456::1' }));
  assert.ok(hit(s, { 'c-ip': '2001:DB8:0:0:0:0:0:1' }));
  assert.ok(!hit(s, { 'c-ip': '2001:db9::1' }));
  assert.ok(hit(s, { 'c-ip': '::ffff:10.9.9.9' }));
  assert.ok(hit(s, { 'c-ip': '[fd00::1%eth0]' }));
  assert.ok(!hit(s, { 'c-ip': 'not-an-ip' }));
  assert.ok(!hit(s, { 'c-ip': '10.0.0' }));
  assert.ok(!hit(s, { 'c-ip': '10.0.0.256' }));
  assert.ok(hit(sel({ 'ip|cidr': '203.0.113.7/31' }), { ip: '203.0.113.6' }));
  assert.ok(!hit(sel({ 'ip|cidr': '203.0.113.7/32' }), { ip: '203.0.113.6' }));
  assert.ok(hit(sel({ 'ip|cidr': '0.0.0.0/0' }), { ip: '1.2.3.4' }));
  assert.throws(() => det(sel({ 'ip|cidr': '10.0.0.0/33' })), RuleProblem);
  assert.throws(() => det(sel({ 'ip|cidr': 'foo' })), RuleProblem);
});

test('numbers: compare numerically when both sides are numeric; gt/gte/lt/lte', () => {
  assert.ok(hit(sel({ 'sc-status': 401 }), { 'sc-status': '401' }));
  assert.ok(hit(sel({ 'sc-status': '401' }), { 'sc-status': 401 }));
  assert.ok(hit(sel({ 'sc-status': 401 }), { 'sc-status': '0401' }));
  assert.ok(!hit(sel({ 'sc-status': 401 }), { 'sc-status': '4010' }));
  assert.ok(hit(sel({ 'x|gt': 10 }), { x: '11' }));
  assert.ok(!hit(sel({ 'x|gt': 10 }), { x: '10' }));
  assert.ok(hit(sel({ 'x|gte': 10 }), { x: 10 }));
  assert.ok(hit(sel({ 'x|lt': 10 }), { x: '-3' }));
  assert.ok(hit(sel({ 'x|lte': 10.5 }), { x: '10.5' }));
  assert.ok(!hit(sel({ 'x|lt': 10 }), { x: 'abc' }));
  assert.ok(!hit(sel({ 'x|lt': 10 }), {}));
  assert.throws(() => det(sel({ 'x|gt': 'abc' })), RuleProblem);
  assert.ok(hit(sel({ flag: true }), { flag: true }));
  assert.ok(hit(sel({ flag: true }), { flag: 'True' }));
});

test('null: absent or empty; IIS "-" counts as empty for webserver rules', () => {
  assert.ok(hit(sel({ a: null }), {}));
  assert.ok(hit(sel({ a: null }), { a: '' }));
  assert.ok(!hit(sel({ a: null }), { a: 'x' }));
  assert.ok(hit(sel({ a: [null, 'x'] }), { a: 'x' }));
  assert.ok(hit({ filter: { a: null }, selection: { b: 'y' }, condition: 'selection and not filter' }, { a: 'v', b: 'y' }));
  const web = (fields: Record<string, string>): boolean =>
    det(sel({ 'cs-referer': null }), { logsource: { category: 'webserver' } }).match(rec(fields)) !== null;
  assert.ok(web({ 'cs(Referer)': '-' }));
  assert.ok(!web({ 'cs(Referer)': 'https://x/' }));
  assert.ok(!hit(sel({ a: null }), { a: '-' })); // other sources: '-' is a value
});

test('exists', () => {
  assert.ok(hit(sel({ 'a|exists': true }), { a: '' }));
  assert.ok(!hit(sel({ 'a|exists': true }), { b: 'x' }));
  assert.ok(hit(sel({ 'a|exists': false }), { b: 'x' }));
  assert.ok(!hit(sel({ 'a|exists': false }), { a: 'x' }));
  assert.throws(() => det(sel({ 'a|exists': 'yes' })), RuleProblem);
});

test('fieldref', () => {
  assert.ok(hit(sel({ 'a|fieldref': 'b' }), { a: 'X', b: 'x' }));
  assert.ok(!hit(sel({ 'a|fieldref': 'b' }), { a: 'x', b: 'y' }));
  assert.ok(!hit(sel({ 'a|fieldref': 'b' }), { a: 'x' }));
  assert.ok(hit(sel({ 'a|fieldref|startswith': 'b' }), { a: 'abc', b: 'ab' }));
  assert.ok(hit(sel({ 'a|fieldref|contains': 'b' }), { a: 'xabcx', b: 'abc' }));
  assert.ok(!hit(sel({ 'a|fieldref|cased': 'b' }), { a: 'X', b: 'x' }));
});

test('expand and unknown modifiers are reported', () => {
  assert.throws(() => det(sel({ 'a|expand': '%x%' })), (e: unknown) => e instanceof RuleProblem && e.kind === 'unsupported');
  assert.throws(() => det(sel({ 'a|bogus': 'x' })), (e: unknown) => e instanceof RuleProblem && /unknown modifier 'bogus'/.test(e.message));
  assert.throws(() => det(sel({ 'a|contains|startswith': 'x' })), /conflicting/);
  assert.throws(() => det(sel({ 'a|i': 'x' })), /need 're'/);
});

test('keywords: plain lists and strings match anywhere in raw; |all on keyword maps', () => {
  const k = { keywords: ['ProxyLogon', 'X-AnonResource'], condition: 'keywords' };
  assert.ok(hit(k, { a: 'q' }, 'GET /ecp/y.js ... Cookie: X-AnonResource=true'));
  assert.ok(!hit(k, { a: 'q' }, 'nothing here'));
  assert.ok(hit({ keywords: 'shell', condition: 'keywords' }, {}, 'WEBSHELL'));
  assert.ok(hit({ keywords: ['a*c'], condition: 'keywords' }, {}, 'xx abbc yy'));
  assert.ok(hit({ keywords: { '|all': ['foo', 'bar'] }, condition: 'keywords' }, {}, 'bar foo'));
  assert.ok(!hit({ keywords: { '|all': ['foo', 'bar'] }, condition: 'keywords' }, {}, 'foo only'));
  assert.ok(!hit({ keywords: { '|cased': 'Foo' }, condition: 'keywords' }, {}, 'foo'));
});

test('invalid detection shapes are clear errors', () => {
  assert.throws(() => det(sel({ a: { nested: 1 } })), /nested map/);
  assert.throws(() => det(sel({ a: [] })), /empty value list/);
  assert.throws(() => det(sel({})), /empty map/);
});
