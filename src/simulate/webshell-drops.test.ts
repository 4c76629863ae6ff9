import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeShell, exchangeWebPopulation, proxyLogonDrops } from './webshell-drops.js';
import { Rng } from './prng.js';
import { makeWorld } from './world.js';
import { placeOf } from '../detect/files/place.js';
import { judgePlace } from '../detect/files/judge.js';

// Words antivirus engines key on: they must not appear in the module at rest, only after decoding (nor in
// this test: base64 here too).
const dec = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
const SHELL_MARKERS = ['ZXZhbChSZXF1ZXN0', 'InVuc2FmZSI=', 'UHJvY2Vzc1N0YXJ0SW5mbygiY21kLmV4ZSI=', 'RnJvbUJhc2U2NFN0cmluZyg='].map(dec);

describe('webshell-drops', () => {
  it('keeps shell code encoded at rest and decodes it at write time', () => {
    const built = readFileSync(fileURLToPath(new URL('./webshell-drops.js', import.meta.url)), 'utf8');
    for (const m of SHELL_MARKERS) assert.ok(!built.includes(m), `${m} in the module`);
    assert.ok(decodeShell('chopper', { SECRET: 'k' }).includes(dec('ZXZhbChSZXF1ZXN0Lkl0ZW1bImsiXSwidW5zYWZlIik=')));
    assert.ok(decodeShell('cmdShell', { SECRET: 'k' }).includes(SHELL_MARKERS[2]!));
    assert.ok(!decodeShell('cmdShell', { SECRET: 'k' }).includes('{{'), 'every placeholder filled');
  });

  it('the shipped-looking population is quiet for the name and place detectors', () => {
    const world = makeWorld(Rng.derive(1, 'world'), 20);
    const files = exchangeWebPopulation({ world, rng: new Rng(7), cuInstalled: Date.parse('2020-12-15'), suInstalled: Date.parse('2021-03-04') });
    assert.ok(files.length > 500);
    const names = new Set(files.map((f) => f.rel.split('/').pop()));
    for (const n of ['frowny.aspx', 'RedirSuiteServiceProxy.aspx', 'OutlookCN.aspx', 'TimeoutLogout.aspx', 'getidtoken.htm']) assert.ok(names.has(n), n);
    for (const f of files) assert.deepEqual(judgePlace(`C:\\${f.rel.split('/').join('\\')}`), [], f.rel);
  });

  it('drops shells in the places the campaigns used, each flagged by its place or name', () => {
    const world = makeWorld(Rng.derive(1, 'world'), 20);
    const reset = Date.parse('2021-03-03T10:36:00Z');
    const drops = proxyLogonDrops({ world, rng: new Rng(3), resetTime: reset, firstShell: { rel: 'inetpub/wwwroot/aspnet_client/system_web/AbcdEfgh.aspx', name: 'AbcdEfgh.aspx' }, stopBefore: Date.parse('2021-03-09'), ip: '198.51.100.9' });
    const places = drops.map((d) => placeOf(`C:\\${d.rel.split('/').join('\\')}`).id);
    assert.deepEqual([...new Set(places)].sort(), ['aspnet_client', 'ecp-auth', 'owa-auth', 'temp-aspnet']);
    assert.ok(drops.some((d) => d.rel.endsWith('/owa/auth/RedirSuiteServerProxy.aspx')));
    for (const d of drops) {
      assert.equal(d.kind, 'webshell-file');
      assert.ok(d.mtime >= reset && d.mtime < Date.parse('2021-03-09'), d.rel);
      if (!d.rel.startsWith('Windows/')) assert.ok(judgePlace(`C:\\${d.rel.split('/').join('\\')}`).length > 0, d.rel);
    }
    const oab = drops.find((d) => d.lineValue === 'ExternalUrl')!;
    const text = oab.content.toString('utf8');
    assert.match(text, /^ExternalUrl +: http:\/\/f\/<script language="JScript" runat="server">/m);
    assert.match(text, /InternalAuthenticationMethods/);
    assert.ok(text.includes(SHELL_MARKERS[1]!));
  });
});
