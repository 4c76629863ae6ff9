import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyStatus, firstFixedSU, isFixed } from './familyStatus.js';
import { loadBuildKnowledge } from './knowledge.js';
import { BuildVersionError, parseVersion, compareVersions } from './version.js';

test('2016 CU19 RTM: ProxyLogon vulnerable, fixed by 15.1.2176.9', () => {
  const s = familyStatus('15.1.2176.2', 'proxylogon');
  assert.equal(s.status, 'vulnerable');
  assert.equal(s.fixedBy?.build, '15.1.2176.9');
  assert.equal(s.fixedBy?.su, 'Mar21SU');
  assert.equal(s.fixedBy?.kb, 'KB5000871');
  assert.equal(s.fixedBy?.date, '2021-03-02');
  assert.equal(s.fixedBy?.cuUpgrade, false);
});

test('15.1.2176.9: ProxyLogon fixed, ProxyShell vulnerable (needs May21SU)', () => {
  assert.equal(familyStatus('15.1.2176.9', 'proxylogon').status, 'fixed');
  const ps = familyStatus('15.1.2176.9', 'proxyshell');
  assert.equal(ps.status, 'vulnerable');
  assert.equal(ps.fixedBy?.build, '15.1.2176.14');
  assert.equal(ps.fixedBy?.su, 'May21SU');
});

test('ProxyShell: Apr21SU alone is not enough; May21SU is', () => {
  assert.equal(familyStatus('15.1.2176.12', 'proxyshell').status, 'vulnerable'); // Apr21SU
  assert.equal(familyStatus('15.1.2176.14', 'proxyshell').status, 'fixed'); // May21SU
  assert.equal(familyStatus('15.1.2176.14', 'proxyshell').fixedBy?.build, '15.1.2176.14');
  assert.equal(familyStatus('15.0.1497.15', 'proxyshell').status, 'vulnerable');
  assert.equal(familyStatus('15.0.1497.18', 'proxyshell').status, 'fixed');
  assert.equal(familyStatus('15.1.2308.8', 'proxyshell').status, 'fixed'); // 2016 CU21 base includes it
  assert.equal(familyStatus('15.2.922.7', 'proxyshell').status, 'fixed'); // 2019 CU10 base
});

test('2019 CU9 base build includes ProxyLogon', () => {
  const s = familyStatus('15.2.858.5', 'proxylogon');
  assert.equal(s.status, 'fixed');
  assert.equal(s.fixedBy?.build, '15.2.858.5');
  assert.equal(s.fixedBy?.su, null);
  assert.equal(familyStatus('15.1.2242.4', 'proxylogon').status, 'fixed'); // 2016 CU20
});

test('2019 CU11 Oct22SU is vulnerable to ProxyNotShell and OWASSRF; Nov22SU fixes both', () => {
  for (const fam of ['proxynotshell', 'owassrf']) {
    const s = familyStatus('15.2.986.30', fam);
    assert.equal(s.status, 'vulnerable', fam);
    assert.equal(s.fixedBy?.build, '15.2.986.36');
    assert.equal(s.fixedBy?.kb, 'KB5019758');
    assert.equal(familyStatus('15.2.986.36', fam).status, 'fixed', fam);
  }
  assert.equal(familyStatus('15.2.1118.15', 'proxynotshell').status, 'vulnerable');
  assert.equal(familyStatus('15.2.1118.20', 'proxynotshell').status, 'fixed');
  assert.equal(familyStatus('15.2.1258.12', 'proxynotshell').status, 'fixed'); // CU13 includes it
});

test('2016 CU8: both Mar21SU builds (.8 CSS-Exchange, .10 docs) are fixed for ProxyLogon', () => {
  assert.equal(familyStatus('15.1.1415.8', 'proxylogon').status, 'fixed');
  assert.equal(familyStatus('15.1.1415.10', 'proxylogon').status, 'fixed');
  assert.equal(familyStatus('15.1.1415.7', 'proxylogon').status, 'vulnerable');
  assert.equal(familyStatus('15.1.1466.13', 'proxylogon').status, 'fixed');
  assert.equal(familyStatus('15.1.1466.16', 'proxylogon').status, 'fixed');
  assert.equal(familyStatus('15.1.1466.9', 'proxylogon').fixedBy?.build, '15.1.1466.13');
});

