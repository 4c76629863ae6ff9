/**
 * The archive format at its limits: more than 65,535 entries (the Zip64 end record) and entries written in
 * Zip64 form read back through the same index the scan and verify use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipIndex, readEntry } from '../evidence/zip-source.js';
import { ZipWriter } from './zip-writer.js';

test('more than 65,535 entries and Zip64 entries: every entry is indexed and reads back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exhunt-zip64-'));
  try {
    const path = join(dir, 'many.zip');
    const zip = new ZipWriter(createWriteStream(path));
    const n = 65_600;
    const t = new Date(Date.UTC(2021, 2, 3));
    for (let i = 0; i < n - 1; i++) await zip.addBuffer(`d${i % 50}/f${i}.log`, Buffer.from(String(i)), t);
    // A Zip64 entry (as written for files that may pass 4 GiB), streamed with a data descriptor.
    await zip.addStream(`d${(n - 1) % 50}/f${n - 1}.log`, (async function* () {
      yield Buffer.from(String(n - 1));
    })(), t, 2 ** 32);
    await zip.finish();
    const idx = await ZipIndex.open(path);
    assert.equal(idx.entries, n);
    assert.equal(idx.files.length, n);
    assert.equal(idx.problems.length, 0);
    assert.equal((await readEntry(idx.ref(`d${(n - 1) % 50}/f${n - 1}.log`)!, 100)).toString(), String(n - 1));
    assert.equal((await readEntry(idx.ref('d7/f7.log')!, 100)).toString(), '7');
    assert.equal(idx.list('d7')!.find((e) => e.name === 'f7.log')!.mtimeMs, t.getTime());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
