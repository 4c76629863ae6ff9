import { getFamily, isFixed } from '../detect/build/index.js';
import type { FamilySpec } from './verdicts.js';

/**
 * Families that `exhunt scan` gives a verdict for, with the logs that can show their exploitation.
 * Windows and fixes are knowledge (data/exchange-families.json); which logs detect what is verdict logic,
 * matched to where the rules in rules/<family>/ look.
 */
const HTTPPROXY_PROTOCOLS = /^HttpProxy\/(Autodiscover|Eas|Ecp|Ews|Mapi|Oab|Owa|OwaCalendar|PowerShell|RpcHttp)$/i;

/** An HttpProxy folder of this protocol, or of an unknown one (a bare folder of logs). */
function httpProxy(protocol: string): FamilySpec['detectableIn'][number] {
  const re = new RegExp(`^HttpProxy/${protocol}$`, 'i');
  return { accepts: (g) => re.test(g) || (/^HttpProxy\//i.test(g) && !HTTPPROXY_PROTOCOLS.test(g)), label: `HttpProxy\\${protocol} logs` };
}

/**
 * The front-end site's IIS log: W3SVC1, or an IIS folder of unknown site; not W3SVC2, the back end, which
 * sees requests after the front end rewrote them. Every family's exploit request passes the front end.
 */
const IIS_FRONT_END: FamilySpec['detectableIn'][number] = {
  accepts: (g) => /^IIS\//i.test(g) && !/^IIS\/W3SVC([2-9]|\d\d+)$/i.test(g),
  label: 'IIS front-end logs (W3SVC1)',
};

/**
 * ProxyLogon's SSRF is logged in HttpProxy\Ecp; ProxyShell's and ProxyNotShell's autodiscover SSRF in
 * HttpProxy\Autodiscover; OWASSRF's in HttpProxy\Owa; ProxyToken's ECP requests in HttpProxy\Ecp. The
 * CVE-2020-0688 view state travels in the URL query, which only the IIS log keeps in full.
 */
const DETECTION: Record<string, FamilySpec['detectableIn']> = {
  proxylogon: [httpProxy('Ecp'), IIS_FRONT_END],
  proxyshell: [httpProxy('Autodiscover'), IIS_FRONT_END],
  proxynotshell: [httpProxy('Autodiscover'), IIS_FRONT_END],
  owassrf: [httpProxy('Owa'), IIS_FRONT_END],
  proxytoken: [httpProxy('Ecp'), IIS_FRONT_END],
  'ecp-viewstate': [IIS_FRONT_END],
};

/** What "no sign of success" means per family, for an `attempted` verdict's reason. */
const SUCCESS_SIGNS: Record<string, string> = {
  proxylogon: 'successful SSRF to ECP',
  proxyshell: 'SSRF answered 200 or mailbox export to a script',
  proxynotshell: 'autodiscover→PowerShell request answered 200',
  owassrf: 'OWA→PowerShell POST answered 200',
  proxytoken: 'inbox-rule creation answered 500',
  'ecp-viewstate': 'ECP deserialization error event',
};

function spec(id: string): FamilySpec {
  const f = getFamily(id);
  if (!f) throw new Error(`family ${id} missing from data/exchange-families.json`);
  return {
    id,
    name: f.name,
    cves: f.cves.map((c) => c.id),
    windowStart: `${f.exploitationWindow.start}T00:00:00.000Z`,
    windowSource: f.exploitationWindow.basis,
    detectableIn: DETECTION[id] ?? [],
    successHint: SUCCESS_SIGNS[id],
    isFixed: (build) => isFixed(build, id),
  };
}

export const FAMILIES: readonly FamilySpec[] = Object.keys(DETECTION).map(spec);
