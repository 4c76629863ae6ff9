import { cuOfVersion } from './cuOf.js';
import { loadBuildKnowledge, type BuildKnowledge, type CuInfo } from './knowledge.js';
import { productOf, sameLine } from './product.js';
import type { BuildEntry, FamilyId, FamilyInfo, ProductId } from './types.js';
import { compareVersions, toVersion, tryParseVersion, type ExchangeVersion } from './version.js';

export type FamilyStatusValue = 'fixed' | 'vulnerable' | 'unknown' | 'not-affected';

/** The build that fixes (or fixed) a family on a given CU. */
export interface FixingBuild {
  build: string;
  product: ProductId;
  cu: string;
  /** SU key, or null when the CU's base build already includes the fix. */
  su: string | null;
  kb: string | null;
  /** YYYY-MM-DD, or YYYY-MM when only the month is known. */
  date: string | null;
  /** True when the server's CU never got this SU: it must first move to `cu` (or later). */
  cuUpgrade: boolean;
}

export interface FamilyStatus {
  family: FamilyId;
  status: FamilyStatusValue;
  /** For fixed: the build that brought the fix to this CU. For vulnerable/unknown: the update to install. */
  fixedBy?: FixingBuild;
  /** One line saying why. */
  reason: string;
}

function fixing(e: BuildEntry, cuUpgrade: boolean): FixingBuild {
  return { build: e.version, product: e.product, cu: e.cu, su: e.su, kb: e.kb, date: e.released, cuUpgrade };
}

