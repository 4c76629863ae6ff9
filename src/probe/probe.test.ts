import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpRequest, ProbeHttpError } from './http.js';
import { probeTarget, probeTargets, judgeProxyShell, PROXYLOGON_COOKIE } from './probe.js';
import { parseTarget } from './targets.js';
import { exchangeHandler, PATCHED_2019_CU14, selfSignedCert, startServer, VULNERABLE_2016_CU19, type FakeServer } from './testServers.js';

// Every server here listens on 127.0.0.1 only; no test contacts any other address.
const servers: FakeServer[] = [];
const rawServers: net.Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const s of rawServers) s.close();
});
async function serve(...a: Parameters<typeof startServer>): Promise<FakeServer> {
  const s = await startServer(...a);
  servers.push(s);
  return s;
}
const t = (s: string) => parseTarget(s)[0]!;

test('vulnerable 2016 CU19 over TLS with a self-signed certificate: build, families, both checks', async () => {
  const s = await serve(exchangeHandler(VULNERABLE_2016_CU19), { tls: true });
  const r = await probeTarget(t(s.target), { checks: ['proxylogon', 'proxyshell'], timeoutMs: 5000 });
  assert.equal(r.reachable, true);
  assert.equal(r.exchange, true);
  assert.equal(r.build, '15.1.2176.2');
  assert.equal(r.buildSource, 'x-owa-version');
  assert.equal(r.buildPrecision, 'full');
  assert.equal(r.report?.cu, 'CU19');
  assert.equal(r.report?.families['proxylogon']?.status, 'vulnerable');
  assert.equal(r.report?.families['proxyshell']?.status, 'vulnerable');
  assert.equal(r.checks.proxylogon?.status, 'vulnerable');
  assert.equal(r.checks.proxyshell?.status, 'vulnerable');
  assert.equal(r.checks.proxyshell?.httpStatus, 302);
  assert.equal(r.vulnerable, true);
  assert.equal(r.tls?.verified, false);
  assert.match(r.tls?.error ?? '', /SELF_SIGNED/);
  assert.ok(r.notes.some((n) => /TLS certificate not verified/.test(n)));
  // The exact nmap cookie was sent to /owa/auth/x.js, and the autodiscover redirect was not followed.
  assert.ok(s.requests.some((q) => q.url === '/owa/auth/x.js' && q.cookie === PROXYLOGON_COOKIE));
  assert.equal(s.requests.filter((q) => q.url.startsWith('/owa/') && q.url !== '/owa/' && q.url !== '/owa/auth/x.js').length, 0, 'no hop when the header gave a full build');
  assert.equal(r.requests, 3);
});

test('patched 2019 CU14: fixed everywhere, checks not vulnerable', async () => {
  const s = await serve(exchangeHandler(PATCHED_2019_CU14), { tls: true });
  const r = await probeTarget(t(s.target), { checks: ['proxylogon', 'proxyshell'], timeoutMs: 5000 });
  assert.equal(r.build, '15.2.1544.14');
  assert.equal(r.report?.cu, 'CU14');
  for (const f of ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf']) assert.equal(r.report?.families[f]?.status, 'fixed', f);
  assert.equal(r.checks.proxylogon?.status, 'not-vulnerable');
  assert.equal(r.checks.proxyshell?.status, 'not-vulnerable');
  assert.equal(r.vulnerable, false);
});

test('--strict-tls refuses the self-signed certificate', async () => {
  const s = await serve(exchangeHandler(PATCHED_2019_CU14), { tls: true });
  const r = await probeTarget(t(s.target), { strictTls: true, timeoutMs: 5000 });
  assert.equal(r.reachable, false);
  assert.match(r.error ?? '', /tls: .*self-signed/);
  assert.equal(r.requests, 1, 'a TLS refusal is not retried and stops the probe');
});

test('--strict-tls with the certificate trusted verifies (the generated certificate is valid for 127.0.0.1)', async () => {
  const cert = selfSignedCert();
  const s = await serve(exchangeHandler(PATCHED_2019_CU14), { tls: true, cert });
  const r = await probeTarget(t(s.target), { strictTls: true, ca: cert.cert, timeoutMs: 5000 });
  assert.equal(r.reachable, true);
  assert.deepEqual(r.tls, { verified: true });
  assert.equal(r.build, '15.2.1544.14');
  assert.ok(!r.notes.some((n) => /TLS/.test(n)));
});

test('no header: manifest gives the full build; only the OWA path gives a CU-level build (SU unknown)', async () => {
  const m = await serve(exchangeHandler({ ...VULNERABLE_2016_CU19, owaVersion: undefined }));
  const rm = await probeTarget(t(m.target), { timeoutMs: 5000 });
  assert.equal(rm.build, '15.1.2176.2');
  assert.equal(rm.buildSource, 'exporttool-manifest');
  assert.ok(m.requests.some((q) => q.url.startsWith('/owa/auth/logon.aspx')), 'one same-host hop to the logon page');
  const p = await serve(exchangeHandler({ ...VULNERABLE_2016_CU19, owaVersion: undefined, manifest: undefined }));
  const rp = await probeTarget(t(p.target), { timeoutMs: 5000 });
  assert.equal(rp.build, '15.1.2176');
  assert.equal(rp.buildSource, 'owa-path');
  assert.equal(rp.buildPrecision, 'cu');
  assert.equal(rp.report?.families['proxylogon']?.status, 'unknown');
  assert.equal(rp.report?.families['proxynotshell']?.status, 'vulnerable', 'CU19 never got the ProxyNotShell SU');
  assert.ok(rp.notes.some((n) => /SU level is unknown/.test(n)));
  const c = await serve(exchangeHandler({ ...PATCHED_2019_CU14, owaVersion: undefined, manifest: undefined }));
  const rc = await probeTarget(t(c.target), { timeoutMs: 5000 });
  assert.equal(rc.build, '15.2.1544');
  assert.equal(rc.report?.families['proxylogon']?.status, 'fixed', 'the CU itself includes the fix');
});

test('non-Exchange server: reachable, no build, not vulnerable', async () => {
  const s = await serve((_req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nginx'));
  const r = await probeTarget(t(s.target), { checks: ['proxylogon', 'proxyshell'], timeoutMs: 5000 });
  assert.equal(r.reachable, true);
  assert.equal(r.exchange, false);
  assert.equal(r.build, null);
  assert.equal(r.report, null);
  assert.equal(r.checks.proxylogon?.status, 'not-vulnerable');
  assert.equal(r.checks.proxyshell?.status, 'unknown');
  assert.equal(r.vulnerable, false);
  assert.ok(r.notes.some((n) => /no Exchange build found/.test(n)));
});

test('malformed answers: garbage header, off-host redirect not followed', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/owa/') res.writeHead(302, { 'X-OWA-Version': '15.1.<script>', Location: 'https://evil.example.test/owa/auth/logon.aspx' }).end();
    else res.writeHead(404).end();
  });
  const r = await probeTarget(t(s.target), { timeoutMs: 5000 });
  assert.equal(r.build, null);
  assert.equal(r.exchange, true);
  assert.equal(s.requests.length, 2, '/owa/ and the manifest only');
});

