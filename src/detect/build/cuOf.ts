import { loadBuildKnowledge, type BuildKnowledge, type CuInfo } from './knowledge.js';
import { productOf } from './product.js';
import type { ProductId } from './types.js';
import { compareVersions, toVersion, type ExchangeVersion } from './version.js';

export interface CuMatch {
  product: ProductId;
  cu: CuInfo;
  /**
   * True when the version's third part equals the CU's (every build of a CU shares it, e.g. 15.1.2176.x = 2016
   * CU19). False when the version falls between CUs or beyond the last known CU: then `cu` is the highest CU whose
   * base build is ≤ the version (HealthChecker's rule), which may be wrong for a CU released after the table.
   */
  certain: boolean;
}

/** The CU a version belongs to, or undefined for an unknown product or a build older than the product's first. */
export function cuOfVersion(version: string | ExchangeVersion, k: BuildKnowledge = loadBuildKnowledge()): CuMatch | undefined {
  const v = toVersion(version);
  const product = productOf(v);
  if (!product) return undefined;
  const list = k.cus.get(product);
  if (!list || list.length === 0) return undefined;
  const exact = list.filter((c) => c.baseVersion.build === v.build);
  if (exact.length > 0) {
    // Same third part: normally one CU. (2016 Preview and RTM share 225: take the highest base ≤ v, else the lowest.)
    const below = exact.filter((c) => compareVersions(c.baseVersion, v) <= 0);
    const cu = below.length > 0 ? below[below.length - 1] : exact[0];
    return cu ? { product, cu, certain: true } : undefined;
  }
  let best: CuInfo | undefined;
  for (const c of list) if (compareVersions(c.baseVersion, v) <= 0) best = c;
  return best ? { product, cu: best, certain: false } : undefined;
}
