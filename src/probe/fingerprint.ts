import { tryParseVersion, formatVersion } from '../detect/build/index.js';

/** Where a remotely read build came from (exchange-facts.md §3). */
export type BuildSource = 'x-owa-version' | 'exporttool-manifest' | 'owa-path';

export interface BuildEvidence {
  source: BuildSource;
  /** Normalised build, `15.1.2176.2`, or three parts `15.1.2176` (CU level only). */
  build: string;
  /** `full` = four parts (SU level known), `cu` = three parts (SU unknown). */
  precision: 'full' | 'cu';
  /** Request that produced it, e.g. `GET /owa/`. */
  request: string;
  /** The matched text (bounded). */
  raw: string;
}

/** Longest header / snippet we look at. */
const MAX_FIELD = 200;

function normalise(s: string): { build: string; precision: 'full' | 'cu' } | undefined {
  const v = tryParseVersion(s);
  if (!v || v.major !== 15) return undefined;
  return { build: formatVersion(v), precision: v.revision === undefined ? 'cu' : 'full' };
}

/** `X-OWA-Version: 15.1.2176.2` → full build (three parts are accepted and marked CU-level). */
export function buildFromOwaVersionHeader(value: string | undefined, request: string): BuildEvidence | undefined {
  if (!value) return undefined;
  const raw = value.trim().slice(0, MAX_FIELD);
  const m = /^(\d{1,3}\.\d{1,3}\.\d{1,6}(?:\.\d{1,6})?)$/.exec(raw);
  const n = m ? normalise(m[1]!) : undefined;
  return n ? { source: 'x-owa-version', ...n, request, raw } : undefined;
}

// Bounded: every quantifier has an upper limit, so a hostile body cannot cause backtracking blow-ups.
const OWA_PATH = /\/owa\/(?:auth\/)?(\d{1,3}\.\d{1,3}\.\d{1,6}(?:\.\d{1,6})?)\//;

/**
 * The OWA resource path in a body or `Location` (`/owa/auth/15.1.2176/themes/…`, `/owa/15.1.2176.2/…`): four parts
 * on older builds, three (CU level, SU unknown) on newer ones.
 */
export function buildFromOwaPath(text: string | undefined, request: string): BuildEvidence | undefined {
  if (!text) return undefined;
  const m = OWA_PATH.exec(text);
  if (!m) return undefined;
  const n = normalise(m[1]!);
  return n ? { source: 'owa-path', ...n, request, raw: m[0].slice(0, MAX_FIELD) } : undefined;
}

const ASSEMBLY_IDENTITY = /<(?:asmv1:|asmv2:)?assemblyIdentity\b([^<>]{0,2000})>/gi;
const ATTR_VERSION = /\bversion\s*=\s*["'](\d{1,3}\.\d{1,3}\.\d{1,6}\.\d{1,6})["']/i;
const ATTR_NAME = /\bname\s*=\s*["']([^"']{0,200})["']/i;

/**
 * The eDiscovery export tool ClickOnce manifest: the `version` of the `<assemblyIdentity>` element whose name is
 * the export tool (the first `<assemblyIdentity>` with a 15.x version if none is named so).
 */
export function buildFromExportToolManifest(body: string | undefined, request: string): BuildEvidence | undefined {
  if (!body) return undefined;
  let fallback: BuildEvidence | undefined;
  ASSEMBLY_IDENTITY.lastIndex = 0;
  let count = 0;
  for (let m = ASSEMBLY_IDENTITY.exec(body); m && count < 50; m = ASSEMBLY_IDENTITY.exec(body), count++) {
    const attrs = m[1]!;
    const v = ATTR_VERSION.exec(attrs);
    if (!v) continue;
    const n = normalise(v[1]!);
    if (!n) continue;
    const ev: BuildEvidence = { source: 'exporttool-manifest', ...n, request, raw: m[0].slice(0, MAX_FIELD) };
    const name = ATTR_NAME.exec(attrs)?.[1] ?? '';
    if (/microsoft\.exchange\.ediscovery\.exporttool/i.test(name)) return ev;
    fallback ??= ev;
  }
  return fallback;
}

/** Pick the best evidence: a full build beats a CU-level one; among equals, header > manifest > path. */
export function bestBuild(evidence: readonly BuildEvidence[]): BuildEvidence | undefined {
  const rank: Record<BuildSource, number> = { 'x-owa-version': 0, 'exporttool-manifest': 1, 'owa-path': 2 };
  return [...evidence].sort((a, b) => {
    if (a.precision !== b.precision) return a.precision === 'full' ? -1 : 1;
    return rank[a.source] - rank[b.source];
  })[0];
}

/** Full builds from different sources that disagree (e.g. a header from a load balancer's other node). */
export function conflictingBuilds(evidence: readonly BuildEvidence[]): string[] {
  const full = new Set(evidence.filter((e) => e.precision === 'full').map((e) => e.build));
  const cus = new Set(evidence.map((e) => e.build.split('.').slice(0, 3).join('.')));
  return full.size > 1 || cus.size > 1 ? [...new Set(evidence.map((e) => `${e.build} (${e.source})`))] : [];
}
