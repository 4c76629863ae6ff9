/** Randomized round trip: CSV written with RFC-4180 quoting reads back cell for cell, whatever the chunking. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLog } from './read-log.js';
import type { LogRecord } from './types.js';

function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return (s >> 8) % n;
  };
}

function encode(cell: string): string {
  return /[",\r\n]/.test(cell) || cell.startsWith('"') ? `"${cell.replace(/"/g, '""')}"` : cell;
}

test('random CSV with quotes, commas, CR/LF inside cells: same cells, lines and offsets for any chunking', async () => {
  const pieces = ['a', 'B', 'é', '€', ',', '"', '\n', '\r\n', ' ', 'ServerInfo~', '#', ''];
  for (let round = 0; round < 30; round++) {
    const r = rng(round + 1);
    const ncol = 1 + r(6);
    const header = Array.from({ length: ncol - 1 }, (_, i) => `C${i}`);
    const rows: string[][] = [];
    let text = `#Fields: DateTime${header.length ? ',' + header.join(',') : ''}\r\n`;
    const expect: Array<{ line: number; offset: number; cells: string[] }> = [];
    let line = 2;
    for (let i = 0; i < 60; i++) {
      const cells = [`2021-03-0${1 + r(9)}T${String(r(24)).padStart(2, '0')}:00:0${r(10)}.000Z`];
      for (let c = 1; c < ncol; c++) {
        let v = '';
        for (let k = r(6); k > 0; k--) v += pieces[r(pieces.length)];
        cells.push(v);
      }
      const rec = cells.map(encode).join(',');
      expect.push({ line, offset: Buffer.byteLength(text), cells });
      text += rec + (r(2) ? '\r\n' : '\n');
      line += 1 + (rec.match(/\n/g)?.length ?? 0);
      rows.push(cells);
    }
    const data = Buffer.from(text);
    for (const size of [1 + r(7), 13 + r(50), 1 + r(4000), 1 << 20]) {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
      }
      const got: LogRecord[] = [];
      const stats = await readLog(chunks(), { kind: 'exchange-csv', onRecord: (x) => got.push(x) });
      assert.equal(stats.malformed, 0);
      assert.equal(got.length, expect.length, `round ${round} size ${size}`);
      got.forEach((g, i) => {
        const e = expect[i]!;
        assert.equal(g.line, e.line, `round ${round} size ${size} rec ${i} line`);
        assert.equal(g.offset, e.offset, `round ${round} size ${size} rec ${i} offset`);
        assert.deepEqual(['DateTime', ...header].map((h) => g.get(h)), e.cells, `round ${round} size ${size} rec ${i}`);
      });
    }
  }
});