test('a server that never answers times out, is retried once, then given up', async () => {
  const sockets: net.Socket[] = [];
  const hang = net.createServer((sock) => void sockets.push(sock.on('error', () => {}))); // accepts and says nothing
  rawServers.push(hang);
  hang.on('close', () => sockets.forEach((x) => x.destroy()));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const port = (hang.address() as AddressInfo).port;
  const t0 = Date.now();
  const r = await probeTarget(t(`http://127.0.0.1:${port}`), { timeoutMs: 200, retries: 1 });
  const ms = Date.now() - t0;
  assert.equal(r.reachable, false);
  assert.match(r.error ?? '', /timeout: /);
  assert.equal(sockets.length, 2, 'one attempt plus one retry');
  assert.ok(ms >= 380 && ms < 3000, `took ${ms} ms`);
  sockets.forEach((x) => x.destroy());
});

test('connection refused is reported without retry', async () => {
  const s = await serve((_q, res) => res.end());
  const port = s.port;
  await s.close();
  const r = await probeTarget(t(`http://127.0.0.1:${port}`), { timeoutMs: 2000 });
  assert.equal(r.reachable, false);
  assert.match(r.error ?? '', /network: .*ECONNREFUSED/);
});

test('oversized bodies are capped and never read to the end', async () => {
  const s = await serve((_req, res) => {
    let written = 0;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (written = Infinity));
    pump();
  });
  const res = await httpRequest(t(s.target), '/owa/', { bodyCap: 100_000, timeoutMs: 5000 });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 100_000);
  assert.equal(res.truncated, true);
  const r = await probeTarget(t(s.target), { bodyCap: 50_000, timeoutMs: 5000 });
  assert.ok(r.notes.some((n) => /body longer than 50000 bytes/.test(n)));
});

test('huge response headers fail cleanly as a protocol error', async () => {
  const srv = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`));
  });
  rawServers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await assert.rejects(httpRequest(t(`http://127.0.0.1:${port}`), '/owa/', { timeoutMs: 3000 }), (e: unknown) => e instanceof ProbeHttpError && e.kind === 'protocol');
  const bad = net.createServer((sock) => sock.on('error', () => {}).once('data', () => sock.end('NOT HTTP AT ALL\r\n\r\n')));
  rawServers.push(bad);
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  const r = await probeTarget(t(`http://127.0.0.1:${(bad.address() as AddressInfo).port}`), { timeoutMs: 3000 });
  assert.equal(r.reachable, false);
  assert.match(r.error ?? '', /protocol/);
});

test('ProxyShell verdicts follow the status code', () => {
  const mk = (status: number) => ({ status, headers: {}, body: '', truncated: false });
  assert.equal(judgeProxyShell(mk(302)).status, 'vulnerable');
  assert.equal(judgeProxyShell(mk(400)).status, 'not-vulnerable');
  assert.equal(judgeProxyShell(mk(200)).status, 'unknown');
  assert.equal(judgeProxyShell(undefined).status, 'unknown');
});

test('many targets: bounded concurrency, progress, input order kept', async () => {
  let inFlight = 0;
  let peak = 0;
  const s = await serve((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      exchangeHandler(PATCHED_2019_CU14)(req, res);
    }, 20);
  });
  // The same loopback server twenty times (probeTargets does not de-duplicate; collectTargets does).
  const targets = Array.from({ length: 20 }, () => t(`http://127.0.0.1:${s.port}`));
  const seen: number[] = [];
  const rs = await probeTargets(targets, { concurrency: 4, timeoutMs: 5000, onProgress: (p) => seen.push(p.done) });
  assert.equal(rs.length, 20);
  assert.ok(rs.every((r, i) => r.target === targets[i]!.label));
  assert.ok(rs.every((r) => r.build === '15.2.1544.14'));
  assert.ok(peak <= 4, `peak ${peak}`);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
});
