/**
 * Rendering `exhunt.summary` templates: `{Field}` is replaced by a derived field (from `extract`) or
 * the record's field (Sigma name, through the rule's field mapping); `{{` and `}}` are literal braces;
 * a field with no value renders as `-`. Values are cut to `maxValue` characters so an attacker-sized
 * field cannot blow up a one-line summary.
 */
import type { EventRecord } from '../model/record.js';
import type { CompiledRule, RuleMatch } from './types.js';
import { readField } from './mappings.js';

export function renderSummary(
  rule: Pick<CompiledRule, 'exhunt' | 'title' | 'logsource'>,
  record: EventRecord,
  match: RuleMatch,
  maxValue = 200,
): string {
  const template = rule.exhunt.summary;
  if (template === undefined) return rule.title;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      out += c;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) { out += template.slice(i); break; }
      const name = template.slice(i + 1, end).trim();
      let v: string | undefined;
      if (Object.prototype.hasOwnProperty.call(match.derived, name)) v = match.derived[name];
      else if (name === '_raw') v = record.raw;
      else {
        const x = readField(record, rule.logsource, name);
        v = x === undefined || x === null ? undefined : String(x);
      }
      if (v === undefined || v === '') v = '-';
      out += v.length > maxValue ? `${v.slice(0, maxValue)}…` : v;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}
