import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hive, RegistryError, lhHash, valueNumber, valueText } from './hive.js';
import { readExchangeRegistry, readExchangeRegistryFile, kbOf } from './exchange.js';
import { binary, buildHive, dword, exchangeSoftwareHive, sz, type KeySpec } from '../../../test/fixtures/registry/build.js';
import { rng } from '../../../test/support/rng.js';

const tree = (list: KeySpec['list']): KeySpec => ({
  name: 'ROOT',
  list,
  subkeys: [
    { name: 'Alpha', values: [sz('Text', 'hello'), dword('Count', 42), sz('', 'default value')] },
    { name: 'Beta', list, subkeys: [{ name: 'Gamma', values: [binary('Blob', new Uint8Array([1, 2, 3]))] }] },
    { name: 'Ünïcode', utf16Name: true, values: [{ ...sz('Wide', 'ω'), utf16Name: true }] },
    ...Array.from({ length: 20 }, (_, i) => ({ name: `K${i}` })),
  ],
});

for (const list of ['lf', 'lh', 'li', 'ri'] as const) {
  test(`keys and values through ${list} subkey lists`, () => {
    const h = Hive.fromBytes(buildHive(tree(list)));
    assert.equal(h.root().name, 'ROOT');
    assert.equal(h.subkeys(h.root()).length, 23);
    const a = h.open('alpha')!;
    assert.equal(a.name, 'Alpha');
    assert.equal(valueText(h.value(a, 'TEXT')), 'hello');
    assert.equal(valueNumber(h.value(a, 'Count')), 42);
    assert.equal(valueText(h.value(a, '')), 'default value');
    const g = h.open('Beta\\Gamma')!;
    assert.deepEqual([...h.value(g, 'Blob')!.data], [1, 2, 3]);
    assert.equal(valueText(h.value(h.open('ÜNÏCODE')!, 'wide')), 'ω');
    assert.equal(h.open('Beta\\Missing'), undefined);
    assert.equal(h.open('K19')?.name, 'K19');
  });
}

test('big data (db) values over 16,344 bytes are joined from their segments; maxValueBytes cuts', () => {
  const big = new Uint8Array(40_000).map((_, i) => i % 251);
  const bytes = buildHive({ name: 'ROOT', subkeys: [{ name: 'K', values: [binary('Big', big)] }] });
  const h = Hive.fromBytes(bytes);
  const v = h.value(h.open('K')!, 'Big')!;
  assert.equal(v.truncated, false);
  assert.deepEqual(Buffer.from(v.data), Buffer.from(big));
  const cut = Hive.fromBytes(bytes, { maxValueBytes: 20_000 }).value(h.open('K')!, 'Big')!;
  assert.equal(cut.data.length, 20_000);
  assert.equal(cut.truncated, true);
});

test('lh hash matches the documented algorithm', () => {
  // "ab": ((0 * 37 + 'A') * 37 + 'B')
  assert.equal(lhHash('ab'), 65 * 37 + 66);
  assert.equal(lhHash('Setup'), lhHash('SETUP'));
});

test('not a hive, truncated, wrong type: RegistryError with a clear message', () => {
  assert.throws(() => Hive.fromBytes(Buffer.from('hello')), (e: unknown) => e instanceof RegistryError && /smaller than a base block/.test(e.message));
  assert.throws(() => Hive.fromBytes(Buffer.alloc(8192)), /no "regf" signature/);
  const good = buildHive(tree('lh'));
  const log = Buffer.from(good);
  log.writeUInt32LE(1, 28);
  assert.throws(() => Hive.fromBytes(log), /transaction logs/);
  // Cut in the middle of the bins: the reader stops at the file's end.
  const cut = Hive.fromBytes(good.subarray(0, 4096 + 256));
  assert.throws(() => cut.subkeys(cut.root()), RegistryError);
});

test('dirty hive is flagged', () => {
  assert.equal(Hive.fromBytes(buildHive(tree('lh'), { dirty: true })).dirty, true);
  assert.equal(Hive.fromBytes(buildHive(tree('lh'))).dirty, false);
});

test('a subkey list that points at its own key, or an index root at itself, does not loop', () => {
  const bytes = Buffer.from(buildHive({ name: 'ROOT', list: 'ri', subkeys: [{ name: 'A' }, { name: 'B' }] }));
  const h0 = Hive.fromBytes(bytes);
  const root = h0.root();
  // Point the ri's first entry at the ri itself: a leaf is required, so this is refused.
  const riData = 4096 + root.subkeyList + 4;
  bytes.writeUInt32LE(root.subkeyList, riData + 4);
  const h1 = Hive.fromBytes(bytes);
  assert.throws(() => h1.subkeys(h1.root()), /not a leaf list/);
  // A leaf listing the root as its own child: skipped, never walked into.
  const bytes2 = Buffer.from(buildHive({ name: 'ROOT', list: 'li', subkeys: [{ name: 'A' }] }));
  const h2 = Hive.fromBytes(bytes2);
  const r2 = h2.root();
  bytes2.writeUInt32LE(r2.offset, 4096 + r2.subkeyList + 4 + 4);
  const h3 = Hive.fromBytes(bytes2);
  assert.deepEqual(h3.subkeys(h3.root()).map((k) => k.name), []);
});

