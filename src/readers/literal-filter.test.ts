import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralScanner } from './literal-filter.js';
import { readLog } from './read-log.js';
import type { LogRecord } from './types.js';

function lines(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let p = 0;
  for (const l of text.split('\n')) {
    out.push([p, p + Buffer.byteLength(l)]);
    p += Buffer.byteLength(l) + 1;
  }
  return out;
}

function run(text: string, literals: string[], caseSensitive: boolean): boolean[] {
  const buf = Buffer.from(text);
  const sc = new LiteralScanner({ literals, caseSensitive });
  return lines(text).map(([s, e]) => sc.test(buf, s, e));
}

test('literal scanner: case-sensitive and -insensitive, anchors, boundaries', () => {
  const text = 'a ServerInfo~x\nserverinfo~y\nSERVERINFO~\nServerInfo\n~ServerInfo\nServer~Info~';
  assert.deepEqual(run(text, ['ServerInfo~'], true), [true, false, false, false, false, false]);
  assert.deepEqual(run(text, ['ServerInfo~'], false), [true, true, true, false, false, false]);
  // all-letter literal: rarest-letter anchor in both cases
  assert.deepEqual(run('xx\nPOWERSHELL\npowershel\nwhoami PowerShell', ['powershell'], false), [false, true, false, true]);
  // non-letter run anchor
  assert.deepEqual(run('/ecp/DDI/x\n/ECP/ddi/\n/ecp/dd', ['/ecp/ddi/'], false), [true, true, false]);
  // a literal straddling two records never matches either
  assert.deepEqual(run('abcServer\nInfo~', ['ServerInfo~'], false), [false, false]);
  // several literals
  assert.deepEqual(run('a\nfoo.aspx\nbar.JS\n', ['.aspx', '.js'], false), [false, true, true, false]);
  assert.deepEqual(run('a\nb', [], false), [false, false]);
  // an empty literal matches everything; non-ASCII literals keep their ASCII part when case-insensitive
  assert.deepEqual(run('a\nb', ['zz', ''], false), [true, true]);
  assert.deepEqual(run('x ÉCOLE.aspx\nécole.ASPX\nnope', ['école.aspx'], false), [true, true, false]);
  assert.deepEqual(run('x ÉCOLE.aspx\nécole.aspx', ['école.aspx'], true), [false, true]);
  assert.deepEqual(run('a\nb', ['é'], false), [true, true]);
});

test('randomized: scanner agrees with a naive search', () => {
  let seed = 99;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
  const alphabet = 'sSeErRvV~iInNfFoO/.x\n';
  for (let round = 0; round < 200; round++) {
    let text = '';
    for (let i = 0; i < 400; i++) text += alphabet[rnd(alphabet.length)];
    for (const cs of [true, false]) {
      const lits = ['ServerInfo~', 'ver', '~i', 'o/.', 'x', 'nf', '/.x'];
      const got = run(text, lits, cs);
      const want = text.split('\n').map((l) => lits.some((x) => (cs ? l.includes(x) : l.toLowerCase().includes(x.toLowerCase()))));
      assert.deepEqual(got, want, `round ${round} cs=${cs}`);
    }
  }
});

test('readLog with literalFilter: same hits as prefilter(raw), stats unchanged', async () => {
  const rows = ['#Fields: DateTime,AnchorMailbox,UA'];
  for (let i = 0; i < 3000; i++) {
    const am = i % 97 === 0 ? 'serverINFO~a]@x/ecp/y' : `Smtp~u${i}@contoso.com`;
    const ua = i % 5 === 0 ? '"a, ""quoted""\nnewline"' : 'ua';
    rows.push(`2021-03-02T${String(Math.floor(i / 200)).padStart(2, '0')}:00:00.000Z,${am},${ua}`);
  }
  const data = Buffer.from(rows.join('\r\n') + '\r\n');
  async function* chunks(size: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  }
  const a: LogRecord[] = [];
  const sa = await readLog(chunks(4096), { kind: 'exchange-csv', prefilter: (r) => /serverinfo~/i.test(r), onRecord: (r) => a.push(r) });
  for (const size of [333, 4096, 1 << 20]) {
    const b: LogRecord[] = [];
    const sb = await readLog(chunks(size), { kind: 'exchange-csv', literalFilter: { literals: ['ServerInfo~'], caseSensitive: false }, onRecord: (r) => b.push(r) });
    assert.deepEqual(b.map((r) => [r.line, r.raw]), a.map((r) => [r.line, r.raw]));
    assert.deepEqual({ ...sb, hours: [...sb.hours] }, { ...sa, hours: [...sa.hours] });
  }
  assert.equal(a.length, Math.ceil(3000 / 97));
});
