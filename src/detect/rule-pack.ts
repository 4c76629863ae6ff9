import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { assetPath } from '../assets.js';
import { RuleSet, deferRegexCompilation, listRuleFiles, type AcceptedDoc, type RuleSource } from '../rules/index.js';
import type { CompiledRule, RuleLoadIssue } from '../rules/types.js';
import type { LogSource } from '../model/record.js';
import { EvidenceError } from '../model/errors.js';

export interface RulePack {
  /** Every rule compiled (a pack from the cache or from documents compiles on first use: prefer `forLogsource`). */
  readonly rules: readonly CompiledRule[];
  ruleCount: number;
  files: number;
  /** SHA-256 over every rule file's name and text: says exactly which rules produced a result. */
  hash: string;
  issues: RuleLoadIssue[];
  /** The parsed documents of `rules`, so worker threads compile exactly the same pack without YAML. */
  docs: readonly AcceptedDoc[];
  forLogsource(ls: LogSource): readonly CompiledRule[];
}

function packOf(set: RuleSet, meta: { files: number; hash: string }): RulePack {
  return {
    get rules() {
      return set.rules;
    },
    ruleCount: set.size,
    files: meta.files,
    hash: meta.hash,
    issues: [...set.issues],
    docs: set.docs,
    forLogsource: (ls) => set.forLogsource(ls),
  };
}

/**
 * The project's rules as parsed documents, written at build time (scripts/cache-rules.ts) with the SHA-256
 * of the rule files they came from: a scan whose rule files hash the same skips parsing YAML (~170 ms
 * of start-up). Any other content, or a missing or unreadable cache, and the YAML is parsed as always.
 */
export const RULE_CACHE = 'dist/src/rule-cache.json';

export interface RuleCache {
  hash: string;
  docs: AcceptedDoc[];
}

/** SHA-256 over every rule file's name and text, in order. */
export function sourcesHash(sources: readonly RuleSource[]): string {
  const h = createHash('sha256');
  for (const s of sources) h.update(s.file).update('\0').update(s.text).update('\0');
  return h.digest('hex');
}

function cachedDocs(hash: string): AcceptedDoc[] | null {
  try {
    const c = JSON.parse(readFileSync(assetPath(RULE_CACHE), 'utf8')) as Partial<RuleCache>;
    return c.hash === hash && Array.isArray(c.docs) ? c.docs : null;
  } catch {
    return null;
  }
}

/** The project's own rule files (`rules/`). */
export function ownRuleSources(): Promise<RuleSource[]> {
  return sourcesOf(assetPath('rules'), 'rules/');
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
  const own = await ownRuleSources();
  const ownHash = sourcesHash(own);
  // From the build's cache the set compiles per log source when first asked (in this thread: the file
  // rules). Without it the YAML is parsed and checked now; the project's own regexes are proven by its test
  // suite (every rule runs on its samples), so they compile on first use. User rules (below) compile
  // eagerly, so a regex RE2 cannot run is reported as a load issue.
  const cached = cachedDocs(ownHash);
  let ownSet: RuleSet;
  if (cached) ownSet = RuleSet.fromDocs(cached);
  else {
    deferRegexCompilation(true);
    try {
      ownSet = RuleSet.fromSources(own, { strict: true });
    } finally {
      deferRegexCompilation(false);
    }
  }
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
  return packOf(set, { files: own.length + extra.length, hash: extra.length ? sourcesHash([...own, ...extra]) : ownHash });
}
