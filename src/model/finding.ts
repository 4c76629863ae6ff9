import type { SourcePointer } from './record.js';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * What a hit proves for its family's verdict:
 * - `success`: exploitation worked (a file written, a shell used, code run, SSRF reaching ECP with 200);
 * - `attempt`: an exploit request with no sign that it worked;
 * - `probe`: scanners and vulnerability checks (including Microsoft's own nmap script);
 * - `context`: facts that matter only next to other evidence (archives in ProgramData).
 */
export type EvidenceWeight = 'success' | 'attempt' | 'probe' | 'context';

export interface Entities {
  ips: string[];
  userAgents: string[];
  mailboxes: string[];
  accounts: string[];
  paths: string[];
  hashes: string[];
}

export interface SampleHit {
  time?: string;
  source: SourcePointer;
  /** Key fields of this particular record. */
  fields: Record<string, string>;
}

/**
 * One finding = one rule hit, or a flood of hits of the same rule sharing the rule's grouping key
 * (same attacker IP and target, say), counted with first/last time and a few samples.
 */
export interface Finding {
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  family: string | null;
  cves: string[];
  evidence: EvidenceWeight;
  /** One line in words, filled from the record. */
  summary: string;
  /** ISO 8601 UTC time of the first hit (absent for file findings without a time). */
  time?: string;
  lastTime?: string;
  count: number;
  /** The first hit. */
  source: SourcePointer & { kind: string };
  /** Key fields of the first hit. */
  fields: Record<string, string>;
  entities: Entities;
  /** Up to a few more hits (the first ones and the last one), for floods. */
  samples: SampleHit[];
  tags: string[];
  /** Family whose exploitation raises this finding to high (context findings such as archives). */
  raiseWith?: string;
}

export function emptyEntities(): Entities {
  return { ips: [], userAgents: [], mailboxes: [], accounts: [], paths: [], hashes: [] };
}
