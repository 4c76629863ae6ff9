import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../../test/support/rng.js';
import { setFlagsFromString } from 'node:v8';
import { TeddyScanner, literalTable } from './teddy.js';
import { TEDDY_RELAXED_WASM_BASE64, TEDDY_WASM_BASE64 } from './teddy-wasm.js';
import { teddyModuleSource } from '../../scripts/gen-wasm.js';
import { readFileSync } from 'node:fs';
import { assetPath } from '../assets.js';

function reference(text: Buffer, s: number, e: number, lits: string[], cased: boolean): boolean {
  const hay = text.subarray(s, e).toString('latin1');
  const h = cased ? hay : hay.toLowerCase();
  return lits.some((l) => h.includes(cased ? l : l.toLowerCase()));
}

test('same answers as a substring search, on random text with planted literals and random record spans (8, 16 and chosen buckets)', () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ/.-~ 0123456789\n\u00e9\u00c9';
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const cased = seed % 3 === 0;
    const nl = 1 + Math.floor(r() * 40);
    const lits = Array.from({ length: nl }, () => Array.from({ length: 3 + Math.floor(r() * 8) }, () => alphabet[Math.floor(r() * 36)]).join(''));
    let text = '';
    const size = seed % 10 === 0 ? 40000 : 2000;
    while (text.length < size) {
      text += r() < 0.05 ? lits[Math.floor(r() * nl)]!.replace(/./g, (c) => (r() < 0.5 ? c.toUpperCase() : c)) : alphabet[Math.floor(r() * alphabet.length)];
    }
    const buf = Buffer.from(text, 'latin1');
    const sc = new TeddyScanner(lits, cased, (['auto', 8, 16] as const)[seed % 3]);
    let s = 0;
    while (s < buf.length) {
      const e = Math.min(buf.length, s + 1 + Math.floor(r() * 120));
      assert.equal(sc.test(buf, s, e), reference(buf, s, e, lits, cased), `seed ${seed} span [${s}, ${e}) lits ${JSON.stringify(lits)}`);
      s = e;
    }
  }
});

test('literals spread over every bucket (their fingerprints fill the sample): each found with 8 and with 16 buckets', () => {
  const lits = Array.from({ length: 24 }, (_, i) => String.fromCharCode(97 + i) + String.fromCharCode(98 + ((i * 7) % 24)) + String.fromCharCode(99 + ((i * 5) % 23)) + 'q');
  const sample = Buffer.from(`${Array.from({ length: 400 }, () => lits.join(' ')).join(' ')}\n`);
  for (const buckets of [8, 16] as const) {
    const sc = new TeddyScanner(lits, false, buckets);
    assert.equal(sc.test(sample, 0, 4), true); // calibrates on this window
    const used = new Set<number>();
    for (let b = 0; b < 16; b++) for (let j = 0; j < 96; j++) if ((sc as unknown as { plan: { tables: Uint8Array } }).plan.tables[(b >> 3) * 96 + j]! & (1 << (b & 7))) used.add(b);
    assert.equal(used.size, buckets, `all ${buckets} buckets in use`);
    const line = Buffer.from(`x ${lits.map((l) => l.toUpperCase()).join(' . ')} y\n`);
    let at = 2;
    for (const l of lits) {
      assert.equal(sc.test(line, at, at + l.length), true, `${l} with ${buckets} buckets`);
      at += l.length + 3;
    }
  }
});

test('hostile overlap: an occurrence starting before hundreds of others (sorted once, same answers)', () => {
  // `xxx` occurs at every position of the run; the long literal is found at its end (its rarest
  // fingerprint is `zzz`) but starts before all of them: inserting it in order would move them all.
  const long = `q${'x'.repeat(300)}zzz`;
  const lits = [long, 'xxx', 'zzq'];
  const text = Buffer.from(`${Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? long : 'x'.repeat(i % 50))).join('\n')}\nzzq\n`, 'latin1');
  const sc = new TeddyScanner(lits, false);
  const r = rng(7);
  let s = 0;
  while (s < text.length) {
    const e = Math.min(text.length, s + 1 + Math.floor(r() * 400));
    assert.equal(sc.test(text, s, e), reference(text, s, e, lits, false), `span [${s}, ${e})`);
    s = e;
  }
  // The window's occurrences are in (start, end) order, which `from`/`test` rely on.
  const probe = new TeddyScanner(lits, false);
  const window = Buffer.from(text);
  assert.equal(probe.from(window, 0), 0);
  const st = probe.occStarts;
  const en = probe.occEnds;
  assert.ok(probe.occCount > 1000, `${probe.occCount} occurrences`);
  for (let i = 1; i < probe.occCount; i++) assert.ok(st[i - 1]! < st[i]! || (st[i - 1] === st[i] && en[i - 1]! <= en[i]!), `ordered at ${i}`);
  const again = Buffer.from(text); // a new window (calls move forward within one)
  let found = 0;
  for (let k = 0; k + long.length <= again.length; k++) {
    if (again.toString('latin1', k, k + long.length) !== long) continue;
    assert.equal(sc.test(again, k, k + long.length), true);
    found++;
  }
  assert.equal(found, 67);
});

