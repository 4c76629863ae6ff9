import { MITIGATIONS, type FamilyMitigation, type MitigatableFamily, type RewriteRule } from '../../mitigate/rules.js';
import { applyOps, globalRules, ruleOps, type ConfigRule, type Removal, type RuleOp } from './rewriteRules.js';
import { attr, kids, parseConfigXml, ConfigXmlError, type XNode } from './xml.js';

/** A config file handed to the verifier: its text, or why it could not be read. */
export interface ConfigFileInput {
  /** Evidence path, for reports. */
  path: string;
  text?: string;
  error?: string;
}

export interface IisConfigInput {
  appHost?: ConfigFileInput;
  /** The site's own web.config (`inetpub\wwwroot\web.config` for the Default Web Site). */
  siteWebConfig?: ConfigFileInput;
  /** web.config files of the site's virtual directories (Exchange's `FrontEnd\HttpProxy\<vdir>\web.config`). */
  children?: Array<ConfigFileInput & { vdir: string }>;
  /** Default `Default Web Site` (where Microsoft's scripts put the rules). */
  siteName?: string;
}

export type MitigationState = 'mitigated' | 'not-mitigated' | 'conflicting-or-disabled' | 'unknown';

export interface RuleCheck {
  name: string;
  source: string;
  enabled: boolean;
  /** HealthChecker's validity checks passed (exchange-facts.md §1b.7). */
  valid: boolean;
  /** Which checks failed. */
  problems: string[];
}

export interface FamilyMitigationCheck {
  family: string;
  status: MitigationState;
  /** False for ProxyShell and OWASSRF: no URL Rewrite rule mitigates them, whatever the config holds. */
  rewriteMitigationExists: boolean;
  reasons: string[];
  /** Rules looked at for this family (expected names, and valid ones under other names). */
  rules: RuleCheck[];
}

export interface MitigationVerification {
  families: Record<string, FamilyMitigationCheck>;
  files: Array<{ path: string; role: 'applicationHost.config' | 'site web.config' | 'child web.config'; error?: string }>;
  note: string;
}

export const NOT_A_FIX = 'A mitigation is not a fix: install the security update, then remove the mitigation.';

/** Config text is attacker-influenced: shown cut and on one line. */
function show(s: string | undefined): string {
  if (s === undefined) return '(none)';
  const t = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return JSON.stringify(t.length > 100 ? `${t.slice(0, 100)}…` : t);
}

/** Why `r` does not do what `e` does (empty = valid). `onlyRule`: it is the only rule in effect. */
export function ruleProblems(r: ConfigRule, e: RewriteRule, m: FamilyMitigation, onlyRule: boolean): string[] {
  const p: string[] = [];
  const syntax = r.patternSyntax.toLowerCase();
  if (syntax !== 'ecmascript' && syntax !== 'regular expressions') p.push(`patternSyntax is ${show(r.patternSyntax)}, not regular expressions`);
  if (r.matchUrl !== '.*') p.push(`match url is ${show(r.matchUrl)}, expected ".*"`);
  const want = e.conditions[0]!;
  // PowerShell's -eq (HealthChecker) compares case-insensitively.
  const hit = r.conditions.find((c) => c.input.toLowerCase() === want.input.toLowerCase() && c.pattern.toLowerCase() === want.pattern.toLowerCase() && !c.negate);
  if (!hit) {
    const c = r.conditions[0];
    p.push(c ? `condition is ${show(c.input)} ~ ${show(c.pattern)}${c.negate ? ' (negated)' : ''}, expected ${show(want.input)} ~ ${show(want.pattern)}` : 'no condition');
  } else {
    if (!hit.ignoreCase) p.push('condition is case-sensitive (ignoreCase=false): a change of case bypasses it');
    if (r.conditions.length > 1 && r.logicalGrouping.toLowerCase() !== 'matchany') p.push(`${r.conditions.length - 1} more condition(s) narrow the rule (logicalGrouping MatchAll)`);
  }
  if (!r.action || !m.acceptedActions.some((a) => a.toLowerCase() === r.action!.toLowerCase())) p.push(`action is ${show(r.action)}, expected ${m.acceptedActions.join(' or ')}`);
  if (e.stopProcessing && m.family === 'proxynotshell' && !r.stopProcessing && !onlyRule) p.push('stopProcessing is false and other rules follow');
  return p;
}

interface Scopes {
  base: RuleOp[];
  root: RuleOp[];
  children: Map<string, RuleOp[]>;
  global: ConfigRule[];
}