test('Exchange facts: Setup version and install path, Updates records and Uninstall entries (one per KB)', () => {
  const bytes = exchangeSoftwareHive({
    build: [15, 2, 986, 5],
    updates: [
      { product: 'Exchange 2019', key: 'KB5007409', packageName: 'Security Update for Exchange Server 2019 CU11 (KB5007409)', installedDate: '11/10/2021' },
      { product: 'Exchange 2019', key: 'KB5019758', packageName: 'Security Update for Exchange Server 2019 CU11 (KB5019758)', installedDate: '11/9/2022' },
    ],
    uninstall: [
      { key: '{4934D1EA-BE46-48B1-8847-F1AF20E892C1}', displayName: 'Microsoft Exchange Server 2019' },
      { key: 'KB5019758-dup', displayName: 'Security Update for Exchange Server 2019 CU11 (KB5019758)' },
      { key: 'KB5000871', displayName: 'Security Update for Exchange Server 2019 CU8 (KB5000871)' },
    ],
  });
  const r = readExchangeRegistry(Hive.fromBytes(bytes));
  assert.equal(r.setup?.version, '15.2.986.5');
  assert.equal(r.setup?.installPath, 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\');
  assert.deepEqual(r.updates.map((u) => u.kb), ['KB5007409', 'KB5019758', 'KB5000871']);
  assert.equal(r.updates[0]!.installedDate, '11/10/2021');
  assert.equal(r.updates[0]!.product, 'Exchange 2019');
  assert.equal(r.updates[0]!.source, 'Microsoft\\Updates\\Exchange 2019\\SP1\\KB5007409');
  assert.equal(r.updates[2]!.product, undefined);
  assert.deepEqual(r.problems, []);
});

test('readExchangeRegistryFile reads a hive from disk with positioned reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-hive-'));
  try {
    const p = join(dir, 'SOFTWARE');
    writeFileSync(p, exchangeSoftwareHive({ build: [15, 1, 2176, 2], list: 'ri' }));
    const r = readExchangeRegistryFile(p);
    assert.equal(r.setup?.version, '15.1.2176.2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kbOf takes a 6-8 digit KB number only', () => {
  assert.equal(kbOf('Security Update for Exchange Server 2019 CU11 (KB5007409)'), 'KB5007409');
  assert.equal(kbOf('kb123'), undefined);
  assert.equal(kbOf('KB123456789'), undefined);
});

test('fuzz: mutated hives never throw anything but RegistryError and always finish', () => {
  const base = exchangeSoftwareHive({
    updates: [{ product: 'Exchange 2019', key: 'KB5019758', packageName: 'Security Update for Exchange Server 2019 CU11 (KB5019758)' }],
    uninstall: [{ key: 'X', displayName: 'Security Update for Exchange Server 2019 CU11 (KB5019758)' }],
    list: 'ri',
  });
  const rand = rng(0xc0ffee);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const m = Buffer.from(base);
    const n = 1 + Math.floor(rand() * 8);
    for (let j = 0; j < n; j++) {
      // Mostly the cells (after the base block), sometimes the base block itself.
      const at = rand() < 0.9 ? 4096 + Math.floor(rand() * (m.length - 4096)) : Math.floor(rand() * 64);
      const kind = rand();
      if (kind < 0.5) m[at] = Math.floor(rand() * 256);
      else if (kind < 0.8 && at + 4 <= m.length) m.writeUInt32LE(Math.floor(rand() * 4294967296), at);
      else if (at + 4 <= m.length) m.writeInt32LE(rand() < 0.5 ? -8 : 0x7ffffff8, at);
    }
    const cut = rand() < 0.1 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
    try {
      const r = readExchangeRegistry(Hive.fromBytes(cut, { maxCells: 50_000 }));
      assert.ok(Array.isArray(r.updates));
      parsed++;
    } catch (e) {
      assert.ok(e instanceof RegistryError, `mutant ${i}: ${(e as Error).stack}`);
      refused++;
    }
  }
  assert.equal(parsed + refused, 400);
  assert.ok(parsed > 0);
});

test("a key whose values hold more than the cap: values() refuses, value(name) reads only the one asked for", () => {
  const big = new Uint8Array(1 << 20).fill(0x41);
  const values = [...Array.from({ length: 20 }, (_, i) => binary(`Big${i}`, big)), sz('MsiInstallPath', 'C:\\Exchange\\')];
  const h = Hive.fromBytes(buildHive({ name: 'ROOT', subkeys: [{ name: 'K', values }] }));
  const k = h.open('K')!;
  assert.throws(() => h.values(k), (e: unknown) => e instanceof RegistryError && /more than/.test((e as Error).message));
  assert.equal(valueText(h.value(k, 'msiinstallpath')!), 'C:\\Exchange\\');
  assert.equal(h.value(k, 'Big7')!.data.length, 1 << 20);
  assert.equal(h.value(k, 'missing'), undefined);
});
