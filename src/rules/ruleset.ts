/**
 * A set of compiled rules: loading a directory tree (or in-memory sources, for the packaged
 * executable's asset loader), unique ids, per-log-source selection, and issue collection.
 *
 * Third-party packs (SigmaHQ) are loaded leniently: a rule that is invalid or uses a feature the engine
 * lacks becomes a RuleLoadIssue with file, rule id and reason — never a silent skip, never a crash.
 * The project's own rules are loaded with `strict: true`, where the first issue throws RuleError.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { LogSource } from '../model/record.js';
import { RuleError } from '../model/errors.js';
import type { CompiledRule, RuleLoadIssue } from './types.js';
import { RuleProblem, problemText } from './problem.js';
import { parseRuleYaml } from './load.js';
import { compileRuleDoc } from './compile.js';
import { peekId } from './schema.js';
import { unionPrefilter } from './prefilter.js';

export interface RuleSource {
  /** Path relative to the rule root, `/`-separated. */
  file: string;
  text: string;
}

/** One parsed rule document that compiled: what worker threads rebuild the same set from, without YAML. */
export interface AcceptedDoc {
  file: string;
  doc: unknown;
}

export interface RuleSetOptions {
  /** Throw RuleError on the first issue (for the project's own rules). Default false. */
  strict?: boolean;
}

function issueFrom(e: unknown, file: string, ruleId: string | undefined): RuleLoadIssue {
  const message = e instanceof RuleProblem ? problemText(e) : `internal error: ${e instanceof Error ? e.message : String(e)}`;
  const issue: RuleLoadIssue = { file, message };
  if (ruleId !== undefined) issue.ruleId = ruleId;
  return issue;
}

const norm = (s: string | undefined): string | undefined => s?.trim().toLowerCase();

/** Does a rule written for `rule` apply to records from `source`? Every key the rule sets must agree. */
export function logsourceApplies(rule: LogSource, source: LogSource): boolean {
  for (const k of ['product', 'category', 'service'] as const) {
    const r = norm(rule[k]);
    if (r !== undefined && r !== norm(source[k])) return false;
  }
  return true;
}

/**
 * Can a rule document apply to `source`, by its raw `logsource` block? Only a block of plain strings can
 * say no; anything else (missing, odd types) says maybe, and the compiled rule decides.
 */
function mayApply(doc: unknown, source: LogSource): boolean {
  const ls = doc !== null && typeof doc === 'object' ? (doc as { logsource?: unknown }).logsource : undefined;
  if (ls === null || typeof ls !== 'object') return true;
  const raw = ls as Record<string, unknown>;
  const plain: LogSource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') return true;
    plain[k] = v;
  }
  return logsourceApplies(plain, source);
}

export class RuleSet {
  readonly issues: readonly RuleLoadIssue[];
  /** The documents of `rules`, in order (plain data: can be posted to a worker thread). */
  readonly docs: readonly AcceptedDoc[];
  /** Compiled rules by document index; filled on demand in a set made by `fromDocs`. */
  private readonly compiled: Array<CompiledRule | undefined>;
  private all: readonly CompiledRule[] | undefined;
  private byId: Map<string, CompiledRule> | undefined;
  private readonly cache = new Map<string, readonly CompiledRule[]>();

  private constructor(rules: Array<CompiledRule | undefined>, issues: RuleLoadIssue[], docs: AcceptedDoc[]) {
    this.compiled = rules;
    this.issues = issues;
    this.docs = docs;
  }

  get size(): number {
    return this.docs.length;
  }

  /** Every rule, compiled (a set from `fromDocs` compiles the rest now). */
  get rules(): readonly CompiledRule[] {
    return (this.all ??= this.docs.map((_, i) => this.at(i)));
  }

  private at(i: number): CompiledRule {
    let r = this.compiled[i];
    if (!r) {
      const d = this.docs[i]!;
      r = this.compiled[i] = compileRuleDoc(d.doc, d.file, { strict: false });
    }
    return r;
  }

