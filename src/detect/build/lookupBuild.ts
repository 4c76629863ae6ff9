import { cuOfVersion } from './cuOf.js';
import { loadBuildKnowledge, type BuildKnowledge } from './knowledge.js';
import { productName, productOf } from './product.js';
import type { BuildEntry, ProductId } from './types.js';
import { compareVersions, formatVersion, formatVersionLong, parseVersion } from './version.js';

/** What the build table says about one version. All fields are data; nothing is printed. */
export interface BuildInfo {
  /** Normalised short form (`15.1.2176.2`; three parts if the input had three). */
  build: string;
  /** Long, zero-padded form (`15.01.2176.002`). */
  buildLong: string;
  /** The exact version is a row of the table. */
  known: boolean;
  product?: ProductId;
  productName?: string;
  /** `CU19`, `RTM`…; undefined when the CU cannot be placed (unknown product, older than the first build). */
  cu?: string;
  cuAlias?: string;
  /** False when the version is between CUs or after the last known CU (the CU is the nearest lower one). */
  cuCertain?: boolean;
  cuBaseBuild?: string;
  cuReleased?: string | null;
  /**
   * The SU: its key (`Mar21SU`) for a known SU build, null for the CU's own base build, undefined when it is not
   * known (a build between the table's builds, a hotfix update, or a three-part version).
   */
  su?: string | null;
  kb?: string | null;
  /** Release date of this exact build (YYYY-MM-DD, or YYYY-MM when only the month is known). */
  released?: string | null;
  /** Whether the CU is still supported on `asOf`: the product is in support and Microsoft still ships SUs for that CU. */
  supported?: boolean;
  productEndOfSupport?: string | null;
  supportNote?: string;
  /** Newest SU build known for this CU (what "fully patched on this CU" means as of the knowledge date). */
  latestInCu?: { build: string; su: string | null; released: string | null };
  /** Newest build known for the product. */
  latestForProduct?: { build: string; cu: string; su: string | null; released: string | null };
  /** The version is newer than every known build of its product: the table cannot name its CU/SU for sure. */
  newerThanKnowledge: boolean;
  knowledgeDate: string;
  /** Human-readable remarks (source disagreements, unknown SU, …). */
  notes: string[];
}

export interface LookupOptions {
  /** Date for the support verdict (default: now). */
  asOf?: Date;
  knowledge?: BuildKnowledge;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function newest(builds: BuildEntry[]): BuildEntry | undefined {
  let best: BuildEntry | undefined;
  for (const b of builds) if (!best || compareVersions(b.version, best.version) > 0) best = b;
  return best;
}

/**
 * Look a version up in the build table. Accepts `15.1.2176.2`, `15.01.2176.002`, `15.1.2176` or
 * `Version 15.1 (Build 2176.2)`; throws BuildVersionError for anything else. Unknown builds are placed as well as
 * the table allows: the CU by its build number, the SU as unknown.
 */
export function lookupBuild(version: string, options: LookupOptions = {}): BuildInfo {
  const k = options.knowledge ?? loadBuildKnowledge();
  const v = parseVersion(version);
  const short = formatVersion(v);
  const info: BuildInfo = {
    build: short,
    buildLong: formatVersionLong(v),
    known: false,
    newerThanKnowledge: false,
    knowledgeDate: k.knowledgeDate,
    notes: [],
  };
  const product = productOf(v);
  if (!product) {
    info.notes.push(
      v.major === 14 || v.major === 8
        ? `Exchange ${v.major === 14 ? '2010' : '2007'} build: outside exhunt's build table (Exchange 2013 and later)`
        : 'not an Exchange 2013/2016/2019/SE build number (15.0, 15.1 or 15.2)',
    );
    return info;
  }
  info.product = product;
  info.productName = productName(product);
  const p = k.products.get(product);
  const productBuilds = k.table.builds.filter((b) => b.product === product);
  const latest = newest(productBuilds);
  if (latest) {
    info.latestForProduct = { build: latest.version, cu: latest.cu, su: latest.su, released: latest.released };
    if (compareVersions(v, latest.version) > 0) {
      info.newerThanKnowledge = true;
      info.notes.push(`newer than every ${info.productName} build known to exhunt (knowledge date ${k.knowledgeDate})`);
    }
  }

  const match = cuOfVersion(v, k);
  if (!match) {
    info.notes.push(`older than the first known ${info.productName} build`);
    return info;
  }
  const cu = match.cu;
  info.cu = cu.cu;
  if (cu.cuAlias) info.cuAlias = cu.cuAlias;
  info.cuCertain = match.certain;
  info.cuBaseBuild = cu.base.version;
  info.cuReleased = cu.base.released;
  if (!match.certain) {
    info.notes.push(
      info.newerThanKnowledge
        ? `build number ${v.build} belongs to no known CU; it is after ${cu.cu} and may be a later CU`
        : `build number ${v.build} belongs to no known CU; placed in ${cu.cu}, the nearest lower one`,
    );
  }
  const latestCu = newest([cu.base, ...cu.sus]);
  if (latestCu) info.latestInCu = { build: latestCu.version, su: latestCu.su, released: latestCu.released };

  const rows = v.revision === undefined ? [] : (k.byVersion.get(short) ?? []);
  const row = rows.find((r) => r.su !== null) ?? rows[0];
  if (row) {
    info.known = true;
    info.su = row.su;
    info.kb = row.kb;
    info.released = row.released;
    if (row.note) info.notes.push(row.note);
  } else if (v.revision === undefined) {
    info.notes.push('three-part version: the CU is known, the security update level is not');
  } else {
    info.notes.push(`unknown SU: ${short} is not in the table (between known builds of ${cu.cu}, or a hotfix update)`);
  }

  if (p) {
    const asOf = isoDay(options.asOf ?? new Date());
    const productInSupport = p.endOfSupport === null || asOf < p.endOfSupport;
    const serviced = p.servicedCus.includes(cu.cu) && match.certain;
    info.supported = productInSupport && serviced;
    info.productEndOfSupport = p.endOfSupport;
    if (productInSupport && !match.certain && info.newerThanKnowledge) {
      // A CU released after the table: most likely current, but the table cannot say.
      delete info.supported;
      info.supportNote = `a build newer than the build knowledge (${k.knowledgeDate}); ${p.name} is in support, the CU cannot be judged`;
    } else if (!productInSupport) {
      info.supportNote = `${p.name} reached end of support on ${p.endOfSupport}` +
        (p.servicedCus.length ? `; the last serviced CU is ${p.servicedCus.join('/')}` : '');
    } else if (!serviced) {
      info.supportNote = `${cu.cu} no longer receives security updates; serviced: ${p.servicedCus.join(', ')}`;
    } else {
      info.supportNote = `${cu.cu} is a serviced CU of ${p.name}`;
    }
  }
  return info;
}
