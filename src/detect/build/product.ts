import type { ProductId } from './types.js';
import type { ExchangeVersion } from './version.js';

/**
 * Product of a version, HealthChecker's rule: 15.0 = Exchange 2013, 15.1 = 2016, 15.2 with build ≥ 2562 =
 * Exchange SE, other 15.2 = 2019. Anything else (Exchange 2010 = 14.x, unknown future lines) → undefined.
 */
export function productOf(v: ExchangeVersion): ProductId | undefined {
  if (v.major !== 15) return undefined;
  if (v.minor === 0) return 'Exchange2013';
  if (v.minor === 1) return 'Exchange2016';
  if (v.minor === 2) return v.build >= 2562 ? 'ExchangeSE' : 'Exchange2019';
  return undefined;
}

const NAMES: Record<ProductId, string> = {
  Exchange2013: 'Exchange Server 2013',
  Exchange2016: 'Exchange Server 2016',
  Exchange2019: 'Exchange Server 2019',
  ExchangeSE: 'Exchange Server Subscription Edition',
};

export function productName(id: ProductId): string {
  return NAMES[id];
}

/** Products of the same code line (Exchange SE continues the 2019 line and carries every 2019 fix). */
export function sameLine(a: ProductId, b: ProductId): boolean {
  const line = (p: ProductId) => (p === 'ExchangeSE' ? 'Exchange2019' : p);
  return line(a) === line(b);
}
