import type { EventRecord, LogSource } from '../model/record.js';
import type { EvidenceWeight, Severity } from '../model/finding.js';

/** exhunt's extension keys, under the top-level `exhunt:` mapping of a Sigma rule (docs/rules.md). */
export interface ExhuntExtension {
  /** Verdict family (`proxylogon`, `proxyshell`, ...); absent for rules that feed no verdict. */
  family?: string;
  cves: string[];
  /** What a hit proves for the verdict. Default `attempt`. */
  evidence: EvidenceWeight;
  /** One-line summary template; `{Field}` is replaced by the record's (or a derived) field value. */
  summary?: string;
  /** Fields whose values make up the aggregation key (floods of one rule from one IP collapse). */
  groupBy?: string[];
  /**
   * Named captures from a field into derived fields, with a linear-time regex (RE2 syntax, `(?P<Name>…)`);
   * `decode` first decodes the field's value (`url`, `base64`, `rps-cat`: the identity in an X-Rps-CAT token).
   */
  extract: Array<{ field: string; regex: string; decode?: 'url' | 'base64' | 'rps-cat' }>;
  /** Predicates plain Sigma cannot say, evaluated after `detection` matched. */
  where: WherePredicate[];
  /** Which record fields feed which entity list. */
  entities: Partial<Record<'ips' | 'userAgents' | 'mailboxes' | 'accounts' | 'paths' | 'hashes', string[]>>;
  /** Raise the severity to `high` when this family's verdict shows exploitation (attempted or compromised). */
  raiseWith?: string;
}

export type WherePredicate =
  /** The field holds a Windows path that is NOT under `<Exchange install>\<subpath>` (case-insensitive). */
  | { notUnderInstall: { field: string; subpath: string } }
  /** The field holds a Windows path that IS under `<Exchange install>\<subpath>`. */
  | { underInstall: { field: string; subpath: string } };

/** What the engine knows about the evidence when it evaluates `where` predicates. */
export interface RuleContext {
  /** Windows-style Exchange install path with trailing backslash, e.g. `C:\Program Files\Microsoft\Exchange Server\V15\`. */
  installPath?: string;
}

export interface CompiledRule {
  id: string;
  title: string;
  description?: string;
  level: Severity;
  status?: string;
  logsource: LogSource;
  tags: string[];
  references: string[];
  falsepositives: string[];
  /** Field names the rule's detection reads (for exports and docs). */
  fields: string[];
  exhunt: ExhuntExtension;
  /** File the rule came from (relative to the rule root) for error messages. */
  file: string;
  /**
   * Literal pre-filter: the record can only match if its raw text contains (case-insensitively, unless
   * `caseSensitive`) at least one of these strings, and (`also`, compared case-insensitively) at least one
   * string of every further clause. `null` = no safe literal set (always evaluate).
   */
  prefilter: { literals: string[]; caseSensitive: boolean; also?: string[][] } | null;
  /** Full evaluation of detection + condition + exhunt `where`; returns derived fields on a match, else null. */
  match(record: EventRecord, context?: RuleContext): RuleMatch | null;
}

export interface RuleMatch {
  /** Fields captured by `exhunt.extract`. */
  derived: Record<string, string>;
}

export interface RuleLoadIssue {
  file: string;
  ruleId?: string;
  message: string;
}
