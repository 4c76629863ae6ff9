import type { EvidenceSource } from '../../evidence/source.js';
import type { Discovery } from '../../evidence/discovery.js';
import { ExhuntError } from '../../model/errors.js';
import { buildFromInstalledUpdates, readSoftwareHive, type ExchangeRegistry, type MatchedUpdate } from '../../readers/registry/index.js';
import { compareVersions, tryParseVersion } from '../build/index.js';
import { loadIisConfigs } from './load.js';
import { verifyMitigations, type MitigationVerification } from './verify.js';

/** What the SOFTWARE hive says, as the scan reports it (`host.exchange.registry`). */
export interface RegistryFacts extends ExchangeRegistry {
  path: string;
  /** Installed SUs matched to the build table for this server's CU. */
  matchedUpdates: MatchedUpdate[];
}

/** Read the SOFTWARE hive (if discovery found one). Problems go to `problem`; a bad hive never stops the scan. */
export async function readRegistryFacts(src: EvidenceSource, d: Discovery, problem: (path: string, reason: string) => void): Promise<RegistryFacts | undefined> {
  const rel = d.configFiles?.softwareHive;
  if (!rel) return undefined;
  let r: ExchangeRegistry;
  try {
    r = await readSoftwareHive(src, rel);
  } catch (e) {
    if (!(e instanceof ExhuntError) && !(e instanceof Error && 'code' in e)) throw e;
    problem(rel, `SOFTWARE hive not readable: ${(e as Error).message}`);
    return undefined;
  }
  for (const p of r.problems.slice(0, 20)) problem(rel, `SOFTWARE hive: ${p}`);
  if (r.dirty) problem(rel, 'SOFTWARE hive was not cleanly written (sequence numbers differ): recent changes may be only in SOFTWARE.LOG1/LOG2, which are not applied');
  return { ...r, path: rel, matchedUpdates: [] };
}

export interface ChosenBuild {
  build: string;
  /** Where it came from. */
  source: 'ExSetup.exe' | 'registry Setup key' | 'logs' | 'installed update';
  /** Set when an installed SU record raised the build above ExSetup / the Setup key. */
  installedUpdate?: MatchedUpdate;
}

/**
 * The build to judge exposure by: ExSetup.exe, else the Setup key, else the newest log build; then raised to the SU
 * build that an installed-update record implies for the same CU (an SU listed as installed counts).
 */
export function chooseBuild(exSetup: string | undefined, registry: RegistryFacts | undefined, logBuild: string | undefined): ChosenBuild | undefined {
  const base: ChosenBuild | undefined = exSetup
    ? { build: exSetup, source: 'ExSetup.exe' }
    : registry?.setup?.version && tryParseVersion(registry.setup.version)
      ? { build: registry.setup.version, source: 'registry Setup key' }
      : logBuild
        ? { build: logBuild, source: 'logs' }
        : undefined;
  if (!registry?.updates.length) return base;
  let implied;
  try {
    implied = buildFromInstalledUpdates(registry.updates, base?.build);
  } catch {
    return base;
  }
  registry.matchedUpdates = implied.matched;
  if (!implied.build || !implied.from) return base;
  if (!base || (tryParseVersion(base.build) && compareVersions(implied.build, base.build) > 0)) {
    return { build: implied.build, source: 'installed update', installedUpdate: implied.from };
  }
  return base;
}

/** Mitigation status per family from the IIS config files discovery found. */
export async function verifyHostMitigations(src: EvidenceSource, d: Discovery): Promise<MitigationVerification> {
  const loc = d.configFiles ?? { webConfigs: [] };
  return verifyMitigations(await loadIisConfigs(src, { ...(loc.appHost ? { appHost: loc.appHost } : {}), webConfigs: loc.webConfigs }));
}

/** EOMT's status matrix: a rule on a fixed build can be rolled back; a build fix with no rule needs nothing. */
export function annotateWithExposure(m: MitigationVerification, exposure: { families: Record<string, { status: string }> } | undefined): void {
  for (const [id, f] of Object.entries(m.families)) {
    const ex = exposure?.families[id]?.status;
    if (ex === 'fixed' && f.status === 'mitigated') f.reasons.push('the build already has the fix: the rule can be safely rolled back');
    else if (ex === 'fixed' && f.rewriteMitigationExists) f.reasons.push('not needed: the build has the security update');
    else if (ex === 'vulnerable' && f.status === 'mitigated') f.reasons.push('the build is still vulnerable: the rule reduces exposure but is not a fix');
  }
}
