import { ExhuntError } from '../model/errors.js';
import { applyScript, rollbackScript } from './powershell.js';
import { MITIGATIONS, NO_REWRITE_MITIGATION, type MitigatableFamily } from './rules.js';
import { webConfigFragment } from './webconfig.js';

export { MITIGATIONS, NO_REWRITE_MITIGATION } from './rules.js';
export type { FamilyMitigation, MitigatableFamily, RewriteRule, RewriteCondition } from './rules.js';
export { applyScript, rollbackScript, psq, RESTORE_CMDLETS } from './powershell.js';
export { webConfigFragment, xmlAttr } from './webconfig.js';

/**
 * A family with no generated mitigation (ProxyShell, OWASSRF) or an unknown id. Stable code `E_NO_MITIGATION`;
 * `advice` says what to do instead.
 */
export class NoMitigationError extends ExhuntError {
  readonly advice: string[];
  constructor(message: string, advice: string[]) {
    super('E_NO_MITIGATION', message);
    this.name = 'NoMitigationError';
    this.advice = advice;
  }
}

export interface MitigationFile {
  name: string;
  /** What the file is, one line. */
  purpose: string;
  content: string;
}

export interface MitigationPackage {
  family: MitigatableFamily;
  name: string;
  cves: string[];
  files: MitigationFile[];
  /** What to tell the admin beside the files. */
  notes: string[];
}

export const MITIGATABLE: readonly MitigatableFamily[] = ['proxylogon', 'proxynotshell'];

/** The apply script, the rollback script and the web.config fragment for a family. Throws NoMitigationError otherwise. */
export function mitigationPackage(familyId: string): MitigationPackage {
  const id = familyId.trim().toLowerCase();
  if (id === 'proxyshell' || id === 'owassrf') {
    throw new NoMitigationError(`no URL Rewrite mitigation exists for ${id === 'proxyshell' ? 'ProxyShell' : 'OWASSRF'}`, NO_REWRITE_MITIGATION[id]);
  }
  if (!(MITIGATABLE as readonly string[]).includes(id)) {
    throw new NoMitigationError(`unknown family ${JSON.stringify(familyId.slice(0, 40))}`, [`Mitigations can be generated for: ${MITIGATABLE.join(', ')}. ProxyShell and OWASSRF have none: install the security update.`]);
  }
  const family = id as MitigatableFamily;
  const m = MITIGATIONS[family];
  const notes = [
    `${m.name}: the scripts make the changes of ${m.origin}.`,
    'A mitigation is not a fix: install the security update (exhunt build <version> names it), then roll back.',
    'The apply script records the prior state before each change; the rollback script restores it and renames the state file to .bak.',
    'Installing a cumulative update removes URL Rewrite rules: re-apply after a CU if the build is still not fixed.',
    'No PowerShell runs here: the scripts are plain text; read them before running them on the server (elevated).',
  ];
  if (family === 'proxynotshell') {
    notes.push('This rule does not stop OWASSRF (CVE-2022-41080 via /owa/mastermail): only the November 2022 SU (KB5019758) does.');
    notes.push('Exchange 2016 CU22+ / 2019 CU11+ with the Emergency Mitigation service (EEMS) enabled apply an equivalent rule themselves.');
  }
  return {
    family,
    name: m.name,
    cves: m.cves,
    notes,
    files: [
      { name: `exhunt-mitigate-${family}.ps1`, purpose: 'apply the mitigation, recording the prior state', content: applyScript(family) },
      { name: `exhunt-rollback-${family}.ps1`, purpose: 'restore the recorded prior state', content: rollbackScript(family) },
      { name: `exhunt-${family}-web.config.xml`, purpose: "the rewrite rules as they appear in the site's web.config", content: webConfigFragment(family) },
    ],
  };
}
