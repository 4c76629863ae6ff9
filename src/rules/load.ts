/**
 * YAML → rule documents. A file may hold several documents (`---`). Sigma's legacy rule collections
 * are honoured: `action: global` sets a base merged into each following document, `action: reset`
 * clears it, `action: repeat` re-uses the previous document with overrides.
 */
import type { Tags } from 'yaml';
import { RuleProblem } from './problem.js';
import { yamlLib } from '../lazy-deps.js';

const keepNumbersAsText = (tags: Tags): Tags =>
  tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:int' && t.tag !== 'tag:yaml.org,2002:float'));

export interface LoadedDoc {
  /** 1-based document index within the file, for messages. */
  index: number;
  doc: unknown;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge for collections: maps merge recursively, anything else is replaced by `over`. */
function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * Parse YAML text into rule documents. Throws RuleProblem for YAML syntax errors (the whole file is
 * unusable) with line and column.
 */
export function parseRuleYaml(text: string): LoadedDoc[] {
  // `uniqueKeys` (default) makes duplicate keys an error: in a detection map a duplicate key would
  // silently drop a condition. The YAML 1.2 core schema is used without its int and float tags, so
  // `0x17`, `0123`, `1.50` or `1e5` keep their source text (Sigma compares field values as written;
  // the matcher itself treats decimal strings numerically). `null`, `~`, `true`, `false` stay typed.
  const docs = yamlLib().parseAllDocuments(text, { prettyErrors: true, strict: true, customTags: keepNumbersAsText });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: LoadedDoc[] = [];
  let global: unknown;
  let previous: unknown;
  list.forEach((d, i) => {
    const err = d.errors[0];
    if (err) throw new RuleProblem(`YAML error in document ${i + 1}: ${err.message.split('\n')[0]!.replace(/:$/, '')}`, 'invalid');
    const value: unknown = d.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // empty document (trailing '---')
    if (isMap(value) && typeof value.action === 'string') {
      const { action, ...rest } = value;
      switch (action) {
        case 'global': global = merge(global, rest); return;
        case 'reset': global = undefined; return;
        case 'repeat': {
          if (previous === undefined) throw new RuleProblem(`document ${i + 1}: 'action: repeat' with no previous rule`, 'invalid');
          previous = merge(previous, rest);
          out.push({ index: i + 1, doc: previous });
          return;
        }
        default: throw new RuleProblem(`document ${i + 1}: unknown action '${String(action)}'`, 'invalid');
      }
    }
    const doc = global === undefined ? value : merge(global, value);
    previous = doc;
    out.push({ index: i + 1, doc });
  });
  return out;
}