/** Every SU row with key `su` on the same code line as `product`, ascending by version. */
function suRows(k: BuildKnowledge, product: ProductId, su: string): BuildEntry[] {
  return k.table.builds
    .filter((b) => b.su === su && sameLine(b.product, product))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** Lowest row for SU `su` in this CU (where sources disagree, the lower build counts: both are that SU). */
function cuEntry(cu: CuInfo, su: string): BuildEntry | undefined {
  return cu.sus.find((b) => b.su === su);
}

/** The threshold above which every build of the line includes SU `su`: the lowest entry of the newest CU that got it. */
function lineThreshold(rows: BuildEntry[]): BuildEntry | undefined {
  const last = rows[rows.length - 1];
  if (!last) return undefined;
  return rows.find((r) => r.product === last.product && r.cu === last.cu);
}

function cusOfLine(k: BuildKnowledge, product: ProductId): CuInfo[] {
  const out: CuInfo[] = [];
  for (const [p, list] of k.cus) if (sameLine(p, product)) out.push(...list);
  return out.sort((a, b) => compareVersions(a.baseVersion, b.baseVersion));
}

type One = { status: FamilyStatusValue; fixedBy?: FixingBuild; reason: string };

function statusForSu(k: BuildKnowledge, v: ExchangeVersion, product: ProductId, su: string): One {
  const rows = suRows(k, product, su);
  const threshold = lineThreshold(rows);
  if (!threshold) return { status: 'not-affected', reason: `no ${su} was released for this product line` };
  const match = cuOfVersion(v, k);
  if (!match) return { status: 'unknown', reason: 'the build is older than every known build of its product' };
  const cu = match.cu;
  const own = match.certain ? cuEntry(cu, su) : undefined;
  const revisionKnown = v.revision !== undefined;
  // HealthChecker step 3: at or above the newest CU's entry → every later CU includes the fix.
  if (compareVersions(v, threshold.version) >= 0 && (revisionKnown || compareVersions(cu.baseVersion, threshold.version) >= 0)) {
    if (own) return { status: 'fixed', fixedBy: fixing(own, false), reason: `at or after ${cu.cu} ${su} (${own.version})` };
    const includes = compareVersions(cu.baseVersion, threshold.version) >= 0;
    return {
      status: 'fixed',
      fixedBy: fixing(includes ? cu.base : threshold, false),
      reason: includes ? `${cu.cu} base build ${cu.base.version} already includes ${su}` : `at or after ${threshold.cu} ${su} (${threshold.version})`,
    };
  }
  // Step 4: the same CU's entry decides.
  if (own) {
    if (!revisionKnown) return { status: 'unknown', fixedBy: fixing(own, false), reason: `${cu.cu} got ${su} (${own.version}) but the build's SU level is unknown` };
    if (compareVersions(v, own.version) >= 0) return { status: 'fixed', fixedBy: fixing(own, false), reason: `at or after ${cu.cu} ${su} (${own.version})` };
    return { status: 'vulnerable', fixedBy: fixing(own, false), reason: `below ${cu.cu} ${su} (${own.version})` };
  }
  const upgrade = firstFixingOnLine(k, product, cu, su);
  const why = match.certain ? `${cu.cu} never received ${su}` : `build between CUs, nearest lower ${cu.cu} never received ${su}`;
  const r: One = { status: 'vulnerable', reason: `${why}: move to a CU that has it` };
  if (upgrade) r.fixedBy = upgrade;
  return r;
}

/** The first CU after `from` on the same line that has `su` (or includes it in its base build). */
function firstFixingOnLine(k: BuildKnowledge, product: ProductId, from: CuInfo, su: string): FixingBuild | undefined {
  const rows = suRows(k, product, su);
  const threshold = lineThreshold(rows);
  for (const c of cusOfLine(k, product)) {
    if (compareVersions(c.baseVersion, from.baseVersion) <= 0) continue;
    const e = cuEntry(c, su);
    if (e) return fixing(e, true);
    if (threshold && compareVersions(c.baseVersion, threshold.version) >= 0) return fixing(c.base, true);
  }
  return undefined;
}

function familyOrThrow(k: BuildKnowledge, id: FamilyId | string): FamilyInfo {
  const f = k.familyById.get(id as FamilyId);
  if (!f) throw new Error(`unknown vulnerability family ${JSON.stringify(id)}; known: ${[...k.familyById.keys()].join(', ')}`);
  return f;
}

/**
 * Is this build fixed for a family? HealthChecker's algorithm (`Test-ExchangeBuildGreaterOrEqualThanSecurityPatch`),
 * applied to every SU the family needs: at or after the newest CU's SU build → fixed (later CUs include it);
 * otherwise the build's own CU decides (at or after its SU build → fixed, below → vulnerable, no SU for that CU →
 * vulnerable). Builds newer than the whole table are fixed for families the table knows. Unknown product → unknown.
 * Throws BuildVersionError for an unparseable version and Error for an unknown family id.
 */
export function familyStatus(version: string | ExchangeVersion, familyId: FamilyId | string, knowledge?: BuildKnowledge): FamilyStatus {
  const k = knowledge ?? loadBuildKnowledge();
  const family = familyOrThrow(k, familyId);
  const v = toVersion(version);
  const product = productOf(v);
  if (!product) return { family: family.id, status: 'unknown', reason: 'not an Exchange 2013/2016/2019/SE build' };
  if (!family.products.some((p) => sameLine(p, product))) {
    return { family: family.id, status: 'not-affected', reason: `${family.name} does not affect this product` };
  }
  const parts = family.fixedIn.map((su) => statusForSu(k, v, product, su));
  const pick = (s: FamilyStatusValue) => parts.filter((p) => p.status === s);
  const vulnerable = pick('vulnerable');
  const unknown = pick('unknown');
  const fixed = pick('fixed');
  const withFix = (p: One[], status: FamilyStatusValue): FamilyStatus => {
    // The last SU in fixedIn is the one to install (it includes the earlier ones on the same CU).
    const last = p[p.length - 1];
    const r: FamilyStatus = { family: family.id, status, reason: last?.reason ?? '' };
    const fb = [...p].reverse().find((x) => x.fixedBy)?.fixedBy;
    if (fb) r.fixedBy = fb;
    return r;
  };
  if (vulnerable.length) return withFix(vulnerable, 'vulnerable');
  if (unknown.length) return withFix(unknown, 'unknown');
  if (fixed.length) return withFix(fixed, 'fixed');
  return { family: family.id, status: 'not-affected', reason: parts[0]?.reason ?? 'not affected' };
}

/** true = fixed (or not affected), false = vulnerable, undefined = cannot tell (incl. an unparseable version). */
export function isFixed(version: string | ExchangeVersion, familyId: FamilyId | string, knowledge?: BuildKnowledge): boolean | undefined {
  const v = typeof version === 'string' ? tryParseVersion(version) : version;
  if (!v) return undefined;
  const s = familyStatus(v, familyId, knowledge).status;
  return s === 'fixed' || s === 'not-affected' ? true : s === 'vulnerable' ? false : undefined;
}

/**
 * What to install on a CU to be fixed for a family: the CU's own SU build when Microsoft shipped one (the last SU
 * the family needs), nothing to install when the CU base already includes the fix (returns the base build), else
 * the first later CU that has it (`cuUpgrade: true`). `cuOfVersion` is a CU name with its product, or any build of
 * that CU. Undefined when the table knows no fix for that line.
 */
export function firstFixedSU(
  cuOfVersion: { product: ProductId; cu: string } | string,
  familyId: FamilyId | string,
  knowledge?: BuildKnowledge,
): FixingBuild | undefined {
  const k = knowledge ?? loadBuildKnowledge();
  const family = familyOrThrow(k, familyId);
  let cu: CuInfo | undefined;
  if (typeof cuOfVersion === 'string') {
    const v = toVersion(cuOfVersion);
    const product = productOf(v);
    if (!product) return undefined;
    cu = (k.cus.get(product) ?? []).filter((c) => compareVersions(c.baseVersion, v) <= 0).pop();
  } else {
    const want = cuOfVersion.cu.toUpperCase();
    cu = (k.cus.get(cuOfVersion.product) ?? []).find((c) => c.cu.toUpperCase() === want || c.cuAlias?.toUpperCase() === want);
  }
  if (!cu) return undefined;
  const su = family.fixedIn[family.fixedIn.length - 1];
  if (!su) return undefined;
  if (!family.products.some((p) => sameLine(p, cu.product))) return undefined;
  const own = cuEntry(cu, su);
  if (own) {
    // Every earlier SU the family needs must also exist for this CU (it does when the last one does, in practice).
    return fixing(own, false);
  }
  const threshold = lineThreshold(suRows(k, cu.product, su));
  if (threshold && compareVersions(cu.baseVersion, threshold.version) >= 0) return fixing(cu.base, false);
  return firstFixingOnLine(k, cu.product, cu, su);
}
