/**
 * Validation of one Sigma rule document (after YAML parsing) into a typed shape, with messages that
 * name the offending key. Keys other than the ones read here are allowed (Sigma permits custom
 * attributes), except that `exhunt:` is validated strictly in exhunt.ts.
 */
import type { LogSource } from '../model/record.js';
import type { Severity } from '../model/finding.js';
import { RuleProblem } from './problem.js';

export interface RuleDoc {
  id: string;
  title: string;
  description?: string;
  status?: string;
  level: Severity;
  logsource: LogSource;
  /** Named selections (everything in `detection` except `condition` and `timeframe`). */
  selections: Record<string, unknown>;
  /** One or more conditions; several are an OR (Sigma's list form). */
  conditions: string[];
  tags: string[];
  references: string[];
  falsepositives: string[];
  exhunt: unknown;
}

export const LEVELS: Record<string, Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optString(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RuleProblem(`'${key}' must be a string`, 'invalid');
  return v;
}

function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw new RuleProblem(`'${key}' must be a list of strings`, 'invalid');
  // Sigma packs sometimes hold numbers or maps in free-text lists; keep them as text rather than fail.
  return v.filter((x) => x !== null && x !== undefined).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Best-effort id for error messages before validation. */
export function peekId(doc: unknown): string | undefined {
  if (!isMap(doc)) return undefined;
  const id = doc.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export interface ValidateOptions {
  /**
   * The project's own rules: `level` is required. Sigma makes it optional; third-party rules without
   * one get `medium`.
   */
  strict?: boolean;
}

export function validateRuleDoc(doc: unknown, options: ValidateOptions = {}): RuleDoc {
  if (!isMap(doc)) throw new RuleProblem('a rule must be a YAML map', 'invalid');
  if (doc.correlation !== undefined) throw new RuleProblem('Sigma correlation rules', 'unsupported');
  if (doc.filter !== undefined && doc.detection === undefined) throw new RuleProblem('Sigma filter (meta) rules', 'unsupported');

  const rawId = doc.id;
  if (rawId === undefined || rawId === null || String(rawId).trim() === '') throw new RuleProblem(`'id' is required`, 'invalid');
  if (typeof rawId !== 'string' && typeof rawId !== 'number') throw new RuleProblem(`'id' must be a string`, 'invalid');
  const id = String(rawId).trim();

  const title = optString(doc, 'title');
  if (!title || !title.trim()) throw new RuleProblem(`'title' is required`, 'invalid');

  const lvl = doc.level;
  if ((lvl === undefined || lvl === null) && options.strict) {
    throw new RuleProblem(`'level' is required (one of ${Object.keys(LEVELS).join(', ')})`, 'invalid');
  }
  const level = lvl === undefined || lvl === null ? 'medium' : typeof lvl === 'string' ? LEVELS[lvl.trim().toLowerCase()] : undefined;
  if (!level) throw new RuleProblem(`'level' is '${String(lvl)}'; expected one of ${Object.keys(LEVELS).join(', ')}`, 'invalid');

  const ls = doc.logsource;
  if (!isMap(ls)) throw new RuleProblem(`'logsource' is required and must be a map (product/category/service)`, 'invalid');
  const logsource: LogSource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = ls[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !v.trim()) throw new RuleProblem(`'logsource.${k}' must be a non-empty string`, 'invalid');
    logsource[k] = v.trim();
  }
  if (!logsource.product && !logsource.category && !logsource.service) {
    throw new RuleProblem(`'logsource' needs at least one of product, category, service`, 'invalid');
  }

  const det = doc.detection;
  if (!isMap(det)) throw new RuleProblem(`'detection' is required and must be a map`, 'invalid');
  const cond = det.condition;
  let conditions: string[];
  if (typeof cond === 'string') conditions = [cond];
  else if (Array.isArray(cond) && cond.length && cond.every((c) => typeof c === 'string')) conditions = cond as string[];
  else throw new RuleProblem(`'detection.condition' is required (a string or a list of strings)`, 'invalid');
  const selections: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(det)) {
    if (k === 'condition' || k === 'timeframe') continue;
    selections[k] = v;
  }
  if (Object.keys(selections).length === 0) throw new RuleProblem(`'detection' has no selections`, 'invalid');

  const out: RuleDoc = {
    id, title: title.trim(), level, logsource, selections, conditions,
    tags: stringList(doc, 'tags'),
    references: stringList(doc, 'references'),
    falsepositives: stringList(doc, 'falsepositives'),
    exhunt: doc.exhunt,
  };
  const description = optString(doc, 'description');
  if (description !== undefined) out.description = description;
  const status = optString(doc, 'status');
  if (status !== undefined) out.status = status;
  return out;
}
