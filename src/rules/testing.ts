/**
 * Test helpers (used by the `*.test.ts` files here and by rule-sample tests elsewhere): an EventRecord
 * over a plain object, and a one-call rule compiler.
 */
import type { EventRecord, FieldValue } from '../model/record.js';
import type { CompiledRule } from './types.js';
import { parseRuleYaml } from './load.js';
import { compileRuleDoc } from './compile.js';

/**
 * A record from a plain object. Lookup is case-insensitive; `raw` defaults to the values joined with
 * spaces (null/undefined values left out).
 */
export function makeRecord(fields: Record<string, FieldValue>, raw?: string): EventRecord {
  const byLower = new Map<string, FieldValue>();
  for (const [k, v] of Object.entries(fields)) byLower.set(k.toLowerCase(), v);
  const names = Object.keys(fields);
  const text = raw ?? Object.values(fields).filter((v) => v !== undefined && v !== null).map(String).join(' ');
  return {
    get: (f: string) => byLower.get(f.toLowerCase()),
    fieldNames: () => names,
    raw: text,
  };
}

/** Compile the first rule of a YAML text (throws RuleProblem on failure). */
export function ruleFromYaml(text: string, file = 'test.yml'): CompiledRule {
  const docs = parseRuleYaml(text);
  if (!docs[0]) throw new Error('no document');
  return compileRuleDoc(docs[0].doc, file);
}

/** Compile a rule from a detection object (logsource and metadata filled in). */
export function ruleFromDetection(
  detection: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): CompiledRule {
  return compileRuleDoc(
    { id: 'test-rule', title: 'Test rule', level: 'high', logsource: { product: 'test' }, detection, ...extra },
    'test.yml',
  );
}