  /** Compile rules from in-memory sources (files in the order given). */
  static fromSources(sources: readonly RuleSource[], options: RuleSetOptions = {}): RuleSet {
    const rules: CompiledRule[] = [];
    const accepted: AcceptedDoc[] = [];
    const issues: RuleLoadIssue[] = [];
    const seen = new Map<string, string>();
    const report = (issue: RuleLoadIssue): void => {
      if (options.strict) {
        throw new RuleError(issue.ruleId ? `rule ${issue.ruleId}: ${issue.message}` : issue.message, issue.file);
      }
      issues.push(issue);
    };
    for (const src of sources) {
      let docs;
      try {
        docs = parseRuleYaml(src.text);
      } catch (e) {
        report(issueFrom(e, src.file, undefined));
        continue;
      }
      if (docs.length === 0) {
        report({ file: src.file, message: 'invalid: no rule in file' });
        continue;
      }
      for (const d of docs) {
        const id = peekId(d.doc);
        let rule: CompiledRule;
        try {
          rule = compileRuleDoc(d.doc, src.file, { strict: options.strict ?? false });
        } catch (e) {
          const issue = issueFrom(e, src.file, id);
          if (docs.length > 1) issue.message += ` (document ${d.index})`;
          report(issue);
          continue;
        }
        const prev = seen.get(rule.id);
        if (prev !== undefined) {
          report({ file: src.file, ruleId: rule.id, message: `invalid: duplicate rule id (first defined in ${prev})` });
          continue;
        }
        seen.set(rule.id, src.file);
        rules.push(rule);
        accepted.push({ file: src.file, doc: d.doc });
      }
    }
    return new RuleSet(rules, issues, accepted);
  }

  /**
   * The same set again from documents `fromSources` accepted (in a worker thread): no YAML, no checks
   * that already passed; with `deferRegexCompilation(true)` regexes compile on first use.
   */
  static fromDocs(docs: readonly AcceptedDoc[]): RuleSet {
    // Compiled on demand, per log source: a scan thread builds only the rules for the logs it reads (the
    // main thread: file rules; a hunt worker: its log kinds), ~100 ms less start-up each.
    return new RuleSet(new Array<CompiledRule | undefined>(docs.length), [], [...docs]);
  }

  /** Rules whose logsource applies to records from `source` (cached per source), in document order. */
  forLogsource(source: LogSource): readonly CompiledRule[] {
    const key = `${norm(source.product) ?? ''}\0${norm(source.category) ?? ''}\0${norm(source.service) ?? ''}`;
    let list = this.cache.get(key);
    if (!list) {
      const out: CompiledRule[] = [];
      this.docs.forEach((d, i) => {
        // A document whose own logsource rules the source out is not compiled; the compiled rule decides.
        if (!this.compiled[i] && !mayApply(d.doc, source)) return;
        const r = this.at(i);
        if (logsourceApplies(r.logsource, source)) out.push(r);
      });
      list = out;
      this.cache.set(key, list);
    }
    return list;
  }

  get(id: string): CompiledRule | undefined {
    return (this.byId ??= new Map(this.rules.map((r) => [r.id, r]))).get(id);
  }

  /** Union pre-filter of the rules for a source (null = every record must be evaluated). */
  prefilterFor(source: LogSource): CompiledRule['prefilter'] {
    const rules = this.forLogsource(source);
    return rules.length ? unionPrefilter(rules) : null;
  }
}

/**
 * Every `.yml`/`.yaml` file under `dir` (dot folders and files skipped), sorted, as relative
 * `/`-separated paths. Symlinks are not followed.
 */
export async function listRuleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      // Dot folders hold tooling, not rules (a SigmaHQ clone has CI workflows in .github/*.yml).
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Load and compile every rule file under `dir`. */
export async function loadRuleSet(dir: string, options: RuleSetOptions = {}): Promise<RuleSet> {
  const files = await listRuleFiles(dir);
  const sources: RuleSource[] = [];
  for (const f of files) sources.push({ file: f, text: await readFile(join(dir, f), 'utf8') });
  return RuleSet.fromSources(sources, options);
}
