import { loadBuildKnowledge, type BuildKnowledge } from './knowledge.js';
import { familyStatus, type FamilyStatus } from './familyStatus.js';
import { lookupBuild, type BuildInfo, type LookupOptions } from './lookupBuild.js';
import type { FamilyId } from './types.js';

/** Families every build report carries (the JSON contract of `exhunt build` and `exhunt probe`). */
export const REPORTED_FAMILIES: readonly FamilyId[] = ['proxylogon', 'proxyshell', 'proxynotshell', 'owassrf', 'proxytoken'];

/** A build, what the table says about it, and its status per family: the object `exhunt build --json` prints. */
export interface BuildReport extends BuildInfo {
  families: Record<string, Omit<FamilyStatus, 'family'> & { name: string; cves: string[] }>;
}

/** Lookup plus every family's status for one version. Throws BuildVersionError for an unparseable version. */
export function buildReport(version: string, options: LookupOptions & { families?: readonly string[] } = {}): BuildReport {
  const k: BuildKnowledge = options.knowledge ?? loadBuildKnowledge();
  const info = lookupBuild(version, { ...options, knowledge: k });
  const ids = options.families ?? REPORTED_FAMILIES.filter((id) => k.familyById.has(id));
  const families: BuildReport['families'] = {};
  for (const id of ids) {
    const f = k.familyById.get(id as FamilyId);
    if (!f) continue;
    const { family: _omit, ...rest } = familyStatus(info.build, id, k);
    families[id] = { name: f.name, cves: f.cves.map((c) => c.id), ...rest };
  }
  return { ...info, families };
}
