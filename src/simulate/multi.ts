import { DAY, HOUR, MINUTE } from './format.js';
import { Rng } from './prng.js';
import { newReq, type Req } from './request.js';
import { proxyShellActor, proxyShellProbe } from './proxyshell.js';
import { scenarioPlan, type ScenarioPlan } from './attack-kit.js';
import type { World } from './world.js';

/**
 * Several actors on one server in the ProxyShell wave (August 2021, when servers often held shells of more than
 * one group): actor A drops and uses a shell and dumps LSASS; actor B, a week later, drops its own shell; actor C
 * sends exploit requests that fail (a stale token: 500); and dozens of scanners only run the public check.
 * Expected: two compromised incidents, one attempted, the scanners apart.
 */
export function planMulti(input: { world: World; rng: Rng; exploitTime: number; periodStart: number; stopBefore: number }): ScenarioPlan {
  const { world, rng } = input;
  const host = world.host;
  const reqs: Req[] = [];
  const ipA = `203.0.113.${rng.range(20, 60)}`;
  const shellA = `198.51.100.${rng.range(100, 140)}`;
  const ipB = `203.0.113.${rng.range(150, 190)}`;
  const ipC = `198.51.100.${rng.range(200, 240)}`;
  const victimA = world.users[2] ?? world.users[0]!;
  const victimB = world.users[4] ?? world.users[0]!;
  const a = proxyShellActor({
    world, rng, start: input.exploitTime, exploitIp: ipA, shellIp: shellA, atDomain: 'xyz.com', victim: victimA,
    shellName: `${rng.alnum(7, 'abcdefghijklmnopqrstuvwxyz')}.aspx`, lsass: 'C:\\Windows\\Temp\\lsass.dmp',
  });
  const bStart = input.exploitTime + 6 * DAY + rng.int(12 * HOUR);
  const b = proxyShellActor({
    world, rng, start: bStart, exploitIp: ipB, shellIp: ipB, atDomain: 'evil.corp', victim: victimB,
    shellName: `${rng.alnum(5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}.aspx`,
  });
  reqs.push(...a.reqs, ...b.reqs);
  // Actor C: the chain with a token the back end refuses.
  let t = input.exploitTime + 2 * DAY + rng.int(12 * HOUR);
  for (let n = 0; n < 5; n++) {
    t += rng.range(5, 90) * 1000;
    reqs.push(newReq(rng, {
      t, proto: 'Autodiscover', host: host.publicHost, ip: ipC, ua: 'python-requests/2.25.1', stem: '/autodiscover/autodiscover.json',
      query: '?@abc.com/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&Email=autodiscover/autodiscover.json%3F@abc.com', method: 'POST',
      status: 500, beStatus: 500, dur: rng.range(30, 400), beStem: '/powershell', errorCode: 'InternalServerError',
      mark: { kind: 'ssrf-attempt', note: 'ProxyShell attempt refused by the back end (500)' },
    }));
  }
  // Scanners: the public check from many IPs, for days.
  const scannerIps: string[] = [];
  for (let k = 0; k < 30; k++) scannerIps.push(k < 15 ? `192.0.2.${10 + k * 3}` : `2001:db8:${(k * 97).toString(16)}::${(k * 13).toString(16)}`);
  for (const ip of scannerIps) {
    const n = rng.range(2, 12);
    let ts = input.periodStart + DAY + rng.int(Math.max(DAY, input.stopBefore - input.periodStart - 3 * DAY));
    for (let i = 0; i < n; i++) {
      ts += rng.range(1, 120) * MINUTE;
      if (ts < input.stopBefore) reqs.push(proxyShellProbe(rng, world, ip, ts));
    }
  }
  const stagesA = ['exploit', 'file-write', 'shell-access', 'credential-dump'];
  return scenarioPlan({
    reqs, files: [...a.files, ...b.files], rps: [...a.rps, ...b.rps], ews: [...a.ews, ...b.ews], exploitIp: ipA, shellIp: shellA, scannerIps,
    failedAttemptIps: [ipC], exploitTime: input.exploitTime, shellRel: a.shellRel, shellUrl: a.shellUrl, secret: a.secret,
    lsassRel: 'Windows/Temp/lsass.dmp', archiveRel: '', shellUa: a.shellUa,
    expect: {
      verdicts: { proxyshell: 'compromised' },
      incidents: [
        { status: 'compromised', ips: [ipA, shellA], shells: [a.shellUrl], mailboxes: [victimA.upn.toLowerCase()], accounts: [a.admin], allMailboxesReachable: true, stages: stagesA },
        { status: 'compromised', ips: [ipB], shells: [b.shellUrl], mailboxes: [victimB.upn.toLowerCase()], accounts: [b.admin], allMailboxesReachable: true, stages: ['exploit', 'file-write', 'shell-access'] },
        { status: 'attempted', ips: [ipC], shells: [], mailboxes: [], accounts: [], allMailboxesReachable: false, stages: ['exploit'] },
      ],
      scannerIps,
    },
  });
}
