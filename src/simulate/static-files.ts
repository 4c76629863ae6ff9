import { Rng } from './prng.js';
import type { World } from './world.js';
import { exchangeWebPopulation } from './webshell-drops.js';

/** A non-log file of the simulated tree. */
export interface StaticFile {
  /** Path relative to the tree root, `/`-separated. */
  rel: string;
  content: Buffer | string;
  mtime: number;
  /** Listed in the truth as a known false-positive source. */
  trap?: { note: string };
}

export interface StaticInput {
  world: World;
  rng: Rng;
  /** When CU19 was installed (before the period). */
  cuInstalled: number;
  /** When the March 2021 SU was installed, if within the period. */
  suInstalled?: number;
  periodEnd: number;
}

export const V15 = 'Program Files/Microsoft/Exchange Server/V15';
const CRLF = '\r\n';

function crlf(lines: string[]): string {
  return lines.join(CRLF) + CRLF;
}

/** The non-log files of a clean Exchange 2016 server (web folders, IIS config, ProgramData, Windows\Temp). */
export function staticFiles(input: StaticInput): { files: StaticFile[]; emptyDirs: string[] } {
  const { world, rng, cuInstalled, suInstalled, periodEnd } = input;
  const h = world.host;
  const files: StaticFile[] = [];
  const osInstalled = cuInstalled - 400 * 86_400_000;
  const add = (rel: string, content: Buffer | string, mtime: number, trap?: { note: string }): void => {
    files.push({ rel, content, mtime, ...(trap ? { trap } : {}) });
  };

  add('Windows/System32/inetsrv/config/applicationHost.config', applicationHost(world), suInstalled ?? cuInstalled + 3_600_000);
  add('inetpub/wwwroot/iisstart.htm', iisStart(), osInstalled);
  add('inetpub/wwwroot/iisstart.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), rng.bytes(1200)]), osInstalled);
  add('inetpub/wwwroot/web.config', crlf([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<configuration>',
    '    <system.webServer>',
    `        <httpRedirect enabled="true" destination="https://${h.publicHost}/owa" httpResponseStatus="Found" />`,
    '    </system.webServer>',
    '</configuration>',
  ]), cuInstalled - 200 * 86_400_000);

  const auth = `${V15}/FrontEnd/HttpProxy/owa/auth`;
  add(`${auth}/logon.aspx`, aspxPage('Microsoft.Exchange.HttpProxy.Logon', 'Outlook', 'logonForm'), cuInstalled);
  add(`${auth}/errorFE.aspx`, aspxPage('Microsoft.Exchange.HttpProxy.ErrorFE', 'Error', 'errorMain'), cuInstalled);
  add(`${auth}/expiredpassword.aspx`, aspxPage('Microsoft.Exchange.HttpProxy.ExpiredPassword', 'Change password', 'expForm'), cuInstalled);
  add(`${auth}/logoff.aspx`, aspxPage('Microsoft.Exchange.HttpProxy.Logoff', 'Sign out', 'logoffMain'), cuInstalled);
  const versions: [string, number][] = [['15.1.2176.2', cuInstalled]];
  if (suInstalled !== undefined) versions.push(['15.1.2176.9', suInstalled]);
  for (const [v, t] of versions) {
    add(`${auth}/${v}/themes/resources/favicon.ico`, Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]), rng.bytes(310)]), t);
    add(`${auth}/${v}/themes/resources/logon.css`, crlf([
      '/* Outlook on the web: sign-in page */',
      '.signInBg { background-color: #0072c6; }',
      '.signInInputText { font-size: 14px; width: 284px; }',
      '.signInEnter { cursor: pointer; }',
    ]), t);
    add(`${auth}/${v}/scripts/premium/flogon.js`, crlf([
      'function clkLgn(){var f=document.forms[0];if(f.username.value.length==0){return false;}f.submit();return true;}',
      'function setCookie(n,v){document.cookie=n+"="+v+"; path=/";}',
      'function checkCookies(){setCookie("PBack","0");}',
    ]), t);
  }
  add(`${V15}/FrontEnd/HttpProxy/owa/web.config`, webConfig('owa'), suInstalled ?? cuInstalled);
  add(`${V15}/FrontEnd/HttpProxy/ecp/web.config`, webConfig('ecp'), suInstalled ?? cuInstalled);
  add(`${V15}/FrontEnd/HttpProxy/OAB/web.config`, webConfig('OAB'), cuInstalled);

  const oabDir = `${V15}/ClientAccess/OAB/${h.oabGuid}`;
  const oabTime = periodEnd - rng.range(1, 7) * 3_600_000 - rng.int(3_600_000);
  const dataFiles: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const name = `${rng.guid()}-data-${i}.lzx`;
    dataFiles.push(name);
    add(`${oabDir}/${name}`, rng.bytes(rng.range(2000, 6000)), oabTime);
  }
  add(`${oabDir}/oab.xml`, crlf([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<OAB>',
    `  <OAL id="/" dn="/" name="\\Default Global Address List">`,
    ...dataFiles.map((f, i) => `    <Full seq="${rng.range(80, 400)}" ver="32" size="${rng.range(2000, 6000)}" uncompressedsize="${rng.range(9000, 30000)}" SHA="${rng.hex(40)}">${f}</Full>`.replace(/^/, i === 0 ? '' : '')),
    '  </OAL>',
    '</OAB>',
  ]), oabTime);

  // A backup agent keeps its configuration as a zip in ProgramData: a known false-positive source.
  add('ProgramData/Northwind Backup/Agent/config.zip', zipOne('agent.xml', crlf([
    '<?xml version="1.0"?>',
    `<agent server="${h.fqdn}" vault="bk01.${h.domain}" schedule="daily 01:30" retention="14" />`,
  ])), periodEnd - rng.range(2, 20) * 86_400_000 - rng.int(86_400_000) - rng.range(3600, 80_000) * 1000, { note: 'backup agent configuration archive in ProgramData (benign)' });
  add('ProgramData/Microsoft/Windows Defender/Support/MPLog-20201101-101010.log', crlf([
    `${new Date(periodEnd - 5 * 86_400_000).toISOString()} ProductName: Microsoft Defender Antivirus`,
    `${new Date(periodEnd - 5 * 86_400_000).toISOString()} Engine version: 1.1.17800.5`,
  ]), periodEnd - 5 * 86_400_000 + rng.int(86_400_000));

  add('Windows/Temp/MpCmdRun.log', crlf([
    '-------------------------------------------------------------------------------------',
    'MpCmdRun: Command Line: "C:\\Program Files\\Windows Defender\\MpCmdRun.exe" SignatureUpdate -MMPC',
    'Start Time: \u200eMon \u200eMar \u200e01 \u200e2021 06:02:11',
    'MpCmdRun: End Time: \u200eMon \u200eMar \u200e01 \u200e2021 06:02:40',
  ]), periodEnd - rng.range(1, 3) * 86_400_000 - rng.int(86_400_000));
  for (let i = 0; i < 3; i++) {
    add(`Windows/Temp/tmp${rng.hex(4).toUpperCase()}.tmp`, rng.bytes(rng.range(100, 900)), periodEnd - rng.range(1, 40) * 86_400_000 - rng.int(86_400_000));
  }
  add('ExchangeSetupLogs/ExchangeSetup.log', crlf([
    `[${new Date(cuInstalled - 3_600_000).toISOString()}] [0] Starting Microsoft Exchange Server 2016 Setup`,
    `[${new Date(cuInstalled - 3_500_000).toISOString()}] [0] Setup version: 15.1.2176.2.`,
    `[${new Date(cuInstalled).toISOString()}] [0] The Microsoft Exchange Server setup operation completed successfully.`,
  ]), cuInstalled);
  // Every shipped-looking web file of a real server (src/simulate/webshell-drops.ts): false positives show.
  files.push(...exchangeWebPopulation({ world, rng, cuInstalled, ...(suInstalled !== undefined ? { suInstalled } : {}) }));

  return {
    files,
    emptyDirs: [
      'inetpub/wwwroot/aspnet_client/system_web/4_0_30319',
      `${V15}/FrontEnd/HttpProxy/ecp/auth`,
      'Windows/System32/LogFiles/HTTPERR',
    ],
  };
}

