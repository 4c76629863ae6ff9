/**
 * One validated rule document → CompiledRule: selections and condition compiled to predicates, the
 * exhunt extension validated, the pre-filter derived. All regexes are compiled here, once.
 */
import type { EventRecord } from '../model/record.js';
import type { CompiledRule, RuleContext, RuleMatch } from './types.js';
import { RuleProblem } from './problem.js';
import { validateRuleDoc, type RuleDoc, type ValidateOptions } from './schema.js';
import { parseCondition, type CondNode } from './condition.js';
import { compileSelection, accessorFor, type CompiledSelection, type CompileEnv, type Pred, type Accessor } from './detection.js';
import { mappingFor, readField } from './mappings.js';
import { SlotTable, EvalState } from './evalstate.js';
import { andSets, orSets, finalise, type LitSet } from './prefilter.js';
import { parseExhunt } from './exhunt.js';
import { isUnderInstall } from './paths.js';

interface CondCompiled {
  test: Pred;
  lits: LitSet | null;
}

function compileCond(node: CondNode, sels: ReadonlyMap<string, CompiledSelection>): CondCompiled {
  switch (node.t) {
    case 'id': {
      const s = sels.get(node.name)!;
      return { test: s.test, lits: s.lits };
    }
    case 'not': {
      const inner = compileCond(node.item, sels).test;
      return { test: (st) => !inner(st), lits: null };
    }
    case 'and': case 'or': {
      const parts = node.items.map((n) => compileCond(n, sels));
      const preds = parts.map((p) => p.test);
      if (node.t === 'and') {
        return { test: (st) => { for (const p of preds) if (!p(st)) return false; return true; }, lits: andSets(parts.map((p) => p.lits)) };
      }
      return { test: (st) => { for (const p of preds) if (p(st)) return true; return false; }, lits: orSets(parts.map((p) => p.lits)) };
    }
    case 'of': {
      const parts = node.names.map((n) => sels.get(n)!);
      const preds = parts.map((p) => p.test);
      const need = node.n === 'all' ? preds.length : node.n;
      if (node.n === 'all') {
        return { test: (st) => { for (const p of preds) if (!p(st)) return false; return true; }, lits: andSets(parts.map((p) => p.lits)) };
      }
      if (need > preds.length) throw new RuleProblem(`'${node.n} of ${node.pattern}' needs ${need} selections, only ${preds.length} match`, 'invalid');
      return {
        test: (st) => {
          let hits = 0;
          for (const p of preds) if (p(st) && ++hits >= need) return true;
          return false;
        },
        // At least one branch holds, so the union is sound for any n >= 1.
        lits: orSets(parts.map((p) => p.lits)),
      };
    }
  }
}

/** Compile a raw YAML document (throws RuleProblem). `file` is relative to the rule root. */
export function compileRuleDoc(raw: unknown, file: string, options: ValidateOptions = {}): CompiledRule {
  return compileValidated(validateRuleDoc(raw, options), file);
}

export function compileValidated(doc: RuleDoc, file: string): CompiledRule {
  const mapping = mappingFor(doc.logsource);
  const slots = new SlotTable();
  const env: CompileEnv = { mapping, slots, fields: new Set() };

  const names = Object.keys(doc.selections);
  const conds = doc.conditions.map((c) => parseCondition(c, names));
  // Every selection is compiled, used or not: an invalid selection is a rule bug even when the
  // condition does not (yet) read it. Unused ones cost nothing at match time.
  const sels = new Map<string, CompiledSelection>();
  for (const name of names) sels.set(name, compileSelection(name, doc.selections[name], env));
  const compiled = conds.map((c) => compileCond(c, sels));
  const detect: Pred = compiled.length === 1
    ? compiled[0]!.test
    : (st) => { for (const c of compiled) if (c.test(st)) return true; return false; };
  const lits = compiled.length === 1 ? compiled[0]!.lits : orSets(compiled.map((c) => c.lits));

  const { ext, extract } = parseExhunt(doc.exhunt);
  const extractAcc: Accessor[] = extract.map((x) => accessorFor(env, x.field));
  const state = new EvalState(slots);
  const logsource = doc.logsource;

  const readAny = (record: EventRecord, derived: Record<string, string>, field: string): string | undefined => {
    if (Object.prototype.hasOwnProperty.call(derived, field)) return derived[field];
    if (field === '_raw') return record.raw;
    const v = readField(record, logsource, field);
    return v === undefined || v === null ? undefined : String(v);
  };

  const match = (record: EventRecord, context?: RuleContext): RuleMatch | null => {
    state.begin(record);
    let ok: boolean;
    try {
      ok = detect(state);
    } finally {
      state.end();
    }
    if (!ok) return null;
    const derived: Record<string, string> = {};
    for (let k = 0; k < extract.length; k++) {
      const x = extract[k]!;
      const read = x.field === '_raw' ? record.raw : readAny(record, derived, extractAcc[k]!.sigma);
      const source = read !== undefined && x.decode ? x.decode(read) : read;
      if (source === undefined) continue;
      const m = x.re.matcher(source);
      if (!m.find()) continue;
      for (const g of x.groups) {
        const v = m.group(g);
        if (v !== null) derived[g] = v;
      }
    }
    for (const w of ext.where) {
      const under = 'underInstall' in w;
      const p = under ? w.underInstall : w.notUnderInstall;
      const value = readAny(record, derived, p.field);
      // A path we cannot read proves nothing either way: the predicate fails, the hit is dropped.
      if (value === undefined || value.trim() === '' || value === '-') return null;
      if (isUnderInstall(value, p.subpath, context?.installPath) !== under) return null;
    }
    return { derived };
  };

  const rule: CompiledRule = {
    id: doc.id,
    title: doc.title,
    level: doc.level,
    logsource,
    tags: doc.tags,
    references: doc.references,
    falsepositives: doc.falsepositives,
    fields: [...env.fields],
    exhunt: ext,
    file,
    prefilter: finalise(lits),
    match,
  };
  if (doc.description !== undefined) rule.description = doc.description;
  if (doc.status !== undefined) rule.status = doc.status;
  return rule;
}
