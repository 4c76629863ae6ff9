import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assetPath } from '../../assets.js';
import { scan } from '../../scan.js';
import { renderTerminal } from '../../report/terminal.js';
import { exchangeSoftwareHive } from '../../../test/fixtures/registry/build.js';
import { chooseBuild, type RegistryFacts } from './hostState.js';

const HTTPPROXY = 'Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy';

function put(root: string, rel: string, data: string | Uint8Array): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), data);
}
const fixture = (root: string, name: string, rel: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  copyFileSync(assetPath(`test/fixtures/config/${name}`), join(root, rel));
};

test('scan: build from the SOFTWARE hive raised by an installed SU, and mitigation status per family', async () => {
  const root = mkdtempSync(join(tmpdir(), 'exhunt-host-'));
  try {
    // Exchange 2019 CU11 (Setup key: the CU base build) with the November 2022 SU installed; no ExSetup.exe.
    put(
      root,
      'Windows/System32/config/SOFTWARE',
      exchangeSoftwareHive({
        build: [15, 2, 986, 5],
        updates: [
          { product: 'Exchange 2019', key: 'KB5007409', packageName: 'Security Update for Exchange Server 2019 CU11 (KB5007409)', installedDate: '11/10/2021' },
          { product: 'Exchange 2019', key: 'KB5019758', packageName: 'Security Update for Exchange Server 2019 CU11 (KB5019758)', installedDate: '11/9/2022' },
        ],
      }),
    );
    fixture(root, 'applicationHost-plain.config', 'Windows/System32/inetsrv/config/applicationHost.config');
    fixture(root, 'site-valid.web.config', 'inetpub/wwwroot/web.config');
    fixture(root, 'child-neutral.web.config', `${HTTPPROXY}/owa/web.config`);
    put(root, 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/.keep', '');
    const r = await scan(root, { workers: 1 });
    const ex = r.host.exchange;
    assert.equal(ex.registry?.setup?.version, '15.2.986.5');
    assert.deepEqual(ex.registry?.updates.map((u) => u.kb), ['KB5007409', 'KB5019758']);
    assert.equal(ex.exposure?.source, 'installed update');
    assert.equal(ex.exposure?.installedUpdate?.kb, 'KB5019758');
    assert.equal(ex.exposure?.build, ex.exposure?.installedUpdate?.build);
    assert.equal(ex.exposure?.families['proxynotshell']?.status, 'fixed');
    assert.equal(ex.exposure?.families['owassrf']?.status, 'fixed');
    assert.equal(ex.mitigations?.families['proxynotshell']?.status, 'mitigated');
    assert.ok(ex.mitigations?.families['proxynotshell']?.reasons.some((x) => /safely rolled back/.test(x)));
    assert.equal(ex.mitigations?.families['owassrf']?.status, 'not-mitigated');
    assert.equal(ex.mitigations?.families['proxyshell']?.rewriteMitigationExists, false);
    const text = renderTerminal(r, { color: false });
    assert.match(text, /rewrite mitigation: mitigated/);
    assert.match(text, /no rewrite mitigation exists/);
    assert.match(text, /build 15\.2\.986\.36 from installed update KB5019758 · registry Setup 15\.2\.986\.5 · installed SUs: KB5007409 \(11\/10\/2021\), KB5019758/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('scan: a corrupt SOFTWARE hive is a reported problem, not a crash', async () => {
  const root = mkdtempSync(join(tmpdir(), 'exhunt-host-'));
  try {
    const bad = Buffer.from(exchangeSoftwareHive({}));
    bad.fill(0x41, 4096 + 32, 4096 + 2048);
    put(root, 'Windows/System32/config/SOFTWARE', bad);
    put(root, 'inetpub/wwwroot/web.config', '<configuration><system.webServer>');
    const r = await scan(root, { workers: 1 });
    assert.ok(r.coverage.problems.some((p) => /SOFTWARE hive/.test(p.reason)), JSON.stringify(r.coverage.problems));
    assert.equal(r.host.exchange.mitigations?.families['proxynotshell']?.status, 'unknown');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('chooseBuild: ExSetup first; an SU for another CU does not raise it; no base: the SU names its CU', () => {
  const reg = (kbs: Array<[string, string]>): RegistryFacts => ({
    path: 'x',
    updates: kbs.map(([kb, name]) => ({ kb, name, source: 'x' })),
    problems: [],
    dirty: false,
    matchedUpdates: [],
    setup: { version: '15.1.2176.2' },
  });
  // 2016 CU19 + KB5000871 (Mar21SU) → 15.1.2176.9.
  assert.deepEqual(chooseBuild(undefined, reg([['KB5000871', 'Security Update for Exchange Server 2016 CU19 (KB5000871)']]), undefined)?.build, '15.1.2176.9');
  // ExSetup already at a later SU: stays.
  assert.equal(chooseBuild('15.1.2176.14', reg([['KB5000871', 'x']]), undefined)?.source, 'ExSetup.exe');
  // A KB that has no row for this CU (2019-only KB on a 2016 server) changes nothing.
  assert.equal(chooseBuild('15.1.2176.2', reg([['KB5007409', 'Security Update for Exchange Server 2019 CU11 (KB5007409)']]), undefined)?.build, '15.1.2176.2');
  const noBase: RegistryFacts = { ...reg([['KB5019758', 'Security Update for Exchange Server 2019 CU11 (KB5019758)']]), setup: {} };
  assert.equal(chooseBuild(undefined, noBase, undefined)?.build, '15.2.986.36');
});