function norm(p: string | undefined): string {
  return (p ?? '').trim().replace(/^[/\\]+|[/\\]+$/g, '').toLowerCase();
}

function addChild(s: Scopes, vdir: string, ops: RuleOp[]): void {
  if (!ops.length) return;
  const k = vdir.toLowerCase();
  s.children.set(k, [...(s.children.get(k) ?? []), ...ops]);
}

/** Rules of one web.config, split into its own level and its `<location path=…>` children. */
function webConfigScopes(doc: XNode, source: string, s: Scopes, target: 'root' | string): void {
  const own = ruleOps(doc, source);
  if (target === 'root') s.root.push(...own);
  else addChild(s, target, own);
  for (const loc of kids(doc, 'location')) {
    const p = norm(attr(loc, 'path'));
    const ops = ruleOps(loc, source);
    if (p === '' || p === '.') {
      if (target === 'root') s.root.push(...ops);
      else addChild(s, target, ops);
    } else addChild(s, target === 'root' ? p.split(/[/\\]/)[0]! : target, ops);
  }
}

type Outcome = { kind: 'ok'; rule: ConfigRule } | { kind: 'disabled'; rule: ConfigRule } | { kind: 'conflict'; rule: ConfigRule; problems: string[] } | { kind: 'missing' };

function judge(e: RewriteRule, m: FamilyMitigation, list: ConfigRule[], checks?: RuleCheck[]): Outcome {
  let disabled: ConfigRule | undefined;
  let conflict: { rule: ConfigRule; problems: string[] } | undefined;
  let ok: ConfigRule | undefined;
  for (const r of list) {
    const problems = ruleProblems(r, e, m, list.length === 1);
    const named = r.name.toLowerCase() === e.name.toLowerCase();
    if (!problems.length || named) checks?.push({ name: r.name, source: r.source, enabled: r.enabled, valid: !problems.length, problems });
    if (!problems.length && r.enabled) ok ??= r;
    else if (!problems.length) disabled ??= r;
    else if (named) conflict ??= { rule: r, problems };
  }
  if (ok) return { kind: 'ok', rule: ok };
  if (disabled) return { kind: 'disabled', rule: disabled };
  if (conflict) return { kind: 'conflict', ...conflict };
  return { kind: 'missing' };
}

function verifyFamily(family: MitigatableFamily, s: Scopes, fileErrors: string[], haveConfig: boolean, haveSiteWebConfig: boolean): FamilyMitigationCheck {
  const m = MITIGATIONS[family];
  const out: FamilyMitigationCheck = { family, status: 'not-mitigated', rewriteMitigationExists: true, reasons: [], rules: [] };
  const base = applyOps([], s.base);
  const root = applyOps(base, s.root);
  const effective = [...s.global, ...root];
  const outcomes = m.rules.map((e) => ({ e, o: judge(e, m, effective, out.rules) }));
  const missing = outcomes.filter((x) => x.o.kind === 'missing');
  const bad = outcomes.filter((x) => x.o.kind === 'disabled' || x.o.kind === 'conflict');
  for (const { e, o } of outcomes) {
    if (o.kind === 'ok') out.reasons.push(`rule ${show(o.rule.name)} in ${o.rule.source} does what ${show(e.name)} does`);
    else if (o.kind === 'disabled') out.reasons.push(`rule ${show(o.rule.name)} in ${o.rule.source} would work but is disabled (enabled="false")`);
    else if (o.kind === 'conflict') out.reasons.push(`rule ${show(o.rule.name)} in ${o.rule.source} has the expected name but does something else: ${o.problems.join('; ')} (roll back, then re-apply)`);
    else out.reasons.push(`no rule ${show(e.name)} (nor one that does the same) on the site`);
  }
  if (bad.length) out.status = 'conflicting-or-disabled';
  else if (missing.length) {
    out.status = 'not-mitigated';
    if (missing.length < m.rules.length) out.reasons.push(`only ${m.rules.length - missing.length} of the ${m.rules.length} rules are in place`);
  } else {
    out.status = 'mitigated';
    // A virtual directory whose web.config clears or removes the rules is not protected.
    for (const [vdir, ops] of s.children) {
      const removals: Removal[] = [];
      const list = [...s.global, ...applyOps(root, ops, removals)];
      const lost = m.rules.filter((e) => judge(e, m, list).kind !== 'ok');
      if (!lost.length) continue;
      out.status = 'not-mitigated';
      const how = removals.map((r) => `${r.name === null ? '<clear/>' : `<remove name=${show(r.name)}/>`} in ${r.source}`).join(', ') || 'a rule of its own';
      out.reasons.push(`/${vdir}: ${lost.map((e) => show(e.name)).join(', ')} no longer applies (${how}); select "Revert to Parent" for its rewrite rules`);
    }
  }
  if (out.status === 'not-mitigated' && haveConfig && !haveSiteWebConfig) {
    // Microsoft's scripts write the rules into the site's web.config: a collection without it cannot show them.
    out.reasons.push("the site's web.config (inetpub\\wwwroot\\web.config, where the scripts write the rules) is not in the evidence");
  }
  if (!haveConfig) {
    out.status = 'unknown';
    out.reasons.unshift('no applicationHost.config or site web.config in the evidence');
  } else if (fileErrors.length) {
    out.status = 'unknown';
    out.reasons.unshift(...fileErrors.map((e) => `cannot tell: ${e}`));
  }
  return out;
}

