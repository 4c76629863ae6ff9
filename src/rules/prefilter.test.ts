import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord as rec, ruleFromDetection as det } from './testing.js';
import { unionPrefilter, unionFilter, prefilterAccepts, minimise, safePieces } from './prefilter.js';
import { regexLiterals } from './regex.js';
import type { CompiledRule } from './types.js';
import type { FieldValue } from '../model/record.js';

const pf = (detection: Record<string, unknown>, extra: Record<string, unknown> = {}): CompiledRule['prefilter'] =>
  det(detection, extra).prefilter;

test('literal choice: longest piece of a wildcard, best branch of AND, union of OR', () => {
  assert.deepEqual(pf({ s: { 'u|contains': '/owa/auth/Current/themes/resources/' }, condition: 's' }),
    { literals: ['/owa/auth/current/themes/resources/'], caseSensitive: false });
  assert.deepEqual(pf({ s: { u: '*abc*defgh?ij' }, condition: 's' }), { literals: ['defgh'], caseSensitive: false });
  // AND: the rarer literal wins over one that every OWA line contains.
  assert.deepEqual(pf({ s: { m: 'POST', 'u|contains': 'X-AnonResource-Backend' }, condition: 's' }),
    { literals: ['x-anonresource-backend'], caseSensitive: false });
  assert.deepEqual(pf({ s: { 'u|contains': ['SecurityToken=', 'InboxRules.svc'] }, condition: 's' }),
    { literals: ['inboxrules.svc', 'securitytoken='], caseSensitive: false });
  assert.deepEqual(pf({ a: { u: 'aaa1' }, b: { v: 'bbb2' }, condition: '1 of them' }), { literals: ['aaa1', 'bbb2'], caseSensitive: false });
  assert.deepEqual(pf({ a: { u: 'aaa1' }, b: { v: 'bbbbbb2' }, condition: 'all of them' }), { literals: ['bbbbbb2'], caseSensitive: false });
  // When the best branch is typical of benign lines, AND keeps the others as clauses the record must
  // also satisfy (each common alone, rare together); tokens of every line (`200`) are not worth it.
  assert.deepEqual(pf({ s: { 'u|contains': '/owa/' }, t: { 'u|contains': 'PowerShell' }, condition: 's and t' }), { literals: ['/owa/'], caseSensitive: false, also: [['powershell']] });
  assert.deepEqual(pf({ s: { 'u|contains': '/auth/' }, m: { m: 'POST', st: 200 }, condition: 's and m' }), { literals: ['/auth/'], caseSensitive: false, also: [['post']] });
});

test('a record passes a clause pre-filter only when it satisfies every clause of some rule', () => {
  const owassrf = { prefilter: { literals: ['powershell'], caseSensitive: false, also: [['/owa/']] } };
  const other = { prefilter: { literals: ['serverinfo~'], caseSensitive: false } };
  const u = unionFilter([owassrf, other])!;
  assert.deepEqual(u.literals, ['/owa/', 'powershell', 'serverinfo~']);
  assert.equal(prefilterAccepts(u, 'GET /OWA/x@y.com/PowerShell 200'), true);
  assert.equal(prefilterAccepts(u, 'GET /PowerShell 200'), false);
  assert.equal(prefilterAccepts(u, 'GET /owa/ 200'), false);
  assert.equal(prefilterAccepts(u, 'x ServerInfo~a]@b'), true);
  // No clauses anywhere: the plain union.
  assert.deepEqual(unionFilter([other]), { literals: ['serverinfo~'], caseSensitive: false });
});