function aspxPage(inherits: string, title: string, id: string): string {
  return crlf([
    `<%@ Page language="c#" AutoEventWireup="false" Inherits="${inherits}" %>`,
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">',
    '<html>',
    `<head><meta http-equiv="X-UA-Compatible" content="IE=10" /><title>${title}</title></head>`,
    `<body><div id="${id}"><%= Strings.GetLocalizedString(Strings.IDs.LogonTitle) %></div></body>`,
    '</html>',
  ]);
}

function iisStart(): string {
  return crlf([
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" /><title>IIS Windows Server</title></head>',
    '<body><div id="container"><a href="http://go.microsoft.com/fwlink/?linkid=66138&amp;clcid=0x409"><img src="iisstart.png" alt="IIS" width="960" height="600" /></a></div></body>',
    '</html>',
  ]);
}

function webConfig(app: string): string {
  return crlf([
    '<?xml version="1.0" encoding="utf-8"?>',
    '<configuration>',
    '  <system.web>',
    '    <compilation defaultLanguage="c#" debug="false" />',
    '    <httpRuntime maxRequestLength="35000" />',
    '  </system.web>',
    '  <appSettings>',
    `    <add key="ApplicationName" value="${app}" />`,
    '  </appSettings>',
    '</configuration>',
  ]);
}

