/**
 * `npm run bench:probe` (`node dist/bench/probe.js [--targets N] [--concurrency C]`): `probeTargets` against 1,000
 * fake servers on 127.0.0.1 (one port each; never any other address), a mix of patched and unpatched Exchange over
 * TLS, non-Exchange HTTP servers, slow servers (answer after 200 ms) and hanging ones (never answer: the timeout
 * ends them). Prints the total time, targets per second and that every target got the expected answer. Servers and
 * client share this one process (and its CPU).
 */
import type { ServerResponse } from 'node:http';
import { probeTargets } from '../src/probe/probe.js';
import { collectTargets } from '../src/probe/targets.js';
import { exchangeHandler, PATCHED_2019_CU14, selfSignedCert, startServer, VULNERABLE_2016_CU19, type FakeServer, type Handler } from '../src/probe/testServers.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
}

type Kind = 'patched' | 'unpatched' | 'non-exchange' | 'slow' | 'hanging';

const nonExchange: Handler = (_req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/html', Server: 'nginx' }).end('<html>not here</html>');
};
const slow = (inner: Handler): Handler => (req, res) => {
  setTimeout(() => inner(req, res), 200);
};
const hanging: Handler = (_req, _res: ServerResponse) => {
  // Never answers: the client's deadline must end it.
};

async function main(): Promise<void> {
  const total = arg('--targets', 1000);
  const concurrency = arg('--concurrency', 64);
  const timeoutMs = 1500;
  // Out of every 20 targets: 8 patched, 6 unpatched, 4 non-Exchange, 1 slow, 1 hanging.
  const plan: Kind[] = ['patched', 'patched', 'patched', 'patched', 'patched', 'patched', 'patched', 'patched', 'unpatched', 'unpatched', 'unpatched', 'unpatched', 'unpatched', 'unpatched', 'non-exchange', 'non-exchange', 'non-exchange', 'non-exchange', 'slow', 'hanging'];
  const cert = selfSignedCert();
  const servers: Array<{ s: FakeServer; kind: Kind }> = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const kind = plan[i % plan.length]!;
    const h: Handler =
      kind === 'patched' ? exchangeHandler(PATCHED_2019_CU14) : kind === 'unpatched' ? exchangeHandler(VULNERABLE_2016_CU19) : kind === 'non-exchange' ? nonExchange : kind === 'slow' ? slow(exchangeHandler(PATCHED_2019_CU14)) : hanging;
    servers.push({ s: await startServer(h, { tls: kind !== 'non-exchange', cert }), kind });
  }
  const startMs = performance.now() - t0;
  const targets = collectTargets(servers.map((x) => x.s.target));
  const t1 = performance.now();
  const results = await probeTargets(targets, { concurrency, timeoutMs, retries: 0, checks: ['proxylogon', 'proxyshell'] });
  const ms = performance.now() - t1;
  let wrong = 0;
  const counts: Record<string, number> = {};
  results.forEach((r, i) => {
    const kind = servers[i]!.kind;
    counts[kind] = (counts[kind] ?? 0) + 1;
    const ok =
      kind === 'patched' || kind === 'slow'
        ? r.build === '15.2.1544.14' && !r.vulnerable
        : kind === 'unpatched'
          ? r.build === '15.1.2176.2' && r.vulnerable && r.checks.proxylogon?.status === 'vulnerable'
          : kind === 'non-exchange'
            ? r.reachable && r.build === null && !r.exchange
            : !r.reachable && /timeout/.test(r.error ?? '');
    if (!ok) wrong++;
  });
  const requests = results.reduce((n, r) => n + r.requests, 0);
  console.log(`probe bench: ${targets.length} loopback targets (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')})`);
  console.log(`  servers started in ${(startMs / 1000).toFixed(1)} s; concurrency ${concurrency}, timeout ${timeoutMs} ms, no retries, checks proxylogon+proxyshell`);
  console.log(`  total ${(ms / 1000).toFixed(2)} s · ${(targets.length / (ms / 1000)).toFixed(0)} targets/s · ${requests} requests (${(requests / (ms / 1000)).toFixed(0)}/s)`);
  console.log(`  answers as expected: ${targets.length - wrong}/${targets.length}${wrong ? ' — MISMATCHES' : ''}`);
  await Promise.all(servers.map((x) => x.s.close()));
  if (wrong) process.exitCode = 1;
}

await main();
