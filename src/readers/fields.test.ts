import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBag, splitCsv, splitW3c } from './fields.js';
import { TimestampParser, parseIsoTime, parseW3cDateTime } from './timestamp.js';

test('splitCsv: RFC-4180 quoting', () => {
  assert.deepEqual(splitCsv('a,b,,c'), ['a', 'b', '', 'c']);
  assert.deepEqual(splitCsv('"a,1","b""q""",c'), ['a,1', 'b"q"', 'c']);
  assert.deepEqual(splitCsv('x,"multi\nline",'), ['x', 'multi\nline', '']);
  assert.deepEqual(splitCsv('ab"c,d'), ['ab"c', 'd']);
  assert.deepEqual(splitCsv('"unterminated,x'), ['unterminated,x']);
  assert.deepEqual(splitCsv('""'), ['']);
  assert.deepEqual(splitCsv(''), ['']);
});

test('splitW3c: "-" is empty, "+" kept', () => {
  assert.deepEqual(splitW3c('2021-01-01 00:00:00 - a+b -'), ['2021-01-01', '00:00:00', '', 'a+b', '']);
});

test('parseBag: S:KEY=value items, quoted items, prefixes, first wins', () => {
  const m = parseBag("S:CMD=Get-X;S:REQID=;'S:EX=a;b ''c''';I32:RS=0;S:CMD=dup;;junk;S:URL=/ecp/?a=b=c");
  assert.deepEqual(
    [...m.values()],
    [
      ['CMD', 'Get-X'],
      ['REQID', ''],
      ['EX', "a;b 'c'"],
      ['RS', '0'],
      ['URL', '/ecp/?a=b=c'],
    ],
  );
  assert.equal(parseBag('').size, 0);
});

test('timestamps: ISO with Z and fractions, W3C date/time, quoted, invalid', () => {
  const p = new TimestampParser();
  const b = (s: string) => Buffer.from(s);
  assert.equal(p.parseBytes(b('2021-03-02T22:41:07.734Z,x'), 0, 26), Date.UTC(2021, 2, 2, 22, 41, 7, 734));
  assert.equal(p.parseBytes(b('2021-03-02T22:41:07.7Z'), 0, 22), Date.UTC(2021, 2, 2, 22, 41, 7, 700));
  assert.equal(p.parseBytes(b('2021-03-02T22:41:07.7345678Z'), 0, 28), Date.UTC(2021, 2, 2, 22, 41, 7, 734));
  assert.equal(p.parseBytes(b('2021-03-02 22:41:07 a'), 0, 21), Date.UTC(2021, 2, 2, 22, 41, 7));
  assert.equal(p.parseBytes(b('"2021-03-02T22:41:07.000Z"'), 0, 26), Date.UTC(2021, 2, 2, 22, 41, 7));
  assert.equal(p.parseBytes(b('2021-03-02T23:00:00Z'), 0, 20), Date.UTC(2021, 2, 2, 23)); // hour change
  assert.ok(Number.isNaN(p.parseBytes(b('2021-13-02T22:41:07Z'), 0, 20)));
  assert.ok(Number.isNaN(p.parseBytes(b('-----'), 0, 5)));
  assert.ok(Number.isNaN(p.parseBytes(b('2021-03-02T22:61:07Z'), 0, 20)));
  assert.equal(parseIsoTime('2021-03-02T22:41:07Z'), Date.UTC(2021, 2, 2, 22, 41, 7));
  assert.equal(parseIsoTime('nope'), undefined);
  assert.equal(parseW3cDateTime('2021-03-02', '22:41:07'), Date.UTC(2021, 2, 2, 22, 41, 7));
  assert.equal(parseW3cDateTime(undefined, '22:41:07'), undefined);
});

test('FieldRecord.get (partial, on demand) agrees with splitCsv/splitW3c on arbitrary strings', async () => {
  const { FieldRecord } = await import('./log-record.js');
  const { makeHeader } = await import('./header.js');
  let seed = 5;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
  const alphabet = ['a', 'b', ',', '"', '""', ' ', '-', '\n', 'x"y'];
  const names = Array.from({ length: 8 }, (_, i) => `F${i}`);
  const csv = makeHeader(names, 'exchange-csv');
  const w3c = makeHeader(names, 'iis-w3c');
  for (let round = 0; round < 3000; round++) {
    let raw = '';
    for (let k = 1 + rnd(12); k > 0; k--) raw += alphabet[rnd(alphabet.length)];
    const order = names.map((_, i) => i).sort(() => rnd(3) - 1);
    for (const [h, split] of [[csv, splitCsv], [w3c, splitW3c]] as const) {
      const want = split(raw);
      const rec = new FieldRecord(raw, 1, 0, h, undefined);
      for (const i of order) assert.equal(rec.get(`f${i}`), want[i], `${JSON.stringify(raw)} col ${i} w3c=${h.w3c}`);
    }
  }
});
