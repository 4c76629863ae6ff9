import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupBuild } from './lookupBuild.js';
import { loadBuildKnowledge } from './knowledge.js';
import { BuildVersionError } from './version.js';

const NOW = new Date('2026-03-01T00:00:00Z');

test('2016 CU19 RTM build', () => {
  const b = lookupBuild('15.1.2176.2', { asOf: NOW });
  assert.equal(b.product, 'Exchange2016');
  assert.equal(b.cu, 'CU19');
  assert.equal(b.su, null);
  assert.equal(b.known, true);
  assert.equal(b.released, '2020-12-15');
  assert.equal(b.supported, false);
  assert.equal(b.cuCertain, true);
  assert.deepEqual(b.latestInCu, { build: '15.1.2176.14', su: 'May21SU', released: '2021-05-11' });
});

test('zero-padded input finds the same build', () => {
  const b = lookupBuild('15.01.2176.009');
  assert.equal(b.build, '15.1.2176.9');
  assert.equal(b.buildLong, '15.01.2176.009');
  assert.equal(b.su, 'Mar21SU');
  assert.equal(b.kb, 'KB5000871');
  assert.equal(b.released, '2021-03-02');
});

test('SU builds and KB numbers', () => {
  assert.equal(lookupBuild('15.2.986.36').su, 'Nov22SU');
  assert.equal(lookupBuild('15.2.986.36').kb, 'KB5019758');
  assert.equal(lookupBuild('15.2.986.36').released, '2022-11-08');
  assert.equal(lookupBuild('15.2.986.30').su, 'Oct22SU');
  assert.equal(lookupBuild('15.2.986.30').released, '2022-10'); // month precision: not in the corpus
  assert.equal(lookupBuild('15.0.1497.23').kb, 'KB5004778'); // Jul21SU has per-product KBs
});

test('both builds of the 2016 CU8/CU9 Mar21SU discrepancy are Mar21SU', () => {
  for (const v of ['15.1.1415.8', '15.1.1415.10', '15.1.1466.13', '15.1.1466.16']) {
    const b = lookupBuild(v);
    assert.equal(b.su, 'Mar21SU', v);
    assert.equal(b.known, true, v);
    assert.ok(b.notes.some((n) => n.includes('disagree')), v);
  }
});

test('Exchange 2013 SP1 is CU4; docs-only rows are present', () => {
  const sp1 = lookupBuild('15.0.847.64');
  assert.equal(sp1.cu, 'CU4');
  assert.equal(sp1.cuAlias, 'SP1');
  assert.equal(sp1.su, 'Mar21SU');
  assert.equal(lookupBuild('15.2.221.18').su, 'Mar21SU');
  assert.equal(lookupBuild('15.2.221.12').cu, 'RTM');
  assert.equal(lookupBuild('15.1.225.16').cu, 'Preview');
  assert.equal(lookupBuild('15.1.225.42').cu, 'RTM');
});

test('a build that is both a CU base and an SU (2013 CU22 = Feb19SU)', () => {
  const b = lookupBuild('15.0.1473.3');
  assert.equal(b.cu, 'CU22');
  assert.equal(b.su, 'Feb19SU');
});

test('support: product lifecycle and serviced CUs', () => {
  assert.equal(lookupBuild('15.0.1497.48', { asOf: NOW }).supported, false); // 2013 ended 2023-04-11
  assert.equal(lookupBuild('15.0.1497.48', { asOf: new Date('2023-01-01T00:00:00Z') }).supported, true); // 2013 CU23 before EOS
  assert.equal(lookupBuild('15.0.1473.6', { asOf: new Date('2023-01-01T00:00:00Z') }).supported, false); // 2013 CU22
  assert.equal(lookupBuild('15.2.1748.43', { asOf: new Date('2025-06-01T00:00:00Z') }).supported, true); // 2019 CU15 before EOS
  assert.equal(lookupBuild('15.2.1748.43', { asOf: NOW }).supported, false); // after 2025-10-14
  assert.equal(lookupBuild('15.2.1258.12', { asOf: new Date('2025-06-01T00:00:00Z') }).supported, false); // CU13 not serviced
  assert.equal(lookupBuild('15.1.2507.66', { asOf: new Date('2025-06-01T00:00:00Z') }).supported, true);
  const se = lookupBuild('15.2.2562.37', { asOf: NOW });
  assert.equal(se.product, 'ExchangeSE');
  assert.equal(se.supported, true);
  assert.equal(se.productEndOfSupport, null);
});

test('Exchange SE builds', () => {
  const b = lookupBuild('15.2.2562.17');
  assert.equal(b.product, 'ExchangeSE');
  assert.equal(b.productName, 'Exchange Server Subscription Edition');
  assert.equal(b.cu, 'RTM');
  assert.equal(b.su, null);
  assert.equal(b.released, '2025-07-01');
  assert.equal(lookupBuild('15.2.2562.37').su, 'Feb26SU');
});

test('unknown build inside a CU: CU known, SU unknown', () => {
  const b = lookupBuild('15.1.2176.11');
  assert.equal(b.known, false);
  assert.equal(b.cu, 'CU19');
  assert.equal(b.cuCertain, true);
  assert.equal(b.su, undefined);
  assert.ok(b.notes.some((n) => n.includes('unknown SU')));
});

test('unknown build between CUs: nearest lower CU, flagged uncertain', () => {
  const b = lookupBuild('15.1.2200.1');
  assert.equal(b.cu, 'CU19');
  assert.equal(b.cuCertain, false);
  assert.equal(b.newerThanKnowledge, false);
});

test('far-future build: newer than knowledge', () => {
  const b = lookupBuild('15.2.9999.1', { asOf: NOW });
  assert.equal(b.product, 'ExchangeSE');
  assert.equal(b.newerThanKnowledge, true);
  assert.equal(b.cuCertain, false);
  assert.equal(b.supported, undefined);
  assert.equal(b.knowledgeDate, loadBuildKnowledge().knowledgeDate);
});

test('three-part version: CU without SU', () => {
  const b = lookupBuild('15.2.1118');
  assert.equal(b.cu, 'CU12');
  assert.equal(b.su, undefined);
  assert.equal(b.known, false);
});

test('unknown products and garbage', () => {
  const e2010 = lookupBuild('14.3.513.0');
  assert.equal(e2010.product, undefined);
  assert.ok(e2010.notes[0]?.includes('2010'));
  assert.equal(lookupBuild('15.9.1.1').product, undefined);
  assert.equal(lookupBuild('15.1.1.1').cu, undefined); // older than the first 2016 build
  assert.throws(() => lookupBuild('not a build'), BuildVersionError);
});

test('knowledge date is the newest release in the table', () => {
  const k = loadBuildKnowledge();
  const max = k.table.builds.reduce((m, b) => (b.released && b.released > m ? b.released : m), '');
  assert.equal(k.knowledgeDate, max);
  assert.equal(k.knowledgeDate, '2026-02');
});

test('the table covers every product with sane counts', () => {
  const k = loadBuildKnowledge();
  const count = (p: string) => new Set(k.table.builds.filter((b) => b.product === p).map((b) => b.version)).size;
  assert.ok(count('Exchange2013') >= 55);
  assert.ok(count('Exchange2016') >= 105);
  assert.ok(count('Exchange2019') >= 95);
  assert.ok(count('ExchangeSE') >= 5);
  for (const b of k.table.builds) {
    assert.match(b.version, /^15\.[0-2]\.\d+\.\d+$/);
    assert.ok(b.released === null || /^\d{4}-\d{2}(-\d{2})?$/.test(b.released), b.version);
    assert.ok(b.sources.length > 0);
  }
});
