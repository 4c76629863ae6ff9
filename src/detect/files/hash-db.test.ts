import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashDb } from './hash-db.js';
import { assetPath } from '../../assets.js';
import { generate } from '../../../scripts/gen-hashes.js';
import { ExhuntError } from '../../model/errors.js';

const CORPUS = assetPath('../shared/corpora/rules');

describe('HashDb', () => {
  it('the project list carries every hash with its sources and public URLs', () => {
    const db = HashDb.project();
    assert.ok(db.size >= 50);
    // Microsoft's HAFNIUM web-shell SHA-256 (blog 2021-03-02, also in the MSTIC feed).
    const v = db.lookup({ sha256: 'b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0' });
    assert.ok(v);
    assert.equal(v.family, 'proxylogon');
    assert.ok(v.sources.some((s) => s.url?.startsWith('https://www.microsoft.com/security/blog/2021/03/02/')));
    for (const h of db.byHash.values()) assert.ok(h.sources.length && h.sources.every((s) => s.name && s.url), h.hash);
  });

  it('reads users\' lists: one hash per line, CSV or Loki-style HASH;DESC, comments and headers ignored', () => {
    const db = new HashDb();
    const r = db.addList(['# my list', 'hash,desc', 'D41D8CD98F00B204E9800998ECF8427E', '"da39a3ee5e6b4b0d3255bfef95601890afd80709","sha1 of nothing"', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;empty shell', 'not a hash', 'abc'].join('\r\n'), 'mine.txt');
    assert.deepEqual(r, { added: 3, ignored: 3 });
    assert.equal(db.lookup({ md5: 'd41d8cd98f00b204e9800998ecf8427e' })?.type, 'md5');
    assert.equal(db.lookup({ sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' })?.note, 'sha1 of nothing');
    assert.equal(db.lookup({ sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })?.sources[0]?.name, 'user list mine.txt');
    assert.equal(db.lookup({ sha256: '0'.repeat(64) }), undefined);
  });

  it('a list with no hash or that cannot be read is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-hashes-'));
    try {
      writeFileSync(join(dir, 'empty.txt'), 'nothing here\n');
      assert.throws(() => new HashDb().addFile(join(dir, 'empty.txt')), (e: unknown) => e instanceof ExhuntError && e.code === 'E_USAGE');
      assert.throws(() => new HashDb().addFile(join(dir, 'missing.txt')), (e: unknown) => e instanceof ExhuntError && e.code === 'E_USAGE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('data/known-bad-hashes.json is what scripts/gen-hashes.ts makes of the public lists', (t) => {
    if (!existsSync(CORPUS)) {
      t.skip(`corpus not found at ${CORPUS} (the shared corpora are not part of a clone)`);
      return;
    }
    const text = JSON.stringify(generate(CORPUS), null, 1) + '\n';
    assert.equal(text, readFileSync(assetPath('data/known-bad-hashes.json'), 'utf8'));
  });
});