/**
 * Per family: is the vendor's URL Rewrite mitigation in effect on the site, judged from the config files alone
 * (HealthChecker's rule-validity checks, exchange-facts.md §1b.7; the EOMT status matrix, §1b.6)? ProxyShell and
 * OWASSRF are never mitigated by a rewrite rule. Unparsable files make the answer `unknown`.
 */
export function verifyMitigations(input: IisConfigInput): MitigationVerification {
  const site = norm(input.siteName ?? 'Default Web Site');
  const s: Scopes = { base: [], root: [], children: new Map(), global: [] };
  const files: MitigationVerification['files'] = [];
  const errors: string[] = [];
  const parse = (f: ConfigFileInput, role: MitigationVerification['files'][number]['role']): XNode | undefined => {
    if (f.error !== undefined || f.text === undefined) {
      const why = f.error ?? 'not readable';
      files.push({ path: f.path, role, error: why });
      errors.push(`${f.path}: ${why}`);
      return undefined;
    }
    try {
      const doc = parseConfigXml(f.text);
      files.push({ path: f.path, role });
      return doc;
    } catch (e) {
      if (!(e instanceof ConfigXmlError)) throw e;
      files.push({ path: f.path, role, error: e.message });
      errors.push(`${f.path}: ${e.message}`);
      return undefined;
    }
  };
  if (input.appHost) {
    const doc = parse(input.appHost, 'applicationHost.config');
    if (doc) {
      const src = input.appHost.path;
      s.global.push(...globalRules(doc, src));
      s.base.push(...ruleOps(doc, src));
      for (const loc of kids(doc, 'location')) {
        const p = norm(attr(loc, 'path'));
        const ops = ruleOps(loc, src);
        if (p === '' || p === '.') s.base.push(...ops);
        else if (p === site) s.root.push(...ops);
        else if (p.startsWith(`${site}/`)) addChild(s, p.slice(site.length + 1).split('/')[0]!, ops);
      }
    }
  }
  if (input.siteWebConfig) {
    const doc = parse(input.siteWebConfig, 'site web.config');
    if (doc) webConfigScopes(doc, input.siteWebConfig.path, s, 'root');
  }
  for (const c of input.children ?? []) {
    const doc = parse(c, 'child web.config');
    if (doc) webConfigScopes(doc, c.path, s, c.vdir);
  }
  const haveConfig = Boolean(input.appHost || input.siteWebConfig);
  const families: Record<string, FamilyMitigationCheck> = {};
  const haveSite = Boolean(input.siteWebConfig);
  families['proxylogon'] = verifyFamily('proxylogon', s, errors, haveConfig, haveSite);
  families['proxyshell'] = {
    family: 'proxyshell',
    status: 'not-mitigated',
    rewriteMitigationExists: false,
    reasons: ['no URL Rewrite mitigation exists for ProxyShell: only the May 2021 SU (or a later CU) fixes it'],
    rules: [],
  };
  families['proxynotshell'] = verifyFamily('proxynotshell', s, errors, haveConfig, haveSite);
  const pns = families['proxynotshell'];
  families['owassrf'] = {
    family: 'owassrf',
    status: 'not-mitigated',
    rewriteMitigationExists: false,
    reasons: [
      'no URL Rewrite mitigation exists for OWASSRF: only the November 2022 SU (or a later CU) fixes it',
      ...(pns.status === 'mitigated' ? ['the ProxyNotShell rule in place does not stop OWASSRF (OWASSRF was its bypass, through OWA)'] : []),
    ],
    rules: [],
  };
  return { families, files, note: NOT_A_FIX };
}
