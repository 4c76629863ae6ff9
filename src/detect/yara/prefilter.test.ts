import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPrefilter } from './prefilter.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const pf = (text: string) => buildPrefilter([{ name: 't.yar', text }]);

describe('YARA pre-filter', () => {
  it('gates on all/any strings and case-folds', () => {
    const p = pf('rule r { strings: $a = "first-atom" $b = "second-atom" condition: filesize < 1KB and all of them }');
    assert.deepEqual(p.ungated, []);
    assert.equal(p.mayMatch(enc('first-atom')), false);
    assert.equal(p.mayMatch(enc('FIRST-ATOM and Second-Atom')), true);
  });

  it('treats not, for, unknown terms and xor/base64 strings as no constraint', () => {
    assert.deepEqual(pf('rule r { strings: $a = "abcd" condition: not $a }').ungated, ['t.yar:r']);
    assert.deepEqual(pf('rule r { strings: $a = "abcd" xor condition: $a }').ungated, ['t.yar:r']);
    assert.deepEqual(pf('rule r { condition: uint16(0) == 0x5a4d }').ungated, ['t.yar:r']);
    assert.deepEqual(pf('rule r { strings: $a = "abcd" condition: $a or uint8(0) == 1 }').ungated, ['t.yar:r']);
  });

  it('decides filesize comparisons by the buffer length, with KB and MB', () => {
    const small = pf('rule r { strings: $a = "abcd" condition: $a or filesize < 10 }');
    assert.deepEqual(small.ungated, []);
    assert.equal(small.mayMatch(enc('no atom')), true, 'a small buffer passes on its size alone');
    assert.equal(small.mayMatch(enc('no atom in these bytes')), false);
    assert.equal(small.mayMatch(enc('has abcd in these bytes')), true);
    const capped = pf('rule r { strings: $a = "abcd" condition: filesize < 1KB and $a }');
    assert.equal(capped.mayMatch(enc('abcd')), true);
    assert.equal(capped.mayMatch(enc(`abcd${' '.repeat(1024)}`)), false, '1 KB = 1024 bytes');
    const mb = pf('rule r { strings: $a = "abcd" condition: filesize <= 1MB and $a }');
    assert.equal(mb.mayMatch(new Uint8Array(1 << 20).fill(0x61).map((c, i) => (i < 4 ? 'abcd'.charCodeAt(i) : c))), true);
    const ops = (op: string, n: number, len: number) => pf(`rule r { condition: filesize ${op} ${n} }`).mayMatch(new Uint8Array(len));
    assert.deepEqual([ops('==', 5, 5), ops('==', 5, 6), ops('>', 5, 6), ops('>=', 5, 4), ops('<=', 5, 5), ops('<', 5, 5)], [true, false, true, false, true, false]);
  });

  it('uses required literals of regexes, with alternation as OR', () => {
    const p = pf('rule r { strings: $a = /(exec|system)\\s*\\(\\s*request\\[/ nocase condition: $a }');
    assert.equal(p.mayMatch(enc('System ( Request[')), true);
    assert.equal(p.mayMatch(enc('exec(x)')), false);
    const q = pf('rule r { strings: $a = /ab(cd)?efgh/ condition: $a }');
    assert.equal(q.mayMatch(enc('abefgh')), true, 'optional group is not required');
  });

  it('handles wide strings, hex strings and rule references', () => {
    const p = pf('rule r { strings: $a = "wide-text" wide condition: $a }');
    assert.equal(p.mayMatch(new Uint8Array(Buffer.from('wide-text', 'utf16le'))), true);
    assert.equal(p.mayMatch(enc('wide-text')), false);
    const h = pf('rule r { strings: $h = { 4D 5A ?? 00 [2-4] 50 45 00 00 11 22 } condition: $h }');
    assert.equal(h.mayMatch(Uint8Array.from([1, 0x50, 0x45, 0, 0, 0x11, 0x22])), true);
    assert.equal(h.mayMatch(Uint8Array.from([0x4d, 0x5a])), false);
    const ref = pf('private rule p { strings: $a = "needle-one" condition: $a } rule r { condition: p }');
    assert.deepEqual(ref.ungated, []);
    assert.equal(ref.mayMatch(enc('needle-one')), true);
    assert.equal(ref.mayMatch(enc('needle-two')), false);
  });
});
