import { getFamily, isFixed } from '../detect/build/index.js';
import type { FamilySpec } from './verdicts.js';

/**
 * Families that `exhunt scan` gives a verdict for, with the logs that can show their exploitation.
 * Windows and fixes are knowledge (data/exchange-families.json); which logs detect what is verdict logic.
 * Later issues add ProxyShell, ProxyNotShell, OWASSRF and ProxyToken here with their rules.
 */
const DETECTION: Record<string, FamilySpec['detectableIn']> = {
  proxylogon: [
    { group: /^HttpProxy\/Ecp$/i, label: 'HttpProxy\\Ecp logs' },
    { group: /^IIS\/W3SVC1$/i, label: 'IIS front-end logs (W3SVC1)' },
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
