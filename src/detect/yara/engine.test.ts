import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileYara, loadYaraDir } from './engine.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const RULES = `
rule two_words : tag1 { meta: severity = "high" score = 70 ok = true strings: $a = "alpha-one" $b = "beta-two" condition: $a and $b }
private rule helper { strings: $h = "helper-x" condition: $h }
rule uses_helper { condition: helper and filesize < 1KB }
`;

describe('compileYara', () => {
  it('scans and reports rule, namespace, tags, meta and string offsets', () => {
    const y = compileYara([{ name: 'mine.yar', text: RULES }]);
    try {
      assert.equal(y.ruleCount, 3);
      const m = y.scan(enc('xx alpha-one yy beta-two'));
      assert.equal(m.length, 1);
      assert.equal(m[0]!.rule, 'two_words');
      assert.equal(m[0]!.namespace, 'mine.yar');
      assert.deepEqual(m[0]!.tags, ['tag1']);
      assert.deepEqual(m[0]!.meta, { severity: 'high', score: 70, ok: true });
      assert.deepEqual(m[0]!.strings, [
        { id: '$a', offset: 3, length: 9 },
        { id: '$b', offset: 16, length: 8 },
      ]);
      assert.deepEqual(y.scan(enc('alpha-one only')), []);
      // Private rules are not reported, but rules depending on them are.
      assert.deepEqual(y.scan(enc('a helper-x b')).map((x) => x.rule), ['uses_helper']);
    } finally {
      y.dispose();
    }
  });

  it('skips a source that does not compile and loads the others', () => {
    const y = compileYara([
      { name: 'bad.yar', text: 'rule broken { strings: $a = "x" condition: $b }' },
      { name: 'good.yar', text: 'rule fine { strings: $a = "needle-123" condition: $a }' },
    ]);
    try {
      assert.equal(y.errors.length, 1);
      assert.match(y.errors[0]!, /^bad\.yar: .*unknown pattern/);
      assert.deepEqual(y.loaded, ['good.yar']);
      assert.deepEqual(y.scan(enc('..needle-123..')).map((m) => m.rule), ['fine']);
    } finally {
      y.dispose();
    }
  });

  it('keeps equal rule names of two packs apart (one namespace per source)', () => {
    const y = compileYara([
      { name: 'a.yar', text: 'rule same { strings: $a = "common-word" condition: $a }' },
      { name: 'b.yar', text: 'rule same { strings: $a = "common-word" condition: $a }' },
    ]);
    try {
      assert.deepEqual(y.scan(enc('common-word')).map((m) => `${m.namespace}:${m.rule}`).sort(), ['a.yar:same', 'b.yar:same']);
    } finally {
      y.dispose();
    }
  });

  it('recycles the yara-x instance every N scans and keeps answering the same', () => {
    const y = compileYara([{ name: 'r.yar', text: 'rule r { strings: $a = "token-abc" condition: $a }' }], { recycleAfter: 5 });
    try {
      for (let i = 0; i < 23; i++) assert.equal(y.scan(enc(`${i} token-abc`)).length, 1);
      const s = y.stats();
      assert.equal(s.engineScans, 23);
      assert.equal(s.recycles, 4);
    } finally {
      y.dispose();
    }
  });

  it('the pre-filter answers buffers without atoms itself, with the same results', () => {
    const on = compileYara([{ name: 'm.yar', text: RULES }]);
    const off = compileYara([{ name: 'm.yar', text: RULES }], { prefilter: false });
    try {
      const inputs = ['nothing here', 'alpha-one beta-two', 'ALPHA-ONE', 'helper-x', '', 'beta-two'];
      for (const t of inputs) assert.deepEqual(on.scan(enc(t)), off.scan(enc(t)), t);
      assert.equal(on.stats().engineScans < off.stats().engineScans, true);
    } finally {
      on.dispose();
      off.dispose();
    }
  });

  it('deferred build: yara-x builds only when a buffer passes the pre-filter, with the same results', () => {
    const lazy = compileYara([{ name: 'm.yar', text: RULES }], { deferBuild: true });
    const eager = compileYara([{ name: 'm.yar', text: RULES }]);
    try {
      for (const t of ['nothing here', '', 'beta-only']) assert.deepEqual(lazy.scan(enc(t)), eager.scan(enc(t)), t);
      assert.equal(lazy.stats().built, false, 'no candidate yet: nothing built');
      assert.equal(eager.stats().built, true);
      for (const t of ['alpha-one beta-two', 'ALPHA-ONE', 'helper-x', 'nothing here']) assert.deepEqual(lazy.scan(enc(t)), eager.scan(enc(t)), t);
      assert.equal(lazy.stats().built, true);
      assert.equal(lazy.ruleCount, eager.ruleCount);
    } finally {
      lazy.dispose();
      eager.dispose();
    }
  });

  it('refuses use after dispose', () => {
    const y = compileYara([{ name: 'r.yar', text: 'rule r { condition: true }' }]);
    y.dispose();
    assert.throws(() => y.scan(enc('x')), /dispose/);
  });
});

describe('loadYaraDir', () => {
  it('reads *.yar and *.yara recursively, sorted, and does not follow symlinks', () => {
    const d = mkdtempSync(join(tmpdir(), 'exhunt-yara-'));
    try {
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'b.yar'), 'rule b { condition: true }');
      writeFileSync(join(d, 'sub', 'a.YARA'), 'rule a { condition: true }');
      writeFileSync(join(d, 'notes.txt'), 'not a rule');
      symlinkSync(d, join(d, 'sub', 'loop'));
      const s = loadYaraDir(d);
      assert.deepEqual(s.map((x) => x.name), ['b.yar', 'sub/a.YARA']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
