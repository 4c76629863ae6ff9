import { UsageError } from '../model/errors.js';

/** TLP 2.0 levels (the --tlp option; STIX markings and the HTML banner). */
export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

export const TLP_LEVELS: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];

export function parseTlp(v: string | undefined, fallback: Tlp = 'amber'): Tlp {
  if (v === undefined) return fallback;
  const t = v.toLowerCase().replace(/^tlp:/, '');
  if ((TLP_LEVELS as readonly string[]).includes(t)) return t as Tlp;
  throw new UsageError(`--tlp: expected one of ${TLP_LEVELS.join(', ')}, got ${v}`);
}