test('dense windows: more candidates than one output batch holds, all verified', () => {
  const lits = ['abc', 'bca', 'cab', 'xyzzy'];
  const buf = Buffer.from('abc'.repeat(40000) + 'xyzzy', 'latin1');
  for (const buckets of [8, 16] as const) {
    const sc = new TeddyScanner(lits, false, buckets);
    assert.equal(sc.test(buf, 0, 2), false);
    assert.equal(sc.test(buf, 60000, 60003), true);
    assert.equal(sc.test(buf, buf.length - 5, buf.length), true);
    assert.equal(sc.test(buf, buf.length - 4, buf.length), false, 'a cut literal is no occurrence');
  }
});

test('an occurrence across a record boundary belongs to neither record; bytes >= 0x80 fold to nothing; a new window resets', () => {
  const sc = new TeddyScanner(['serverinfo~', 'python-requests', '.js'], false);
  const buf = Buffer.from('aaa SERVERIN|FO~ bbb\nccc serverinfo~x\n');
  assert.equal(sc.test(buf, 0, 13), false);
  assert.equal(sc.test(buf, 13, 21), false);
  assert.equal(sc.test(buf, 21, buf.length), true);
  const buf2 = Buffer.from('GET /owa/x.JS 200\n');
  assert.equal(sc.test(buf2, 0, buf2.length), true);
  const buf3 = Buffer.from('GET /owa/x.\u00ca\u00d3 200\n', 'latin1');
  assert.equal(sc.test(buf3, 0, buf3.length), false);
});

test('the committed WebAssembly module is assembled from teddy.wat', async () => {
  assert.equal(readFileSync(assetPath('src/readers/teddy-wasm.ts'), 'utf8'), await teddyModuleSource(), 'run node dist/scripts/gen-wasm.js');
});

test('the relaxed-SIMD kernel writes exactly the strict kernel\'s candidates (random tables and bytes, both bucket counts)', (t) => {
  // The CLI enables relaxed SIMD on Node 20 (src/cli/main.ts); this test process does the same for itself.
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  type K = { memory: { buffer: ArrayBuffer; grow(n: number): number }; resume: { value: number }; scan(p: number, e: number, b: number, c: number): number; scan8(p: number, e: number, b: number, c: number): number };
  const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } } }).WebAssembly;
  const load = (b64: string): K => new WA.Instance(new WA.Module(Buffer.from(b64, 'base64')), {}).exports as K;
  let relaxed: K;
  try {
    relaxed = load(TEDDY_RELAXED_WASM_BASE64);
  } catch (err) {
    t.skip(`this engine has no relaxed SIMD (${(err as Error).message.slice(0, 80)}): the strict kernel runs`);
    return;
  }
  const strict = load(TEDDY_WASM_BASE64);
  const IN = 1 << 17;
  const run = (k: K, fn: 'scan' | 'scan8', tables: Uint8Array, data: Uint8Array, cap: number): number[] => {
    if (k.memory.buffer.byteLength < IN + data.length + 64) k.memory.grow(Math.ceil((IN + data.length + 64 - k.memory.buffer.byteLength) / 65536));
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(tables, 0);
    mem.set(data, IN);
    mem.fill(0, IN + data.length, IN + data.length + 64);
    const out: number[] = [];
    for (let p = IN; p < IN + data.length; ) {
      const n = k[fn](p, IN + data.length, IN, cap);
      out.push(...new Uint32Array(k.memory.buffer, 1024, n));
      p = k.resume.value;
    }
    return out;
  };
  for (let seed = 1; seed <= 60; seed++) {
    const r = rng(seed);
    // Random tables, denser or sparser per seed, and bytes of every value, including >= 0x80.
    const dense = seed % 3;
    const byte = () => Math.floor(r() * 256);
    const tables = Uint8Array.from({ length: 192 }, () => (dense === 0 ? byte() : dense === 1 ? byte() | byte() : byte() | byte() | byte()));
    const data = Uint8Array.from({ length: 1000 + Math.floor(r() * 50000) }, () => Math.floor(r() * 256));
    for (const fn of ['scan', 'scan8'] as const) {
      const cap = 16 + Math.floor(r() * 2000);
      const a = run(strict, fn, tables, data, cap);
      assert.deepEqual(run(relaxed, fn, tables, data, cap), a, `seed ${seed} ${fn}`);
      if (seed === 1) assert.ok(a.length > 0, 'the random tables accept some positions');
    }
  }
});

