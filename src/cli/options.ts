import { UsageError } from '../model/errors.js';

/** A whole-number option within [min, max], or undefined when not given; one clear usage error otherwise. */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got ${value}`);
  return n;
}
