import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestBuild, buildFromExportToolManifest, buildFromOwaPath, buildFromOwaVersionHeader, conflictingBuilds } from './fingerprint.js';

test('X-OWA-Version header', () => {
  assert.deepEqual(buildFromOwaVersionHeader(' 15.1.2176.2 ', 'GET /owa/'), { source: 'x-owa-version', build: '15.1.2176.2', precision: 'full', request: 'GET /owa/', raw: '15.1.2176.2' });
  assert.equal(buildFromOwaVersionHeader('15.01.2176.002', 'r')?.build, '15.1.2176.2');
  assert.equal(buildFromOwaVersionHeader('15.2.1544', 'r')?.precision, 'cu');
  for (const bad of [undefined, '', 'abc', '14.3.123.4', '15.1.2176.2; x', '9'.repeat(5000)]) assert.equal(buildFromOwaVersionHeader(bad, 'r'), undefined);
});

test('OWA resource path: three parts = CU level, four parts = full', () => {
  assert.deepEqual(buildFromOwaPath('<link href="/owa/auth/15.1.2176/themes/resources/x.css">', 'r')?.build, '15.1.2176');
  assert.equal(buildFromOwaPath('<link href="/owa/auth/15.1.2176/themes/x.css">', 'r')?.precision, 'cu');
  assert.equal(buildFromOwaPath('src="/owa/15.0.1497.2/scripts/x.js"', 'r')?.precision, 'full');
  assert.equal(buildFromOwaPath('/owa/auth/logon.aspx', 'r'), undefined);
  assert.equal(buildFromOwaPath('/owa/auth/8.3.1/', 'r'), undefined);
  // Large hostile input finishes quickly (bounded regex).
  const t0 = Date.now();
  assert.equal(buildFromOwaPath('/owa/auth/1.'.repeat(20000), 'r'), undefined);
  assert.ok(Date.now() - t0 < 1000);
});

test('export tool manifest', () => {
  const m = '<asmv1:assembly><assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="15.2.986.5" publicKeyToken="x" /></asmv1:assembly>';
  assert.equal(buildFromExportToolManifest(m, 'r')?.build, '15.2.986.5');
  const two = '<assemblyIdentity name="Microsoft.Windows.CommonLanguageRuntime" version="4.0.30319.0" /><assemblyIdentity version="15.1.2375.17" name="microsoft.exchange.ediscovery.exporttool" />';
  assert.equal(buildFromExportToolManifest(two, 'r')?.build, '15.1.2375.17');
  assert.equal(buildFromExportToolManifest('<assemblyIdentity name="other" version="15.0.1497.2"/>', 'r')?.build, '15.0.1497.2');
  assert.equal(buildFromExportToolManifest('<html>not found</html>', 'r'), undefined);
  assert.equal(buildFromExportToolManifest('<assemblyIdentity ' + 'a'.repeat(100000), 'r'), undefined);
});

test('best evidence and conflicts', () => {
  const h = buildFromOwaVersionHeader('15.1.2176.2', 'a')!;
  const p = buildFromOwaPath('/owa/auth/15.1.2176/', 'b')!;
  const m = buildFromExportToolManifest('<assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="15.1.2176.9"/>', 'c')!;
  assert.equal(bestBuild([p, m, h])?.source, 'x-owa-version');
  assert.equal(bestBuild([p, m])?.source, 'exporttool-manifest');
  assert.equal(bestBuild([p])?.source, 'owa-path');
  assert.equal(bestBuild([]), undefined);
  assert.deepEqual(conflictingBuilds([h, p]), []);
  assert.equal(conflictingBuilds([h, m]).length, 2);
});
