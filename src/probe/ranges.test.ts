import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { probeTargets } from './probe.js';
import { collectTargets, expandCidr, expandCidr6, formatIpv6, ipv6Groups, parseTarget, TargetError } from './targets.js';
import { exchangeHandler, startServer, VULNERABLE_2016_CU19, type FakeServer } from './testServers.js';

// Servers listen on ::1 or 127.0.0.1 only; ranges stay inside ::1 and 127.0.0.0/8.
const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('IPv6 address text: groups and RFC 5952 form', () => {
  assert.deepEqual(ipv6Groups('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipv6Groups('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  assert.equal(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
  assert.equal(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6([1, 0, 2, 3, 4, 5, 6, 7]), '1:0:2:3:4:5:6:7');
});

test('IPv6 ranges: bounded expansion, port syntax, clear error above the cap', () => {
  assert.deepEqual(expandCidr6('::1/128'), ['::1']);
  assert.deepEqual(expandCidr('::/126'), ['::', '::1', '::2', '::3']);
  assert.equal(expandCidr6('::1/112').length, 65536);
  assert.deepEqual(parseTarget('[::1/128]:8443').map((t) => t.label), ['[::1]:8443']);
  assert.deepEqual(parseTarget('::1/127').map((t) => t.label), ['[::]:443', '[::1]:443']);
  assert.throws(() => expandCidr6('::1/64'), (e: unknown) => e instanceof TargetError && /too large: 2\^64 addresses, more than the limit of 65536 \(a \/112\)/.test(e.message));
  assert.throws(() => expandCidr6('::1/0'), /too large/);
  assert.throws(() => expandCidr6('::1/200'), /0-128/);
  assert.throws(() => parseTarget('::g/120'), TargetError);
  assert.throws(() => expandCidr6('::1/120', { maxRangeSize: 16 }), /limit of 16/);
  assert.throws(() => collectTargets(['::/120'], [], { maxTargets: 100 }), /more than 100 targets/);
});

test('probe over IPv6 loopback: [::1]:port and a ::1/128 range', async () => {
  const s = await startServer(exchangeHandler(VULNERABLE_2016_CU19), { tls: true, host: '::1' });
  servers.push(s);
  assert.equal(s.target, `[::1]:${s.port}`);
  const targets = collectTargets([s.target, `[::1/128]:${s.port}`]);
  assert.equal(targets.length, 1, 'the range names the same host and port: deduplicated');
  const [r] = await probeTargets(targets, { timeoutMs: 5000, checks: ['proxylogon'] });
  assert.equal(r!.host, '::1');
  assert.equal(r!.build, '15.1.2176.2');
  assert.equal(r!.checks.proxylogon?.status, 'vulnerable');
});

test('probe a 127.0.0.0/30 range: the live address answers, the other is counted unreachable', async () => {
  const s = await startServer(exchangeHandler(VULNERABLE_2016_CU19), { tls: true });
  servers.push(s);
  const targets = parseTarget(`127.0.0.0/30:${s.port}`);
  assert.deepEqual(targets.map((t) => t.host), ['127.0.0.1', '127.0.0.2']);
  const rs = await probeTargets(targets, { timeoutMs: 3000, retries: 0 });
  assert.equal(rs[0]!.build, '15.1.2176.2');
  assert.equal(rs[1]!.reachable, false);
  assert.ok(rs[1]!.error);
});