test('a CU that never got the SU is vulnerable and needs a CU upgrade', () => {
  const s = familyStatus('15.1.1261.39', 'proxylogon'); // 2016 CU7: no Mar21SU
  assert.equal(s.status, 'vulnerable');
  assert.equal(s.fixedBy?.cu, 'CU8');
  assert.equal(s.fixedBy?.cuUpgrade, true);
  const t = familyStatus('15.1.2308.27', 'proxynotshell'); // 2016 CU21: no Nov22SU
  assert.equal(t.status, 'vulnerable');
  assert.equal(t.fixedBy?.build, '15.1.2375.37');
  assert.equal(t.fixedBy?.cuUpgrade, true);
  assert.equal(familyStatus('15.0.1395.10', 'proxyshell').status, 'vulnerable'); // 2013 CU21
});

test('Exchange SE builds are fixed for every family (the 2019 line includes the fixes)', () => {
  for (const fam of ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf', 'proxytoken']) {
    const s = familyStatus('15.2.2562.17', fam);
    assert.equal(s.status, 'fixed', fam);
    assert.equal(s.fixedBy?.build, '15.2.2562.17');
    assert.equal(familyStatus('15.2.2562.37', fam).status, 'fixed', fam);
  }
});

test('far-future builds are fixed for the old families', () => {
  for (const v of ['15.2.9999.1', '15.1.9999.0', '15.0.9999.1']) {
    for (const fam of ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf']) {
      assert.equal(familyStatus(v, fam).status, 'fixed', `${v} ${fam}`);
    }
  }
});

test('unknown product → unknown; garbage → BuildVersionError; unknown family → Error', () => {
  assert.equal(familyStatus('14.3.513.0', 'proxylogon').status, 'unknown');
  assert.equal(familyStatus('15.7.1.1', 'proxylogon').status, 'unknown');
  assert.throws(() => familyStatus('nope', 'proxylogon'), BuildVersionError);
  assert.throws(() => familyStatus('15.1.2176.2', 'heartbleed'), /unknown vulnerability family/);
});

test('three-part versions: fixed if the CU includes it, unknown if it depends on the SU', () => {
  assert.equal(familyStatus('15.2.858', 'proxylogon').status, 'fixed');
  assert.equal(familyStatus('15.2.858', 'proxyshell').status, 'unknown');
  assert.equal(familyStatus('15.2.858', 'proxyshell').fixedBy?.build, '15.2.858.12');
  assert.equal(familyStatus('15.1.2308', 'proxynotshell').status, 'vulnerable');
});

test('isFixed maps statuses to booleans', () => {
  assert.equal(isFixed('15.1.2176.2', 'proxylogon'), false);
  assert.equal(isFixed('15.1.2176.9', 'proxylogon'), true);
  assert.equal(isFixed('15.2.858', 'proxyshell'), undefined);
  assert.equal(isFixed('14.3.513.0', 'proxylogon'), undefined);
  assert.equal(isFixed('garbage', 'proxylogon'), undefined);
  assert.equal(isFixed(parseVersion('15.2.986.36'), 'owassrf'), true);
});

test('firstFixedSU: what to install on a CU', () => {
  assert.equal(firstFixedSU({ product: 'Exchange2016', cu: 'CU19' }, 'proxylogon')?.build, '15.1.2176.9');
  assert.equal(firstFixedSU({ product: 'Exchange2016', cu: 'CU19' }, 'proxyshell')?.build, '15.1.2176.14');
  const u = firstFixedSU({ product: 'Exchange2016', cu: 'CU19' }, 'proxynotshell');
  assert.equal(u?.cu, 'CU22');
  assert.equal(u?.cuUpgrade, true);
  assert.equal(firstFixedSU({ product: 'Exchange2019', cu: 'CU9' }, 'proxylogon')?.su, null); // included
  assert.equal(firstFixedSU({ product: 'Exchange2013', cu: 'SP1' }, 'proxylogon')?.build, '15.0.847.64');
  assert.equal(firstFixedSU('15.2.986.30', 'proxynotshell')?.build, '15.2.986.36');
  assert.equal(firstFixedSU({ product: 'Exchange2016', cu: 'CU99' }, 'proxylogon'), undefined);
  assert.equal(firstFixedSU('14.3.1.1', 'proxylogon'), undefined);
});

test('ProxyToken: Jul21SU', () => {
  assert.equal(familyStatus('15.2.858.12', 'proxytoken').status, 'vulnerable');
  assert.equal(familyStatus('15.2.858.15', 'proxytoken').status, 'fixed');
  assert.equal(familyStatus('15.1.2176.14', 'proxytoken').fixedBy?.cuUpgrade, true); // CU19 never got Jul21SU
});

