/**
 * The `exhunt:` extension of a Sigma rule: verdict family, CVEs, evidence weight, summary template,
 * grouping, entity fields, named-capture extraction and `where` predicates (docs/rules.md).
 * Validation is strict — an unknown key is an error, so a typo cannot silently disable a predicate.
 */
import type { EvidenceWeight } from '../model/finding.js';
import type { ExhuntExtension, WherePredicate } from './types.js';
import { RuleProblem } from './problem.js';
import { compileRe2, type Re2 } from './regex.js';
import { DECODERS, type DecoderName } from './decode.js';

const KEYS = new Set(['family', 'cves', 'evidence', 'summary', 'groupBy', 'extract', 'where', 'entities', 'raiseWith']);
const EVIDENCE = new Set<EvidenceWeight>(['success', 'attempt', 'probe', 'context']);
const ENTITY_KEYS = new Set(['ips', 'userAgents', 'mailboxes', 'accounts', 'paths', 'hashes']);
const WHERE_KEYS = new Set(['notUnderInstall', 'underInstall']);

export interface CompiledExtract {
  field: string;
  re: Re2;
  groups: string[];
  /** Decoder applied to the field's value before the regex runs (src/rules/decode.ts). */
  decode?: (s: string) => string | undefined;
}

export interface ParsedExhunt {
  ext: ExhuntExtension;
  extract: CompiledExtract[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new RuleProblem(`exhunt.${where} must be a non-empty string`, 'invalid');
  return v;
}

function strList(v: unknown, where: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw new RuleProblem(`exhunt.${where} must be a non-empty list of strings`, 'invalid');
  return list.map((x, i) => str(x, `${where}[${i}]`));
}

/** Summary placeholders: `{Field}`; `{{`/`}}` are literal braces. */
export function summaryFields(template: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{') {
      if (template[i + 1] === '{') { i++; continue; }
      const end = template.indexOf('}', i);
      if (end < 0) throw new RuleProblem(`exhunt.summary: unclosed '{' at column ${i + 1}`, 'invalid');
      const name = template.slice(i + 1, end).trim();
      if (!name) throw new RuleProblem(`exhunt.summary: empty placeholder at column ${i + 1}`, 'invalid');
      out.push(name);
      i = end;
    } else if (c === '}') {
      if (template[i + 1] === '}') { i++; continue; }
      throw new RuleProblem(`exhunt.summary: stray '}' at column ${i + 1}`, 'invalid');
    }
  }
  return out;
}