test('null pre-filters where a match needs no literal', () => {
  assert.equal(pf({ s: { u: 'abc' }, condition: 'not s' }), null);
  assert.equal(pf({ s: { u: null }, condition: 's' }), null);
  assert.equal(pf({ s: { 'u|exists': true }, condition: 's' }), null);
  assert.equal(pf({ s: { 'u|gt': 5 }, condition: 's' }), null);
  assert.equal(pf({ s: { 'u|cidr': '10.0.0.0/8' }, condition: 's' }), null);
  assert.equal(pf({ s: { 'u|fieldref': 'v' }, condition: 's' }), null);
  assert.equal(pf({ s: { 'u|re': '[a-z]+|x' }, condition: 's' }), null);
  assert.equal(pf({ s: { u: '*' }, condition: 's' }), null);
  assert.equal(pf({ s: { u: ['abc', null] }, condition: 's' }), null);
  assert.equal(pf({ a: { u: 'abc' }, b: { v: 5, 'w|lt': 3 }, condition: 'a or b' }) !== null, true); // 5 → '5'
  assert.equal(pf({ a: { u: 'abc' }, b: { 'w|lt': 3 }, condition: 'a or b' }), null);
  // ... but an AND with a literal branch keeps it.
  assert.deepEqual(pf({ s: { u: 'abcd', v: null }, f: { w: 'x' }, condition: 's and not f' }), { literals: ['abcd'], caseSensitive: false });
});

test('case-sensitivity and transforms', () => {
  assert.deepEqual(pf({ s: { 'u|contains|cased': 'AbC' }, condition: 's' }), { literals: ['AbC'], caseSensitive: true });
  assert.deepEqual(pf({ s: { 'u|contains|cased': 'AbC', 'v|contains': 'q' }, condition: 's' }), { literals: ['AbC'], caseSensitive: true });
  assert.deepEqual(pf({ s: { 'u|contains|cased': ['AbC', 'x'] }, condition: 's' }), { literals: ['AbC', 'x'], caseSensitive: true });
  assert.deepEqual(pf({ a: { 'u|cased': 'AbC' }, b: { v: 'DeF' }, condition: 'a or b' }), { literals: ['abc', 'def'], caseSensitive: false });
  assert.deepEqual(pf({ s: { 'u|base64': 'whoami' }, condition: 's' }), { literals: ['d2hvYW1p'], caseSensitive: true });
  assert.deepEqual(pf({ s: { 'u|base64offset|contains': '/bin/bash' }, condition: 's' }),
    { literals: ['9iaW4vYmFza', 'L2Jpbi9iYXNo', 'vYmluL2Jhc2'], caseSensitive: true });
  // The dash variants differ only in the dash; the non-ASCII ones are cut there, leaving 'enc '.
  assert.deepEqual(pf({ s: { 'u|windash|contains': ' -enc ' }, condition: 's' }), { literals: ['enc '], caseSensitive: false });
  assert.deepEqual(pf({ s: { 'u|windash|contains': 'foo -bar' }, condition: 's' }), { literals: ['foo '], caseSensitive: false });
  assert.deepEqual(pf({ s: { 'u|re': 'Invoke-(Mimikatz|Shell)' }, condition: 's' }), { literals: ['Invoke-'], caseSensitive: true });
  assert.deepEqual(pf({ s: { 'u|re|i': 'Invoke-(Mimikatz|Shell)' }, condition: 's' }), { literals: ['invoke-'], caseSensitive: false });
});

test('safety cuts: quotes, non-ASCII, virtual-field joiners', () => {
  assert.deepEqual(safePieces('a"b\u00e9c?d', '?'), ['a', 'b', 'c', 'd']);
  // cs-uri-query also matches the full URI (stem?query): literals never span the '?'.
  assert.deepEqual(pf({ s: { 'cs-uri-query|contains': 'autodiscover.json?@evil' }, condition: 's' }, { logsource: { category: 'webserver' } }),
    { literals: ['autodiscover.json'], caseSensitive: false });
});

