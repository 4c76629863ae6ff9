/**
 * Internal error raised while reading or compiling one rule. The rule set turns it into a
 * `RuleLoadIssue` (third-party packs) or a `RuleError` (our own rules in strict mode), adding the file
 * and rule id. `unsupported` = valid Sigma this engine cannot run (aggregations, look-around regexes);
 * `invalid` = the rule itself is wrong.
 */
export type ProblemKind = 'invalid' | 'unsupported';

export class RuleProblem extends Error {
  readonly kind: ProblemKind;
  constructor(message: string, kind: ProblemKind = 'invalid') {
    super(message);
    this.name = 'RuleProblem';
    this.kind = kind;
  }
}

/** Issue message prefix, so reports and the corpus test can tell the two apart. */
export function problemText(p: RuleProblem): string {
  return `${p.kind}: ${p.message}`;
}
