/**
 * `exhunt scan --sigma DIR`: SigmaHQ rule packs as they are. DIR is either a folder of rules or a clone of
 * SigmaHQ/sigma, where the rule folders are `rules/`, `rules-emerging-threats/`, `rules-threat-hunting/`,
 * `rules-dfir/` and `rules-compliance/` (`deprecated/`, `unsupported/` and `rules-placeholder/` — rules with
 * `%placeholders%` meant for a site to fill in — are left out, as SigmaHQ's own tooling does).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SIGMA_RULE_FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-dfir', 'rules-compliance'] as const;

/** The rule folders of a `--sigma` argument (the argument itself when it is not a SigmaHQ clone). */
export function sigmaRuleDirs(dir: string): string[] {
  const sub = SIGMA_RULE_FOLDERS.map((f) => join(dir, f)).filter((p) => existsSync(p) && statSync(p).isDirectory());
  return sub.length ? sub : [dir];
}