test('regex literal extraction is conservative', () => {
  assert.deepEqual(regexLiterals('abc\\.aspx$')?.pieces, ['abc.aspx']);
  assert.deepEqual(regexLiterals('ab?c')?.pieces, ['a', 'c']);
  assert.deepEqual(regexLiterals('ab+c')?.pieces, ['ab', 'c']);
  assert.deepEqual(regexLiterals('x(a|b)yz')?.pieces, ['x', 'yz']);
  assert.deepEqual(regexLiterals('ab{0,2}c')?.pieces, ['a', 'c']);
  assert.equal(regexLiterals('a|b'), null);
  assert.equal(regexLiterals('[abc]+'), null);
  assert.equal(regexLiterals('(?i)Abc')?.caseInsensitive, true);
});

test('minimise and union', () => {
  assert.deepEqual(minimise(['abcd', 'bc', 'bc', 'xyz']), ['bc', 'xyz']);
  const a = { prefilter: { literals: ['AbC'], caseSensitive: true } };
  const b = { prefilter: { literals: ['xyz'], caseSensitive: false } };
  assert.deepEqual(unionPrefilter([a, b]), { literals: ['abc', 'xyz'], caseSensitive: false });
  assert.deepEqual(unionPrefilter([a]), { literals: ['AbC'], caseSensitive: true });
  assert.equal(unionPrefilter([a, { prefilter: null }]), null);
  assert.equal(unionPrefilter([]), null);
});

// ---------------------------------------------------------------------------------------------------
// Property test: whenever match() returns non-null, the raw text passes the pre-filter.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['abc', 'AbD', 'xy', 'q"r', '\u00e9t\u00e9', '401', '4.5', '-enc', '/c', 'b?d', 'a*', '\\*', 'zz', '@', 'owa'];
const FIELDS = ['f1', 'f2', 'cs-uri-query', 'cs-user-agent', 'cs-uri'];
const MODS = ['', '|contains', '|startswith', '|endswith', '|contains|all', '|contains|cased', '|cased', '|re', '|re|i',
  '|base64', '|base64offset|contains', '|wide|base64offset|contains', '|windash|contains', '|exists', '|gt', '|cidr', 'null', '|fieldref'];