test('candidates verified in WebAssembly and by the JavaScript fallback give the same answers as a substring search', () => {
  // A literal set whose fingerprint table is too large for WebAssembly memory's plan area (verified in
  // JavaScript), and literals stacked on one fingerprint over a run of one letter, whose occurrences
  // overflow the WebAssembly output buffer (that batch is redone in JavaScript).
  const r = rng(77);
  const big = Array.from({ length: 2600 }, () => Array.from({ length: 24 + Math.floor(r() * 7) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join(''));
  let text = '';
  while (text.length < 60000) text += r() < 0.02 ? big[Math.floor(r() * big.length)]! : String.fromCharCode(97 + Math.floor(r() * 26));
  const stacked = ['aaa', 'aaaa', 'aaaaa', 'aaaaaa', 'aaaaaaa', 'aaaaaaaa', 'aaaaaaaaa', 'aaaaaaaaaa'];
  const cases: Array<[string[], Buffer]> = [
    [big, Buffer.from(text, 'latin1')],
    [stacked, Buffer.from(`${'a'.repeat(120000)}\nbbb aaaa bbb\n${'ab'.repeat(3000)}`, 'latin1')],
  ];
  for (const [lits, buf] of cases) {
    const sc = new TeddyScanner(lits, false);
    let s = 0;
    let spans = 0;
    while (s < buf.length && spans < 400) {
      const e = Math.min(buf.length, s + 1 + Math.floor(r() * 400));
      assert.equal(sc.test(buf, s, e), reference(buf, s, e, lits, false), `${lits.length} literals, span [${s}, ${e})`);
      s = e + Math.floor(r() * 200);
      spans++;
    }
  }
});

test('contains: a few literals in a record range of the window in WebAssembly memory, as a substring search finds them', () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{/.-~ 0123456789\n';
  for (let seed = 1; seed <= 120; seed++) {
    const r = rng(1000 + seed);
    const few = Array.from({ length: 1 + Math.floor(r() * 5) }, () => Array.from({ length: 3 + Math.floor(r() * 12) }, () => alphabet[Math.floor(r() * 52)]).join('').toLowerCase());
    const words = ['zzq', 'qzz', 'xqj'];
    let text = '';
    while (text.length < 5000) {
      // Planted in mixed case, and near misses: the literal with its last byte changed, or `@`/`[` for `` ` ``/`{` (letters fold, those do not).
      const l = few[Math.floor(r() * few.length)]!;
      const x = r();
      text += x < 0.04 ? l.replace(/./g, (c) => (r() < 0.5 ? c.toUpperCase() : c)) : x < 0.08 ? `${l.slice(0, -1)}#` : alphabet[Math.floor(r() * alphabet.length)];
    }
    const buf = Buffer.from(text, 'latin1');
    const sc = new TeddyScanner(words, false);
    const table = literalTable(few)!;
    let s = 0;
    while (s < buf.length) {
      const e = Math.min(buf.length, s + 1 + Math.floor(r() * 200));
      sc.test(buf, s, e); // the pass that puts the window in memory
      assert.equal(sc.contains(buf, s, e, table), reference(buf, s, e, few, false), `seed ${seed} span [${s}, ${e}) ${JSON.stringify(few)}`);
      s = e;
    }
    // Another window loaded since: not answered here.
    const other = Buffer.from('zzq other window\n');
    const sc2 = new TeddyScanner(words, false);
    sc2.test(other, 0, other.length);
    assert.equal(sc.contains(buf, 0, 10, table), null);
  }
  assert.equal(literalTable(['ab']), null, 'shorter than 3 bytes');
  assert.equal(literalTable(['x'.repeat(32)]), null, 'longer than 31 bytes');
});