/** Validate `exhunt:` (undefined → defaults). */
export function parseExhunt(raw: unknown): ParsedExhunt {
  const ext: ExhuntExtension = { cves: [], evidence: 'attempt', extract: [], where: [], entities: {} };
  const extract: CompiledExtract[] = [];
  if (raw === undefined || raw === null) return { ext, extract };
  if (!isMap(raw)) throw new RuleProblem('exhunt must be a map', 'invalid');
  for (const k of Object.keys(raw)) {
    if (!KEYS.has(k)) throw new RuleProblem(`exhunt: unknown key '${k}' (known: ${[...KEYS].join(', ')})`, 'invalid');
  }
  if (raw.family !== undefined) {
    const f = str(raw.family, 'family');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(f)) throw new RuleProblem(`exhunt.family '${f}' must be a lower-case id like 'proxylogon'`, 'invalid');
    ext.family = f;
  }
  if (raw.cves !== undefined) {
    ext.cves = strList(raw.cves, 'cves').map((c) => {
      const u = c.trim().toUpperCase();
      if (!/^CVE-\d{4}-\d{4,}$/.test(u)) throw new RuleProblem(`exhunt.cves: '${c}' is not a CVE id (CVE-YYYY-NNNN)`, 'invalid');
      return u;
    });
  }
  if (raw.evidence !== undefined) {
    const e = str(raw.evidence, 'evidence') as EvidenceWeight;
    if (!EVIDENCE.has(e)) throw new RuleProblem(`exhunt.evidence '${e}' must be one of ${[...EVIDENCE].join(', ')}`, 'invalid');
    ext.evidence = e;
  }
  if (raw.summary !== undefined) {
    ext.summary = str(raw.summary, 'summary');
    summaryFields(ext.summary);
  }
  if (raw.groupBy !== undefined) ext.groupBy = strList(raw.groupBy, 'groupBy');
  if (raw.raiseWith !== undefined) ext.raiseWith = str(raw.raiseWith, 'raiseWith');
  if (raw.extract !== undefined) {
    if (!Array.isArray(raw.extract)) throw new RuleProblem('exhunt.extract must be a list of {field, regex}', 'invalid');
    raw.extract.forEach((x, i) => {
      const where = `extract[${i}]`;
      if (!isMap(x)) throw new RuleProblem(`exhunt.${where} must be a map {field, regex}`, 'invalid');
      for (const k of Object.keys(x)) if (k !== 'field' && k !== 'regex' && k !== 'decode') throw new RuleProblem(`exhunt.${where}: unknown key '${k}'`, 'invalid');
      const field = str(x.field, `${where}.field`);
      const regex = str(x.regex, `${where}.regex`);
      const re = compileRe2(regex, {}, `exhunt.${where}.regex`);
      const groups = Object.keys(re.namedGroups());
      if (groups.length === 0) throw new RuleProblem(`exhunt.${where}.regex has no named group (?P<Name>...)`, 'invalid');
      if (x.decode !== undefined) {
        const d = str(x.decode, `${where}.decode`) as DecoderName;
        if (!Object.prototype.hasOwnProperty.call(DECODERS, d)) {
          throw new RuleProblem(`exhunt.${where}.decode '${d}' must be one of ${Object.keys(DECODERS).join(', ')}`, 'invalid');
        }
        ext.extract.push({ field, regex, decode: d });
        extract.push({ field, re, groups, decode: DECODERS[d] });
      } else {
        ext.extract.push({ field, regex });
        extract.push({ field, re, groups });
      }
    });
  }
  if (raw.where !== undefined) {
    if (!Array.isArray(raw.where)) throw new RuleProblem('exhunt.where must be a list of predicates', 'invalid');
    raw.where.forEach((x, i) => {
      const where = `where[${i}]`;
      if (!isMap(x) || Object.keys(x).length !== 1) {
        throw new RuleProblem(`exhunt.${where} must be a map with exactly one of ${[...WHERE_KEYS].join(', ')}`, 'invalid');
      }
      const kind = Object.keys(x)[0]!;
      if (!WHERE_KEYS.has(kind)) throw new RuleProblem(`exhunt.${where}: unknown predicate '${kind}' (known: ${[...WHERE_KEYS].join(', ')})`, 'invalid');
      const body = x[kind];
      if (!isMap(body)) throw new RuleProblem(`exhunt.${where}.${kind} must be a map {field, subpath}`, 'invalid');
      for (const k of Object.keys(body)) if (k !== 'field' && k !== 'subpath') throw new RuleProblem(`exhunt.${where}.${kind}: unknown key '${k}'`, 'invalid');
      const field = str(body.field, `${where}.${kind}.field`);
      if (typeof body.subpath !== 'string') throw new RuleProblem(`exhunt.${where}.${kind}.subpath must be a string ('' = the install root)`, 'invalid');
      const pred = { field, subpath: body.subpath };
      ext.where.push((kind === 'notUnderInstall' ? { notUnderInstall: pred } : { underInstall: pred }) as WherePredicate);
    });
  }
  if (raw.entities !== undefined) {
    if (!isMap(raw.entities)) throw new RuleProblem('exhunt.entities must be a map of entity kind to field list', 'invalid');
    for (const [k, v] of Object.entries(raw.entities)) {
      if (!ENTITY_KEYS.has(k)) throw new RuleProblem(`exhunt.entities: unknown kind '${k}' (known: ${[...ENTITY_KEYS].join(', ')})`, 'invalid');
      ext.entities[k as keyof ExhuntExtension['entities']] = strList(v, `entities.${k}`);
    }
  }
  return { ext, extract };
}
