import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { assetPath } from '../assets.js';
import { RuleSet, listRuleFiles, type RuleSource } from '../rules/index.js';
import type { CompiledRule, RuleLoadIssue } from '../rules/types.js';
import type { LogSource } from '../model/record.js';
import { EvidenceError } from '../model/errors.js';

export interface RulePack {
  rules: readonly CompiledRule[];
  files: number;
  /** SHA-256 over every rule file's name and text: says exactly which rules produced a result. */
  hash: string;
  issues: RuleLoadIssue[];
  /** The rule files themselves, so worker threads compile exactly the same pack. */
  sources: RuleSource[];
  forLogsource(ls: LogSource): readonly CompiledRule[];
}

/** A pack from already-read sources (worker threads). */
export function packFromSources(sources: RuleSource[]): RulePack {
  const set = RuleSet.fromSources(sources);
  return { rules: set.rules, files: sources.length, hash: '', issues: [...set.issues], sources, forLogsource: (ls) => set.forLogsource(ls) };
}

async function sourcesOf(dir: string, prefix: string): Promise<RuleSource[]> {
  const files = await listRuleFiles(dir);
  const out: RuleSource[] = [];
  for (const f of files) out.push({ file: `${prefix}${f}`, text: await readFile(join(dir, f), 'utf8') });
  return out;
}

/**
 * The project's own rules (strict: any problem is a bug and throws) plus user rule folders (lenient:
 * rules the engine cannot run are listed as issues in the result, never dropped silently).
 */
export async function loadProjectRules(extraDirs: readonly string[] = []): Promise<RulePack> {
  const own = await sourcesOf(assetPath('rules'), 'rules/');
  const ownSet = RuleSet.fromSources(own, { strict: true });
  const extra: RuleSource[] = [];
  for (const dir of extraDirs) {
    try {
      extra.push(...(await sourcesOf(dir, `${dir.replace(/[\\/]+$/, '')}/`)));
    } catch (err) {
      throw new EvidenceError(`--rules ${dir}: cannot read rule folder (${(err as Error).message})`);
    }
  }
  // Compiled once more only when user rules join (ids must stay unique across both).
  const set = extra.length ? RuleSet.fromSources([...own, ...extra]) : ownSet;
  const h = createHash('sha256');
  for (const s of [...own, ...extra]) h.update(s.file).update('\0').update(s.text).update('\0');
  return {
    rules: set.rules,
    files: own.length + extra.length,
    hash: h.digest('hex'),
    issues: [...set.issues],
    sources: [...own, ...extra],
    forLogsource: (ls) => set.forLogsource(ls),
  };
}
