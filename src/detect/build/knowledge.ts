import { readAsset } from '../../assets.js';
import type { BuildEntry, BuildTableFile, FamiliesFile, FamilyId, FamilyInfo, ProductId, ProductInfo } from './types.js';
import { compareVersions, parseVersion, type ExchangeVersion } from './version.js';

/** One CU of a product, with its base build and its SU builds (several per SU key when sources disagree). */
export interface CuInfo {
  product: ProductId;
  cu: string;
  cuAlias?: string;
  base: BuildEntry;
  baseVersion: ExchangeVersion;
  /** SU builds, ascending by version. */
  sus: BuildEntry[];
}

/** The build table and the families, parsed once and indexed. */
export interface BuildKnowledge {
  table: BuildTableFile;
  families: FamiliesFile;
  knowledgeDate: string;
  products: Map<ProductId, ProductInfo>;
  /** CUs per product, ascending by base build. */
  cus: Map<ProductId, CuInfo[]>;
  /** Rows by short version (a version may have two rows, e.g. CU22 base = Feb19SU). */
  byVersion: Map<string, BuildEntry[]>;
  familyById: Map<FamilyId, FamilyInfo>;
}

/** Build the index from the two parsed files (exported for tests that use their own tables). */
export function indexKnowledge(table: BuildTableFile, families: FamiliesFile): BuildKnowledge {
  const products = new Map(table.products.map((p) => [p.id, p] as const));
  const byVersion = new Map<string, BuildEntry[]>();
  const cuMap = new Map<string, CuInfo>();
  for (const b of table.builds) {
    const list = byVersion.get(b.version) ?? [];
    list.push(b);
    byVersion.set(b.version, list);
  }
  for (const b of table.builds) {
    if (b.su !== null) continue;
    const info: CuInfo = { product: b.product, cu: b.cu, base: b, baseVersion: parseVersion(b.version), sus: [] };
    if (b.cuAlias) info.cuAlias = b.cuAlias;
    cuMap.set(`${b.product}|${b.cu}`, info);
  }
  for (const b of table.builds) {
    if (b.su === null) continue;
    const cu = cuMap.get(`${b.product}|${b.cu}`);
    if (!cu) throw new Error(`exchange-builds.json: SU row ${b.version} has no CU base row ${b.product} ${b.cu}`);
    cu.sus.push(b);
  }
  const cus = new Map<ProductId, CuInfo[]>();
  for (const c of cuMap.values()) {
    c.sus.sort((x, y) => compareVersions(x.version, y.version));
    const list = cus.get(c.product) ?? [];
    list.push(c);
    cus.set(c.product, list);
  }
  for (const list of cus.values()) list.sort((x, y) => compareVersions(x.baseVersion, y.baseVersion));
  const familyById = new Map(families.families.map((f) => [f.id, f] as const));
  return { table, families, knowledgeDate: table.knowledgeDate, products, cus, byVersion, familyById };
}

let cached: BuildKnowledge | undefined;

/** The shipped knowledge (`data/exchange-builds.json`, `data/exchange-families.json`), read once. */
export function loadBuildKnowledge(): BuildKnowledge {
  if (!cached) {
    const table = JSON.parse(readAsset('data/exchange-builds.json')) as BuildTableFile;
    const families = JSON.parse(readAsset('data/exchange-families.json')) as FamiliesFile;
    if (table.schema !== 1 || families.schema !== 1) throw new Error('exhunt: unsupported build knowledge schema');
    cached = indexKnowledge(table, families);
  }
  return cached;
}

/** The date of the build knowledge (newest release in the table; `YYYY-MM` when only the month is known). */
export function buildKnowledgeDate(): string {
  return loadBuildKnowledge().knowledgeDate;
}

/** Every family id, in the data file's order. */
export function familyIds(): FamilyId[] {
  return loadBuildKnowledge().families.families.map((f) => f.id);
}

export function getFamily(id: FamilyId | string): FamilyInfo | undefined {
  return loadBuildKnowledge().familyById.get(id as FamilyId);
}
