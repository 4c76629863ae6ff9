/**
 * Exit codes (docs/output.md). A scan's code says the worst verdict, so scripts and fleets can act on it:
 * compromised > attempted > inconclusive > clean/not-applicable.
 */
export const EXIT = {
  OK: 0,
  BUG: 1,
  USAGE: 2,
  EVIDENCE: 3,
  INCONCLUSIVE: 4,
  ATTEMPTED: 5,
  COMPROMISED: 6,
} as const;

export function exitCodeForVerdicts(statuses: string[]): number {
  if (statuses.includes('compromised')) return EXIT.COMPROMISED;
  if (statuses.includes('attempted')) return EXIT.ATTEMPTED;
  if (statuses.includes('inconclusive')) return EXIT.INCONCLUSIVE;
  return EXIT.OK;
}