// ---------------------------------------------------------------------------------------------------------------
// Acceptance: every build in Microsoft's tables against the fixed builds listed in exchange-facts.md §1c.4,
// through an independent oracle (a per-CU threshold list + "included from CU base X"), not the code under test.

type Oracle = { perCu: Record<string, string[]>; includedFrom: Record<string, string | null> };

const ORACLES: Record<string, Oracle> = {
  proxylogon: {
    perCu: {
      '15.0': ['15.0.847.64', '15.0.1395.12', '15.0.1473.6', '15.0.1497.12'],
      '15.1': ['15.1.1415.8', '15.1.1466.13', '15.1.1531.12', '15.1.1591.18', '15.1.1713.10', '15.1.1779.8', '15.1.1847.12', '15.1.1913.12', '15.1.1979.8', '15.1.2044.13', '15.1.2106.13', '15.1.2176.9'],
      '15.2': ['15.2.221.18', '15.2.330.11', '15.2.397.11', '15.2.464.15', '15.2.529.13', '15.2.595.8', '15.2.659.12', '15.2.721.13', '15.2.792.10'],
    },
    includedFrom: { '15.0': null, '15.1': '15.1.2242.4', '15.2': '15.2.858.5' },
  },
  proxyshell: {
    perCu: {
      '15.0': ['15.0.1497.18'],
      '15.1': ['15.1.2176.14', '15.1.2242.10'],
      '15.2': ['15.2.792.15', '15.2.858.12'],
    },
    includedFrom: { '15.0': null, '15.1': '15.1.2308.8', '15.2': '15.2.922.7' },
  },
  proxynotshell: {
    perCu: {
      '15.0': ['15.0.1497.44'],
      '15.1': ['15.1.2375.37', '15.1.2507.16'],
      '15.2': ['15.2.986.36', '15.2.1118.20'],
    },
    includedFrom: { '15.0': null, '15.1': null, '15.2': '15.2.1258.12' },
  },
};
ORACLES['owassrf'] = ORACLES['proxynotshell'] as Oracle;

function oracle(version: string, o: Oracle): 'fixed' | 'vulnerable' {
  const v = parseVersion(version);
  const line = `${v.major}.${v.minor}`;
  const inc = o.includedFrom[line];
  if (inc && compareVersions(v, inc) >= 0) return 'fixed';
  const t = (o.perCu[line] ?? []).find((x) => parseVersion(x).build === v.build);
  if (t) return compareVersions(v, t) >= 0 ? 'fixed' : 'vulnerable';
  // A CU above the newest listed SU CU includes the fix (e.g. 2013 has no later CU; 2016 CU23 for Nov22SU is listed).
  const list = o.perCu[line] ?? [];
  const newest = list[list.length - 1];
  if (newest && compareVersions(v, newest) >= 0) return 'fixed';
  return 'vulnerable';
}

test('every build in the table matches the fixed-build lists of exchange-facts.md §1c.4', () => {
  const k = loadBuildKnowledge();
  let checked = 0;
  for (const b of k.table.builds) {
    for (const [fam, o] of Object.entries(ORACLES)) {
      const got = familyStatus(b.version, fam).status;
      assert.equal(got, oracle(b.version, o), `${b.version} (${b.product} ${b.cu} ${b.su ?? 'base'}) ${fam}`);
      checked++;
    }
  }
  assert.ok(checked >= 1000, `checked ${checked}`);
});

test('every table build has a definite status for the main families', () => {
  const k = loadBuildKnowledge();
  for (const b of k.table.builds) {
    for (const fam of ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf', 'proxytoken']) {
      const s = familyStatus(b.version, fam);
      assert.ok(s.status === 'fixed' || s.status === 'vulnerable', `${b.version} ${fam}: ${s.status}`);
      if (s.status === 'vulnerable') assert.ok(s.fixedBy, `${b.version} ${fam}: vulnerable without a fix to install`);
    }
  }
});

test('families file names only SU keys present in the build table', () => {
  const k = loadBuildKnowledge();
  const sus = new Set(k.table.builds.map((b) => b.su));
  for (const f of k.families.families) {
    for (const su of f.fixedIn) assert.ok(sus.has(su), `${f.id}: ${su}`);
    for (const c of f.cves) assert.ok(f.fixedIn.includes(c.fixedIn), `${f.id}: ${c.id}`);
    assert.match(f.exploitationWindow.start, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(f.exploitationWindow.sources.length > 0);
  }
});
