import { attr, kids, path, type XNode } from './xml.js';

/** A URL Rewrite inbound rule as a config file declares it. */
export interface ConfigRule {
  name: string;
  /** `enabled` true or absent. */
  enabled: boolean;
  /** `ECMAScript` (default, "Regular Expressions" in the UI), `Wildcard`, `ExactMatch`. */
  patternSyntax: string;
  stopProcessing: boolean;
  matchUrl: string | undefined;
  /** MatchAll (default) or MatchAny. */
  logicalGrouping: string;
  conditions: Array<{ input: string; pattern: string; negate: boolean; ignoreCase: boolean }>;
  action: string | undefined;
  /** File (evidence path) that declared it. */
  source: string;
}

/** One change a `<rules>` element makes to the list it inherits, in document order. */
export type RuleOp = { op: 'clear'; source: string } | { op: 'remove'; name: string; source: string } | { op: 'add'; rule: ConfigRule };

const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v.trim().toLowerCase() === 'true');

export function readRule(n: XNode, source: string): ConfigRule {
  const match = kids(n, 'match')[0];
  const conds = kids(n, 'conditions')[0];
  const action = kids(n, 'action')[0];
  return {
    name: attr(n, 'name') ?? '',
    enabled: bool(attr(n, 'enabled'), true),
    patternSyntax: attr(n, 'patternSyntax') ?? 'ECMAScript',
    stopProcessing: bool(attr(n, 'stopProcessing'), false),
    matchUrl: match ? attr(match, 'url') : undefined,
    logicalGrouping: (conds && attr(conds, 'logicalGrouping')) || 'MatchAll',
    conditions: kids(conds, 'add').map((c) => ({
      input: attr(c, 'input') ?? '',
      pattern: attr(c, 'pattern') ?? '',
      negate: bool(attr(c, 'negate'), false),
      ignoreCase: bool(attr(c, 'ignoreCase'), true),
    })),
    action: action ? attr(action, 'type') ?? 'None' : undefined,
    source,
  };
}

/** The ops of every `<rules>` element under `system.webServer/rewrite` of `scope` (an element that may hold it). */
export function ruleOps(scope: XNode, source: string): RuleOp[] {
  const ops: RuleOp[] = [];
  for (const rules of path(scope, 'system.webServer/rewrite/rules')) {
    for (const c of rules.children) {
      const t = c.tag.toLowerCase();
      if (t === 'clear') ops.push({ op: 'clear', source });
      else if (t === 'remove') ops.push({ op: 'remove', name: attr(c, 'name') ?? '', source });
      else if (t === 'rule') ops.push({ op: 'add', rule: readRule(c, source) });
    }
  }
  return ops;
}

/** `globalRules` (server level, applicationHost.config only; they run before the site's rules). */
export function globalRules(config: XNode, source: string): ConfigRule[] {
  return path(config, 'system.webServer/rewrite/globalRules/rule').map((r) => readRule(r, source));
}

/** What a scope removes from what it inherits: recorded so a report can say which file took a rule away. */
export interface Removal {
  name: string | null;
  source: string;
}

/** Apply ops to an inherited list (a `<clear/>` empties it; `<remove name>` drops a rule; `<rule>` adds). */
export function applyOps(inherited: ConfigRule[], ops: RuleOp[], removals?: Removal[]): ConfigRule[] {
  let list = [...inherited];
  for (const o of ops) {
    if (o.op === 'clear') {
      if (list.length) removals?.push({ name: null, source: o.source });
      list = [];
    } else if (o.op === 'remove') {
      const before = list.length;
      list = list.filter((r) => r.name.toLowerCase() !== o.name.toLowerCase());
      if (list.length < before) removals?.push({ name: o.name, source: o.source });
    } else list.push(o.rule);
  }
  return list;
}
