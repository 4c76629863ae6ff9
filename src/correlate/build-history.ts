/** A build the evidence shows the server running, and when (from HttpProxy `#Version:` headers). */
export interface BuildObservation {
  build: string;
  firstSeenMs: number;
  lastSeenMs: number;
  source: string;
}

/** Normalise `15.01.2176.009` → `15.1.2176.9`; null if it is not a 4-part version. */
export function normaliseBuild(v: string): string | null {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,5})\.(\d{1,5})\s*$/.exec(v);
  if (!m) return null;
  return [m[1], m[2], m[3], m[4]].map((x) => String(Number(x))).join('.');
}

/** Collects per-file header versions into a build timeline. */
export class BuildHistory {
  private readonly seen = new Map<string, BuildObservation>();
  /** The last header version and its normal form: thousands of hourly files repeat one or two. */
  private lastVersion = '';
  private lastBuild: string | null = null;

  observe(version: string | undefined, firstMs: number | undefined, lastMs: number | undefined, source: string): void {
    if (!version || firstMs === undefined) return;
    if (version !== this.lastVersion) {
      this.lastVersion = version;
      this.lastBuild = normaliseBuild(version);
    }
    const build = this.lastBuild;
    // ECP logs write a placeholder 15.0.0.0; only real builds tell the patch level.
    if (!build || build.endsWith('.0.0') || !build.startsWith('15.') && !build.startsWith('14.')) return;
    const o = this.seen.get(build);
    const last = lastMs ?? firstMs;
    if (!o) this.seen.set(build, { build, firstSeenMs: firstMs, lastSeenMs: last, source });
    else {
      if (firstMs < o.firstSeenMs) {
        o.firstSeenMs = firstMs;
        o.source = source;
      }
      if (last > o.lastSeenMs) o.lastSeenMs = last;
    }
  }

  list(): BuildObservation[] {
    return [...this.seen.values()].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
  }
}
