import { ExhuntError } from '../../model/errors.js';

/**
 * An Exchange build number, `major.minor.build.revision` (e.g. `15.1.2176.2`). `revision` is absent when only
 * three parts are known (the OWA resource path of newer builds shows `15.1.2176`, which fixes the CU but not the SU).
 */
export interface ExchangeVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision?: number;
}

/** A version string that is not an Exchange build number. Stable code `E_BUILD_VERSION`. */
export class BuildVersionError extends ExhuntError {
  readonly input: string;
  constructor(input: string) {
    const shown = input.length > 60 ? `${input.slice(0, 60)}…` : input;
    super('E_BUILD_VERSION', `not an Exchange build number: ${JSON.stringify(shown)} (expected e.g. 15.1.2176.2 or 15.01.2176.002)`);
    this.name = 'BuildVersionError';
    this.input = input;
  }
}

const DOTTED = /^v?(\d{1,5})\.(\d{1,5})\.(\d{1,6})(?:\.(\d{1,6}))?$/i;
// Get-ExchangeServer AdminDisplayVersion, e.g. "Version 15.2 (Build 986.5)".
const ADMIN_DISPLAY = /^Version\s+(\d{1,5})\.(\d{1,5})\s+\(Build\s+(\d{1,6})\.(\d{1,6})\)$/i;

/**
 * Parse `15.1.2176.2`, the zero-padded long form `15.01.2176.002` (log headers, ExSetup file version), a
 * three-part `15.1.2176`, or the AdminDisplayVersion text `Version 15.2 (Build 986.5)`. Returns undefined for
 * anything else (never throws).
 */
export function tryParseVersion(input: string): ExchangeVersion | undefined {
  if (typeof input !== 'string' || input.length > 80) return undefined;
  const s = input.trim();
  const m = DOTTED.exec(s) ?? ADMIN_DISPLAY.exec(s);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const build = Number(m[3]);
  if (m[4] === undefined) return { major, minor, build };
  return { major, minor, build, revision: Number(m[4]) };
}

/** Like {@link tryParseVersion} but throws {@link BuildVersionError}. */
export function parseVersion(input: string): ExchangeVersion {
  const v = tryParseVersion(input);
  if (!v) throw new BuildVersionError(String(input));
  return v;
}

/** Accept either a string or a parsed version. */
export function toVersion(v: string | ExchangeVersion): ExchangeVersion {
  return typeof v === 'string' ? parseVersion(v) : v;
}

/**
 * Compare two versions: negative, zero or positive. A missing revision compares as 0 (so a three-part
 * `15.1.2176` equals the CU base `15.1.2176.0`, which is below every real build of that CU).
 */
export function compareVersions(a: string | ExchangeVersion, b: string | ExchangeVersion): number {
  const x = toVersion(a);
  const y = toVersion(b);
  return x.major - y.major || x.minor - y.minor || x.build - y.build || (x.revision ?? 0) - (y.revision ?? 0);
}

/** Short form `15.1.2176.2` (three parts if the revision is unknown). */
export function formatVersion(v: ExchangeVersion): string {
  const base = `${v.major}.${v.minor}.${v.build}`;
  return v.revision === undefined ? base : `${base}.${v.revision}`;
}

/** Long, zero-padded form `15.01.2176.002` as Microsoft's tables and the HttpProxy log headers write it. */
export function formatVersionLong(v: ExchangeVersion): string {
  const base = `${v.major}.${String(v.minor).padStart(2, '0')}.${String(v.build).padStart(4, '0')}`;
  return v.revision === undefined ? base : `${base}.${String(v.revision).padStart(3, '0')}`;
}

/** Normalise any accepted spelling to the short form, or undefined if it does not parse. */
export function normalizeVersion(input: string): string | undefined {
  const v = tryParseVersion(input);
  return v ? formatVersion(v) : undefined;
}
