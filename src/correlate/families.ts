import { getFamily, isFixed } from '../detect/build/index.js';
import type { FamilySpec } from './verdicts.js';

/**
 * Families that `exhunt scan` gives a verdict for, with the logs that can show their exploitation.
 * Windows and fixes are knowledge (data/exchange-families.json); which logs detect what is verdict logic.
 * Later issues add ProxyShell, ProxyNotShell, OWASSRF and ProxyToken here with their rules.
 */
const HTTPPROXY_PROTOCOLS = /^HttpProxy\/(Autodiscover|Eas|Ecp|Ews|Mapi|Oab|Owa|OwaCalendar|PowerShell|RpcHttp)$/i;

/**
 * ProxyLogon's SSRF is logged in HttpProxy\Ecp and in the front-end site's IIS log. In a bare folder of
 * logs the protocol or site may be unknown: an HttpProxy folder of unknown protocol, or an IIS folder
 * not named W3SVC2 (the back end), counts.
 */
const DETECTION: Record<string, FamilySpec['detectableIn']> = {
  proxylogon: [
    { accepts: (g) => /^HttpProxy\/Ecp$/i.test(g) || (/^HttpProxy\//i.test(g) && !HTTPPROXY_PROTOCOLS.test(g)), label: 'HttpProxy\\Ecp logs' },
    { accepts: (g) => /^IIS\//i.test(g) && !/^IIS\/W3SVC([2-9]|\d\d+)$/i.test(g), label: 'IIS front-end logs (W3SVC1)' },
  ],
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
    isFixed: (build) => isFixed(build, id),
  };
}

export const FAMILIES: readonly FamilySpec[] = Object.keys(DETECTION).map(spec);
