import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../../test/support/rng.js';
import { MultiLiteralScanner } from './multi-literal.js';

function reference(text: Buffer, s: number, e: number, lits: string[], cased: boolean): boolean {
  const hay = text.subarray(s, e).toString('latin1');
  const h = cased ? hay : hay.toLowerCase();
  return lits.some((l) => h.includes(cased ? l : l.toLowerCase()));
}


test('same answers as a substring search, on random text with planted literals and random record spans', () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ/.-~ 0123456789\n';
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const cased = seed % 3 === 0;
    const nl = 1 + Math.floor(r() * 30);
    const lits = Array.from({ length: nl }, () => Array.from({ length: 2 + Math.floor(r() * 8) }, () => alphabet[Math.floor(r() * (alphabet.length - 1))]).join(''));
    let text = '';
    while (text.length < 2000) {
      text += r() < 0.05 ? lits[Math.floor(r() * nl)]!.replace(/./g, (c) => (r() < 0.5 ? c.toUpperCase() : c)) : alphabet[Math.floor(r() * alphabet.length)];
    }
    const buf = Buffer.from(text, 'latin1');
    const sc = new MultiLiteralScanner(lits, cased);
    let s = 0;
    while (s < buf.length) {
      const e = Math.min(buf.length, s + 1 + Math.floor(r() * 120));
      assert.equal(sc.test(buf, s, e), reference(buf, s, e, lits, cased), `seed ${seed} span [${s}, ${e}) lits ${JSON.stringify(lits)}`);
      s = e;
    }
  }
});

test('an occurrence across a record boundary belongs to neither record; a new window resets', () => {
  const sc = new MultiLiteralScanner(['serverinfo~', 'python-requests', '.js'], false);
  const buf = Buffer.from('aaa SERVERIN|FO~ bbb\nccc serverinfo~x\n');
  assert.equal(sc.test(buf, 0, 13), false);
  assert.equal(sc.test(buf, 13, 21), false);
  assert.equal(sc.test(buf, 21, buf.length), true);
  const buf2 = Buffer.from('GET /owa/x.JS 200\n');
  assert.equal(sc.test(buf2, 0, buf2.length), true);
});
