import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLog } from './read-log.js';
import type { LogRecord } from './types.js';

test('a ~50 MB single line is read in bounded memory and cut to maxRecordBytes', async () => {
  const MiB = 1 << 20;
  const filler = Buffer.alloc(MiB, 0x41); // 'A'
  let peak = 0;
  const base = process.memoryUsage();
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed - base.heapUsed + (m.arrayBuffers - base.arrayBuffers));
  };
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('#Fields: DateTime,A,B\n2021-03-02T22:41:07.000Z,ServerInfo~x/y,');
    for (let i = 0; i < 50; i++) {
      sample();
      yield filler;
    }
    yield Buffer.from('\n2021-03-02T22:41:08.000Z,after,b\n');
    sample();
  }
  const recs: LogRecord[] = [];
  const stats = await readLog(gen(), { kind: 'exchange-csv', onRecord: (r) => recs.push(r) });
  assert.equal(stats.longRecords, 1);
  assert.equal(stats.records, 2);
  assert.equal(stats.lines, 3);
  assert.equal(recs.length, 2);
  assert.equal(Buffer.byteLength(recs[0]!.raw), MiB);
  assert.equal(recs[0]!.get('A'), 'ServerInfo~x/y');
  assert.equal(recs[1]!.get('A'), 'after');
  assert.equal(recs[1]!.line, 3);
  assert.ok(stats.bytes > 50 * MiB);
  // one chunk + maxRecordBytes + the 1 MiB record string (x2 for UTF-16 worst case) + slack
  assert.ok(peak < 24 * MiB, `peak extra memory ${(peak / MiB).toFixed(1)} MiB`);
});

test('a ~50 MB quoted multi-line record (unclosed quote) stays bounded and later lines survive', async () => {
  const line = Buffer.from('more text inside the never-closed quote\n'.repeat(26000)); // ~1 MiB of short lines
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('#Fields: DateTime,A\n2021-03-02T22:41:07.000Z,"open\n');
    for (let i = 0; i < 50; i++) yield line;
    yield Buffer.from('2021-03-02T22:41:08.000Z,last\n');
  }
  let n = 0;
  let last: LogRecord | undefined;
  const stats = await readLog(gen(), { kind: 'exchange-csv', onRecord: (r) => { n++; last = r; } });
  assert.ok(stats.malformed >= 1);
  assert.equal(last?.get('A'), 'last');
  assert.equal(last?.line, 2 + 50 * 26000 + 1);
  assert.equal(n, stats.records);
  assert.ok(stats.bytes > 50e6);
});
