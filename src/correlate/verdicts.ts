import type { Finding } from '../model/finding.js';
import { covers, type Coverage } from '../evidence/coverage.js';
import type { BuildObservation } from './build-history.js';

export type VerdictStatus = 'compromised' | 'attempted' | 'clean' | 'inconclusive' | 'not-applicable';

export interface Verdict {
  status: VerdictStatus;
  /** The exploitation window judged: from the family's first known exploitation to the fix or the end of the evidence. */
  window: { start: string; end: string; endReason: string };
  reasons: string[];
  findingIds: string[];
}

export interface FamilySpec {
  id: string;
  name: string;
  cves: string[];
  /** First publicly reported exploitation (ISO date), with its source. */
  windowStart: string;
  windowSource: string;
  /** Coverage groups whose logs can show this family's exploitation. */
  detectableIn: Array<{ accepts: (groupId: string) => boolean; label: string }>;
  /** The family's proof of success in words, for the `attempted` reason (default: ProxyLogon's). */
  successHint?: string;
  /** Whether a build has this family's fix (undefined = cannot tell). */
  isFixed: (build: string) => boolean | undefined;
}

export interface VerdictInput {
  findings: Finding[];
  coverage: Coverage;
  builds: BuildObservation[];
  since?: number;
  until?: number;
}

/** The decision table in docs/verdicts.md, in code. Order matters: the first row that applies wins. */
export function decideVerdict(f: FamilySpec, input: VerdictInput): Verdict {
  const mine = input.findings.filter((x) => x.family === f.id);
  const success = mine.filter((x) => x.evidence === 'success');
  const attempts = mine.filter((x) => x.evidence === 'attempt');
  const probes = mine.filter((x) => x.evidence === 'probe');
  const window = exploitationWindow(f, input);
  const reasons: string[] = [];
  const ids = (xs: Finding[]) => xs.map((x) => x.id);
  const count = (xs: Finding[]) => xs.reduce((n, x) => n + x.count, 0);

  if (success.length) {
    reasons.push(`${success.length} finding(s) show exploitation succeeded: ${summarise(success)}`);
    if (attempts.length) reasons.push(`${count(attempts)} further exploit request(s)`);
    return { status: 'compromised', window: window.out, reasons, findingIds: ids([...success, ...attempts, ...probes]) };
  }
  if (attempts.length) {
    reasons.push(`${count(attempts)} exploit request(s) with no sign of success: ${summarise(attempts)}`);
    reasons.push(`no file write, shell use or ${f.successHint ?? 'successful SSRF to ECP'} was found in the logs read`);
    return { status: 'attempted', window: window.out, reasons, findingIds: ids([...attempts, ...probes]) };
  }
  if (probes.length) reasons.push(`${count(probes)} scanner probe(s) only: ${summarise(probes)}`);

  if (window.notApplicable) {
    reasons.push(window.notApplicable);
    return { status: 'not-applicable', window: window.out, reasons, findingIds: ids(probes) };
  }
  const relevant = input.coverage.sources.filter((s) => f.detectableIn.some((d) => d.accepts(s.id)));
  if (!relevant.length) {
    reasons.push(`no logs that can show ${f.name} exploitation (${f.detectableIn.map((d) => d.label).join(', ')}) were found`);
    return { status: 'inconclusive', window: window.out, reasons, findingIds: ids(probes) };
  }
  const checks = relevant.map((s) => covers(s, window.startMs, window.endMs));
  const ok = checks.filter((c) => c.ok);
  if (ok.length) {
    reasons.push(`no indicator found, and ${ok.map((c) => c.why).join('; ')}`);
    return { status: 'clean', window: window.out, reasons, findingIds: ids(probes) };
  }
  reasons.push('no indicator found, but no log covers the whole exploitation window:');
  for (const c of checks) reasons.push(`  ${c.why}`);
  return { status: 'inconclusive', window: window.out, reasons, findingIds: ids(probes) };
}

interface WindowResult {
  startMs: number;
  endMs: number;
  out: Verdict['window'];
  notApplicable?: string;
}

/**
 * Window: family start → the first time the evidence shows this server on a fixed build, else the end of
 * the evidence (the latest record seen), clipped to --since/--until.
 */
export function exploitationWindow(f: FamilySpec, input: VerdictInput): WindowResult {
  let startMs = Date.parse(f.windowStart);
  const evEnd = input.coverage.evidenceEnd ? Date.parse(input.coverage.evidenceEnd) : Date.now();
  let endMs = evEnd;
  let endReason = input.coverage.evidenceEnd ? 'end of the evidence (latest record)' : 'now (no dated records)';
  const fixed = input.builds
    .filter((b) => f.isFixed(b.build) === true)
    .sort((a, b) => a.firstSeenMs - b.firstSeenMs)[0];
  const unfixedBefore = input.builds.some((b) => f.isFixed(b.build) === false && fixed && b.firstSeenMs < fixed.firstSeenMs);
  let notApplicable: string | undefined;
  if (fixed && fixed.firstSeenMs < endMs) {
    endMs = fixed.firstSeenMs;
    endReason = `the server ran fixed build ${fixed.build} from then on (${fixed.source})`;
    if (!unfixedBefore && fixed.firstSeenMs <= startMs) {
      notApplicable = `the server already ran fixed build ${fixed.build} on ${iso(fixed.firstSeenMs)}, before ${f.name} exploitation began (${f.windowStart})`;
    }
  }
  if (evEnd < startMs && input.coverage.evidenceEnd) {
    notApplicable = `the evidence ends ${iso(evEnd)}, before ${f.name} exploitation began (${f.windowStart}, ${f.windowSource})`;
  }
  if (input.since !== undefined && input.since > startMs) startMs = input.since;
  if (input.until !== undefined && input.until < endMs) {
    endMs = input.until;
    endReason = 'the --until option';
  }
  if (endMs < startMs) endMs = startMs;
  return { startMs, endMs, out: { start: iso(startMs), end: iso(endMs), endReason }, notApplicable };
}

function summarise(xs: Finding[]): string {
  const titles = new Map<string, number>();
  for (const x of xs) titles.set(x.title, (titles.get(x.title) ?? 0) + x.count);
  return [...titles].map(([t, n]) => (n > 1 ? `${t} (×${n})` : t)).join('; ');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
