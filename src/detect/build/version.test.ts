import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BuildVersionError,
  compareVersions,
  formatVersion,
  formatVersionLong,
  normalizeVersion,
  parseVersion,
  tryParseVersion,
} from './version.js';

test('parses the short form', () => {
  assert.deepEqual(parseVersion('15.1.2176.2'), { major: 15, minor: 1, build: 2176, revision: 2 });
});

test('parses the zero-padded long form from log headers', () => {
  assert.deepEqual(parseVersion('15.01.2176.002'), { major: 15, minor: 1, build: 2176, revision: 2 });
  assert.equal(normalizeVersion('15.02.0858.005'), '15.2.858.5');
  assert.equal(normalizeVersion(' 15.00.1497.044 '), '15.0.1497.44');
});

test('parses three-part versions (OWA resource path) and AdminDisplayVersion text', () => {
  assert.deepEqual(parseVersion('15.1.2176'), { major: 15, minor: 1, build: 2176 });
  assert.deepEqual(parseVersion('Version 15.2 (Build 986.5)'), { major: 15, minor: 2, build: 986, revision: 5 });
});

test('rejects garbage with BuildVersionError (code E_BUILD_VERSION)', () => {
  for (const bad of ['', 'garbage', '15', '15.1', '15.1.2176.2.1', '15.1.x.2', '-15.1.2.3', '15.1.2176.2 ', '1'.repeat(100), '15.1.1234567.1']) {
    if (bad === '15.1.2176.2 ') {
      assert.ok(tryParseVersion(bad)); // surrounding whitespace is tolerated
      continue;
    }
    assert.equal(tryParseVersion(bad), undefined, bad);
    assert.throws(() => parseVersion(bad), (e: unknown) => e instanceof BuildVersionError && e.code === 'E_BUILD_VERSION');
  }
  assert.equal(tryParseVersion(undefined as unknown as string), undefined);
});

test('compares numerically, not lexically', () => {
  assert.ok(compareVersions('15.1.2176.9', '15.1.2176.14') < 0);
  assert.ok(compareVersions('15.1.2242.4', '15.1.2176.14') > 0);
  assert.ok(compareVersions('15.2.858.5', '15.2.792.10') > 0);
  assert.equal(compareVersions('15.01.2176.002', '15.1.2176.2'), 0);
  assert.ok(compareVersions('15.1.2176', '15.1.2176.2') < 0);
  assert.ok(compareVersions('15.0.1497.48', '15.1.225.16') < 0);
});

test('formats short and long forms', () => {
  assert.equal(formatVersion(parseVersion('15.01.2176.002')), '15.1.2176.2');
  assert.equal(formatVersionLong(parseVersion('15.1.2176.2')), '15.01.2176.002');
  assert.equal(formatVersionLong(parseVersion('15.2.221.18')), '15.02.0221.018');
  assert.equal(formatVersion(parseVersion('15.1.2176')), '15.1.2176');
});