function applicationHost(world: World): string {
  const h = world.host;
  const fe = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy';
  const be = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess';
  const feApps: [string, string, string][] = [
    ['/owa', `${fe}\\owa`, 'MSExchangeOWAAppPool'],
    ['/ecp', `${fe}\\ecp`, 'MSExchangeECPAppPool'],
    ['/EWS', `${fe}\\EWS`, 'MSExchangeServicesAppPool'],
    ['/Autodiscover', `${fe}\\autodiscover`, 'MSExchangeAutodiscoverAppPool'],
    ['/Microsoft-Server-ActiveSync', `${fe}\\sync`, 'MSExchangeSyncAppPool'],
    ['/OAB', `${fe}\\OAB`, 'MSExchangeOABAppPool'],
    ['/mapi', `${fe}\\mapi`, 'MSExchangeMapiFrontEndAppPool'],
    ['/PowerShell', `${fe}\\PowerShell`, 'MSExchangePowerShellFrontEndAppPool'],
    ['/Rpc', `${fe}\\rpc`, 'MSExchangeRpcProxyFrontEndAppPool'],
  ];
  const beApps: [string, string, string][] = [
    ['/owa', `${be}\\Owa`, 'MSExchangeOWAAppPool'],
    ['/ecp', `${be}\\ecp`, 'MSExchangeECPAppPool'],
    ['/EWS', `${be}\\exchweb\\EWS`, 'MSExchangeServicesAppPool'],
    ['/Autodiscover', `${be}\\Autodiscover`, 'MSExchangeAutodiscoverAppPool'],
    ['/Microsoft-Server-ActiveSync', `${be}\\sync`, 'MSExchangeSyncAppPool'],
    ['/OAB', `${be}\\OAB`, 'MSExchangeOABAppPool'],
    ['/mapi/emsmdb', `${be}\\mapi\\emsmdb`, 'MSExchangeMapiMailboxAppPool'],
    ['/PowerShell', `${be}\\PowerShell-Proxy`, 'MSExchangePowerShellAppPool'],
    ['/Rpc', 'C:\\Windows\\System32\\RpcProxy', 'MSExchangeRpcProxyAppPool'],
  ];
  const pools = [...new Set([...feApps, ...beApps].map((a) => a[2]))];
  const app = ([path, phys, pool]: [string, string, string]): string[] => [
    `                <application path="${path}" applicationPool="${pool}">`,
    `                    <virtualDirectory path="/" physicalPath="${phys}" />`,
    '                </application>',
  ];
  return crlf([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<configuration>',
    '    <system.applicationHost>',
    '        <applicationPools>',
    '            <add name="DefaultAppPool" />',
    ...pools.map((p) => `            <add name="${p}" autoStart="true" managedRuntimeVersion="v4.0" managedPipelineMode="Integrated"><processModel identityType="LocalSystem" /></add>`),
    '            <applicationPoolDefaults managedRuntimeVersion="v4.0"><processModel identityType="ApplicationPoolIdentity" /></applicationPoolDefaults>',
    '        </applicationPools>',
    '        <sites>',
    '            <site name="Default Web Site" id="1" serverAutoStart="true">',
    '                <application path="/" applicationPool="DefaultAppPool">',
    '                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />',
    '                    <virtualDirectory path="/aspnet_client" physicalPath="C:\\inetpub\\wwwroot\\aspnet_client" />',
    '                </application>',
    ...feApps.flatMap(app),
    '                <bindings>',
    '                    <binding protocol="http" bindingInformation="*:80:" />',
    '                    <binding protocol="https" bindingInformation="*:443:" />',
    '                </bindings>',
    '            </site>',
    '            <site name="Exchange Back End" id="2" serverAutoStart="true">',
    '                <application path="/" applicationPool="DefaultAppPool">',
    '                    <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess" />',
    '                </application>',
    ...beApps.flatMap(app),
    '                <bindings>',
    '                    <binding protocol="http" bindingInformation="*:81:" />',
    `                    <binding protocol="https" bindingInformation="*:444:" />`,
    '                </bindings>',
    '            </site>',
    '            <siteDefaults>',
    '                <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />',
    '                <traceFailedRequestsLogging directory="%SystemDrive%\\inetpub\\logs\\FailedReqLogFiles" />',
    '            </siteDefaults>',
    '            <applicationDefaults applicationPool="DefaultAppPool" />',
    '            <virtualDirectoryDefaults allowSubDirConfig="true" />',
    '        </sites>',
    '        <webLimits />',
    '    </system.applicationHost>',
    '    <system.webServer>',
    '        <httpLogging dontLog="false" />',
    '        <globalModules>',
    '            <add name="HttpLoggingModule" image="%windir%\\System32\\inetsrv\\loghttp.dll" />',
    '            <add name="StaticFileModule" image="%windir%\\System32\\inetsrv\\static.dll" />',
    '            <add name="ManagedEngineV4.0_64bit" image="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll" />',
    `            <add name="Microsoft.Exchange.HttpRedirectModules" image="${fe.replace('\\HttpProxy', '')}\\bin\\Microsoft.Exchange.HttpRedirectModules.dll" />`,
    '        </globalModules>',
    '    </system.webServer>',
    `    <!-- ${h.fqdn} -->`,
    '</configuration>',
  ]);
}

// --- a minimal ZIP writer (one stored entry), so the benign archive is a valid file ---

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function zipOne(name: string, text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const fname = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(0, 8);
  local.writeUInt16LE(0x6000, 10);
  local.writeUInt16LE(0x5261, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(0x6000, 12);
  central.writeUInt16LE(0x5261, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  central.writeUInt32LE(0, 38);
  central.writeUInt32LE(0, 42);
  const localSize = local.length + fname.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fname.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fname, data, central, fname, end]);
}
