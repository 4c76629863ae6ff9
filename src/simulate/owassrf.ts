import { HOUR } from './format.js';
import { Rng } from './prng.js';
import { newReq, type Req } from './request.js';
import { ewsLine, rpsLine, scenarioPlan, type ExtraLine, type ScenarioPlan } from './attack-kit.js';
import type { World } from './world.js';

/**
 * OWASSRF (CVE-2022-41080 + CVE-2022-41082, since at least November 2022, Play ransomware, as CrowdStrike and
 * Rapid7 described it): with a stolen account, `POST /owa/<any mailbox>/powershell` (e.g. `mastermailbox%40outlook.com`)
 * reaches Remote PowerShell through OWA's front end, bypassing the autodiscover mitigation; the session's cmdlets
 * show in the Remote PowerShell cmdlet log as that account, and the deserialization runs code as SYSTEM. The same
 * account then reads mail through EWS.
 */
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0.0.0 Safari/537.36';

export function planOwassrf(input: { world: World; rng: Rng; exploitTime: number; periodStart: number }): ScenarioPlan {
  const { world, rng } = input;
  const host = world.host;
  const exploitIp = `198.51.100.${rng.range(60, 99)}`;
  const victim = world.users[7] ?? world.users[0]!;
  const account = `${host.netbios}\\${victim.sam}`;
  const reqs: Req[] = [];
  const rps: ExtraLine[] = [];
  const ews: ExtraLine[] = [];
  let t = input.exploitTime;
  for (let n = 0; n < 6; n++) {
    t += rng.range(3, 60) * 1000;
    reqs.push(newReq(rng, {
      t, proto: 'Owa', host: host.publicHost, ip: exploitIp, ua: UA, stem: '/owa/mastermailbox%40outlook.com/powershell', method: 'POST',
      status: 200, beStatus: 200, authType: 'Basic', isAuth: true, user: account, iisUser: account, anchor: `SMTP:mastermailbox@outlook.com`,
      dur: rng.range(200, 5000), reqBytes: rng.range(2000, 12000), respBytes: rng.range(300, 4000), beStem: '/powershell', routingType: 'Local',
      mark: { kind: 'ssrf', note: `OWASSRF: /owa/<mailbox>/powershell as ${account}` },
    }));
    rps.push(rpsLine(rng, {
      t: t - rng.range(50, 150), user: victim.upn, sid: victim.sid, cmdlet: n < 3 ? 'Get-Mailbox' : 'Get-ExchangeServer',
      parameters: n < 3 ? `-Identity "${victim.upn}"` : '', app: 'Unknown',
      mark: { kind: 'rps-cmdlet', note: 'Remote PowerShell session of the stolen account through OWA', value: victim.upn, ip: exploitIp },
    }));
  }
  // The stolen account reads its mailbox through EWS from the attacker's IP.
  t += HOUR;
  for (const action of ['FindFolder', 'FindItem', 'GetItem', 'GetItem']) {
    t += rng.range(2, 30) * 1000;
    reqs.push(newReq(rng, {
      t, proto: 'Ews', host: host.publicHost, ip: exploitIp, ua: 'python-requests/2.28.1', stem: '/EWS/Exchange.asmx', method: 'POST', status: 200,
      beStatus: 200, authType: 'Basic', isAuth: true, user: account, iisUser: account, dur: rng.range(50, 900), respBytes: rng.range(2000, 60000),
    }));
    ews.push(ewsLine(rng, {
      t: t - 20, user: victim.upn, ua: 'python-requests/2.28.1', ip: exploitIp, action,
      mark: { kind: 'ews-access', note: `${action} by the stolen account from the attacker`, value: victim.upn, ip: exploitIp },
    }));
  }
  return scenarioPlan({
    reqs, files: [], rps, ews, exploitIp, shellIp: exploitIp, scannerIps: [], failedAttemptIps: [], exploitTime: input.exploitTime, shellRel: '',
    shellUrl: '', secret: '', lsassRel: '', archiveRel: '', shellUa: UA,
    expect: {
      verdicts: { owassrf: 'compromised' },
      incidents: [{
        status: 'compromised', ips: [exploitIp], shells: [], mailboxes: [victim.upn.toLowerCase()], accounts: [account], allMailboxesReachable: true,
        stages: ['exploit', 'mailbox-access'],
      }],
      scannerIps: [],
    },
  });
}