test('property: the pre-filter never rejects a record the rule matches', (t) => {
  const seed = Number(process.env.EXHUNT_PROP_SEED ?? 20210302);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const word = (): string => {
    let w = pick(WORDS);
    if (r() < 0.3) w = [...w].map((c) => (r() < 0.5 ? c.toUpperCase() : c)).join('');
    return w;
  };
  const phrase = (): string => Array.from({ length: 1 + Math.floor(r() * 3) }, word).join(pick(['', ' ', '-', '?']));

  const genValue = (mod: string): unknown => {
    switch (mod) {
      case '|exists': return r() < 0.5;
      case '|gt': return Math.floor(r() * 500);
      case '|cidr': return pick(['10.0.0.0/8', '2001:db8::/32', '203.0.113.0/24']);
      case '|fieldref': return pick(FIELDS);
      case '|re': case '|re|i': return pick(['ab.', 'a[bB]c', 'x(y|z)', '^-enc', '40[0-9]', 'b\\?d', '(?i)AbD', 'q"r', '\u00e9t']);
      case '|base64': case '|base64offset|contains': case '|wide|base64offset|contains':
        return pick(['abc', 'AbD', 'xy zz', 'owa@', '401']);
      default: return r() < 0.15 ? Math.floor(r() * 500) : phrase();
    }
  };
  const genSelection = (): Record<string, unknown> => {
    const sel: Record<string, unknown> = {};
    const n = 1 + Math.floor(r() * 2);
    for (let i = 0; i < n; i++) {
      const mod = pick(MODS);
      const field = pick(FIELDS);
      if (mod === 'null') { sel[field] = r() < 0.7 ? null : [null, phrase()]; continue; }
      const count = mod === '|exists' ? 1 : 1 + Math.floor(r() * 3);
      const values = Array.from({ length: count }, () => genValue(mod));
      sel[field + mod] = values.length === 1 ? values[0] : values;
    }
    return sel;
  };
  const genCondition = (names: string[], depth = 0): string => {
    const x = r();
    if (depth > 2 || x < 0.35) return pick(names);
    if (x < 0.5) return `not ${genCondition(names, depth + 1)}`;
    if (x < 0.65) return `1 of sel*`;
    if (x < 0.72) return `all of them`;
    if (x < 0.86) return `(${genCondition(names, depth + 1)} and ${genCondition(names, depth + 1)})`;
    return `(${genCondition(names, depth + 1)} or ${genCondition(names, depth + 1)})`;
  };
  const genRecordValue = (): FieldValue => {
    const x = r();
    if (x < 0.05) return undefined;
    if (x < 0.1) return '';
    if (x < 0.15) return '-';
    if (x < 0.25) return Math.floor(r() * 500);
    if (x < 0.3) return pick(['10.1.2.3', '2001:db8::5', '203.0.113.9', '::ffff:10.0.0.1']);
    if (x < 0.42) {
      const inner = pick(['abc', 'AbD', 'xy zz', 'owa@', '401']);
      const pad = pick(['', 'x', 'yy', 'zzz']);
      return r() < 0.5
        ? Buffer.from(pad + inner + pad).toString('base64')
        : Buffer.from(pad + inner, 'utf16le').toString('base64');
    }
    if (x < 0.5) return pick(['powershell \u2013enc x', 'cmd /c dir', 'a /enc b']);
    return phrase();
  };

  let rules = 0;
  let matches = 0;
  let withPrefilter = 0;
  let guarded = 0;
  for (let i = 0; i < 400; i++) {
    const nsel = 1 + Math.floor(r() * 3);
    const detection: Record<string, unknown> = {};
    const names: string[] = [];
    for (let k = 0; k < nsel; k++) {
      const name = `sel${k}`;
      names.push(name);
      detection[name] = r() < 0.12 ? Array.from({ length: 1 + Math.floor(r() * 2) }, phrase) : genSelection();
    }
    detection.condition = genCondition(names);
    const logsource = r() < 0.5 ? { category: 'webserver' } : { product: 'exchange' };
    let rule: CompiledRule;
    try {
      rule = det(detection, { logsource });
    } catch {
      continue; // e.g. a wildcard under base64: invalid rules are not the subject here
    }
    rules++;
    if (rule.prefilter) withPrefilter++;
    for (let j = 0; j < 60; j++) {
      const fields: Record<string, FieldValue> = {};
      for (const f of ['f1', 'f2', 'cs-uri-query', 'cs-uri-stem', 'cs(User-Agent)', 'cs-uri']) {
        if (f === 'cs-uri' && r() < 0.7) continue;
        fields[f] = genRecordValue();
      }
      // Raw as a CSV writer would put it (quotes doubled), or W3C-like space-joined.
      const vals = Object.values(fields).filter((v) => v !== undefined).map(String);
      const raw = r() < 0.5
        ? vals.map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')
        : vals.join(' ');
      const record = rec(fields, raw);
      if (rule.match(record) !== null) {
        matches++;
        if (rule.prefilter) guarded++;
        assert.ok(prefilterAccepts(rule.prefilter, raw),
          `seed ${seed}: rule ${JSON.stringify(detection)} (${JSON.stringify(logsource)}) matched ${JSON.stringify(fields)} raw ${JSON.stringify(raw)} but prefilter ${JSON.stringify(rule.prefilter)} rejects it`);
        assert.ok(prefilterAccepts(unionPrefilter([rule, det({ s: { x: 'zzzz' }, condition: 's' })]), raw));
      }
    }
  }
  t.diagnostic(`seed ${seed}: ${rules} rules (${withPrefilter} with a pre-filter), ${matches} matching records checked, ${guarded} of them against a non-null pre-filter`);
  assert.ok(rules > 200 && matches > 500 && guarded > 200, `too few cases exercised: ${rules} rules, ${matches} matches, ${guarded} guarded`);
});
