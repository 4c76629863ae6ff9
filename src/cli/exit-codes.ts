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
  /** `exhunt verify`: the archive, an entry or the manifest differs from what was written. */
  VERIFY_FAILED: 7,
  /** The output cannot be written (no space, write error, exists): one line on stderr. */
  OUTPUT: 8,
} as const;

export function exitCodeForVerdicts(statuses: string[]): number {
  if (statuses.includes('compromised')) return EXIT.COMPROMISED;
  if (statuses.includes('attempted')) return EXIT.ATTEMPTED;
  if (statuses.includes('inconclusive')) return EXIT.INCONCLUSIVE;
  return EXIT.OK;
}
