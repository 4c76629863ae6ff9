/**
 * Regenerates `data/exchange-builds.json` from Microsoft's two published Exchange build tables, as kept in the
 * shared corpus (`../shared/corpora/builds`, see its README):
 *
 *  - `exchange_builds_css-exchange.csv`: parsed from microsoft/CSS-Exchange `Shared/Get-ExchangeBuildVersionInformation.ps1`
 *    (the table HealthChecker uses): every CU and SU of 2013/2016/2019/SE up to Feb26SU, CU release dates.
 *  - `OfficeDocs-Exchange_build-numbers-and-release-dates.md`: Microsoft's docs page as of July 2021 (Mar21SU…Jul21SU
 *    with exact release dates and KB links, RTM/Preview/SP1 rows the CSS table lacks).
 *
 * Usage: node dist/scripts/gen-builds.js [--corpus DIR] [--out FILE] [--check]
 *   --corpus  folder with the corpus files (default ../shared/corpora/builds, relative to the current directory)
 *   --out     output file (default data/exchange-builds.json in the package)
 *   --check   do not write; exit 1 if the output file differs from what would be generated
 *
 * The output is deterministic (no generation timestamp), so a test can regenerate and compare byte for byte.
 * The corpus files themselves are never copied into the project; only this derived table of public facts is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetPath } from '../src/assets.js';
import { compareVersions, formatVersion, parseVersion } from '../src/detect/build/version.js';
import type {
  BuildEntry,
  BuildSourceId,
  BuildTableFile,
  FamiliesFile,
  ProductId,
  ProductInfo,
  SourceInfo,
} from '../src/detect/build/types.js';
import { PRODUCT_IDS } from '../src/detect/build/types.js';

export const CSS_CSV = 'exchange_builds_css-exchange.csv';
export const DOCS_MD = 'OfficeDocs-Exchange_build-numbers-and-release-dates.md';

/** Product lifecycle facts (not in the corpus CSVs); sources stated per product. */
const PRODUCTS: ProductInfo[] = [
  {
    id: 'Exchange2013', name: 'Exchange Server 2013', line: '15.0', minBuild: 0, endOfSupport: '2023-04-11',
    servicedCus: ['CU23'],
    supportSource: 'Microsoft Lifecycle: extended support ended 2023-04-11 (also HealthChecker $extendedSupportDate "04/11/2023", microsoft/CSS-Exchange Shared/Get-ExchangeBuildVersionInformation.ps1). The last serviced CU was CU23 (HealthChecker marks only CU23 as a supported build).',
  },
  {
    id: 'Exchange2016', name: 'Exchange Server 2016', line: '15.1', minBuild: 0, endOfSupport: '2025-10-14',
    servicedCus: ['CU23'],
    supportSource: 'Microsoft Lifecycle: extended support ended 2025-10-14 (HealthChecker $extendedSupportDate "10/14/2025"; HealthChecker marks only CU23 as a supported build). SUs dated after 2025-10-14 (Dec25SU, Feb26SU) are for customers in the paid Extended Security Update period.',
  },
  {
    id: 'Exchange2019', name: 'Exchange Server 2019', line: '15.2', minBuild: 0, endOfSupport: '2025-10-14',
    servicedCus: ['CU14', 'CU15'],
    supportSource: 'Microsoft Lifecycle: extended support ended 2025-10-14 (HealthChecker $extendedSupportDate "10/14/2025"; HealthChecker marks CU14 and CU15 as supported builds). SUs dated after 2025-10-14 (Dec25SU, Feb26SU) are for customers in the paid Extended Security Update period.',
  },
  {
    id: 'ExchangeSE', name: 'Exchange Server Subscription Edition', line: '15.2', minBuild: 2562, endOfSupport: null,
    servicedCus: ['RTM'],
    supportSource: 'Exchange SE (15.2 builds >= 2562, per HealthChecker) is under Microsoft\'s Modern Lifecycle Policy: supported while on a current CU; no end date announced (HealthChecker uses a placeholder 12/31/2035).',
  },
];

/**
 * SU facts the corpus does not carry (the CSS table has no SU dates or KBs; the docs page stops at Jul21SU).
 * Only facts checked against a primary source are listed.
 */
const SU_SUPPLEMENT: Record<string, { kb?: string; released?: string; source: string }> = {
  Nov22SU: {
    kb: 'KB5019758',
    released: '2022-11-08',
    source: 'Microsoft support article KB5019758 "Description of the security update for Microsoft Exchange Server 2019, 2016, and 2013: November 8, 2022"; KB also in HealthChecker $suNameDictionary (exchange-facts.md §1c.3)',
  },
};

const MONTHS: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06',
  Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** `Mar21SU`, `Aug23SUv2` → `2021-03`, `2023-08`. */
export function monthOfSuKey(su: string): string | undefined {
  const m = /^([A-Z][a-z]{2})(\d{2})SU(?:v\d+)?$/.exec(su);
  if (!m) return undefined;
  const mm = MONTHS[m[1] ?? ''];
  return mm ? `20${m[2]}-${mm}` : undefined;
}

function mdyToIso(s: string): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s.trim());
  return m ? `${m[3]}-${m[1]}-${m[2]}` : undefined;
}

function longDateToIso(s: string): string | undefined {
  const m = /^([A-Z][a-z]+) (\d{1,2}), (\d{4})$/.exec(s.trim());
  if (!m) return undefined;
  const i = LONG_MONTHS.indexOf(m[1] ?? '');
  if (i < 0) return undefined;
  return `${m[3]}-${String(i + 1).padStart(2, '0')}-${(m[2] ?? '').padStart(2, '0')}`;
}

function productFromYear(year: string): ProductId | undefined {
  return year === '2013' ? 'Exchange2013' : year === '2016' ? 'Exchange2016' : year === '2019' ? 'Exchange2019' : undefined;
}

interface RawRow {
  product: ProductId;
  cu: string;
  cuAlias?: string;
  su: string | null;
  version: string;
  date?: string;
  kb?: string;
  source: BuildSourceId;
}

export function parseCssCsv(text: string): RawRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',');
  const want = ['version', 'cu', 'su', 'build', 'cu_release_date_mmddyyyy'];
  if (want.some((w, i) => header[i] !== w)) throw new Error(`${CSS_CSV}: unexpected header ${header.join(',')}`);
  const rows: RawRow[] = [];
  for (const line of lines) {
    const [product, cu, su, build, date] = line.split(',');
    if (!PRODUCT_IDS.includes(product as ProductId)) throw new Error(`${CSS_CSV}: unknown product in ${line}`);
    if (!cu || !build) throw new Error(`${CSS_CSV}: bad row ${line}`);
    const row: RawRow = {
      product: product as ProductId,
      cu,
      su: su ? su : null,
      version: formatVersion(parseVersion(build)),
      source: 'css-exchange',
    };
    const iso = date ? mdyToIso(date) : undefined;
    if (date && !iso) throw new Error(`${CSS_CSV}: bad date in ${line}`);
    if (iso) row.date = iso;
    rows.push(row);
  }
  return rows;
}

/** Table rows of the docs page for Exchange 2013/2016/2019: `|[name](link)|date|short|long|`. */
export function parseDocsMarkdown(text: string): RawRow[] {
  const rows: RawRow[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.startsWith('|')) continue;
    const cells = raw.split('|').slice(1, -1).map((c) => c.replace(/&nbsp;/g, '').trim());
    if (cells.length < 4) continue;
    const [nameCell, dateCell, shortCell, longCell] = cells as [string, string, string, string];
    const link = /^\[([^\]]+)\]\(([^)]*)\)$/.exec(nameCell);
    const name = link ? (link[1] ?? '') : nameCell;
    const m = /^Exchange Server (2013|2016|2019) (Preview|RTM|SP1|CU\d+)(?: ([A-Z][a-z]{2}\d{2}SU(?:v\d+)?))?$/.exec(name);
    if (!m) continue;
    const product = productFromYear(m[1] ?? '');
    if (!product) continue;
    const short = formatVersion(parseVersion(shortCell));
    if (compareVersions(short, parseVersion(longCell)) !== 0) throw new Error(`${DOCS_MD}: short/long build differ: ${raw}`);
    const date = longDateToIso(dateCell);
    if (!date) throw new Error(`${DOCS_MD}: bad date: ${raw}`);
    let cu = m[2] ?? '';
    let cuAlias: string | undefined;
    if (product === 'Exchange2013' && cu === 'SP1') {
      cu = 'CU4'; // Exchange 2013 SP1 is CU4 (15.0.847), as HealthChecker names it
      cuAlias = 'SP1';
    }
    const row: RawRow = { product, cu, su: m[3] ?? null, version: short, date, source: 'officedocs-2021-07' };
    if (cuAlias) row.cuAlias = cuAlias;
    const kb = link ? /support\.microsoft\.com\/(?:help|kb)\/(\d{6,7})\b/.exec(link[2] ?? '') : null;
    if (kb && row.su) row.kb = `KB${kb[1]}`;
    rows.push(row);
  }
  return rows;
}

function cuOrder(cu: string): number {
  if (cu === 'Preview') return -2;
  if (cu === 'RTM') return -1;
  const m = /^CU(\d+)$/.exec(cu);
  return m ? Number(m[1]) : 1e6;
}

export interface GenerateResult {
  table: BuildTableFile;
  warnings: string[];
}

export function generateBuildTable(corpusDir: string): GenerateResult {
  const warnings: string[] = [];
  const cssBuf = readFileSync(join(corpusDir, CSS_CSV));
  const docsBuf = readFileSync(join(corpusDir, DOCS_MD));
  const cssRows = parseCssCsv(cssBuf.toString('utf8'));
  const docsRows = parseDocsMarkdown(docsBuf.toString('utf8'));

  // SU key → (product → KB) and SU key → release date, from the docs page.
  const kbBySu = new Map<string, string>();
  const dateBySu = new Map<string, string>();
  for (const r of docsRows) {
    if (!r.su) continue;
    if (r.kb) kbBySu.set(`${r.product}|${r.su}`, r.kb);
    const prev = dateBySu.get(r.su);
    if (prev && prev !== r.date) warnings.push(`docs: ${r.su} has two release dates ${prev} and ${r.date}`);
    if (!prev && r.date) dateBySu.set(r.su, r.date);
  }
  // CU key → release date per source.
  const docsCuDate = new Map<string, string>();
  for (const r of docsRows) if (!r.su && r.date) docsCuDate.set(`${r.product}|${r.cu}`, r.date);
  const cssCuDate = new Map<string, string>();
  for (const r of cssRows) if (!r.su && r.date) cssCuDate.set(`${r.product}|${r.cu}`, r.date);

  // Merge rows by (product, cu, su, version).
  const merged = new Map<string, BuildEntry>();
  const byKey = new Map<string, BuildEntry[]>(); // (product, cu, su) → entries
  for (const r of [...cssRows, ...docsRows]) {
    const id = `${r.product}|${r.cu}|${r.su ?? ''}|${r.version}`;
    const existing = merged.get(id);
    if (existing) {
      if (!existing.sources.includes(r.source)) existing.sources.push(r.source);
      if (r.cuAlias && !existing.cuAlias) existing.cuAlias = r.cuAlias;
      continue;
    }
    const e: BuildEntry = { version: r.version, product: r.product, cu: r.cu, su: r.su, kb: null, released: null, sources: [r.source] };
    if (r.cuAlias) e.cuAlias = r.cuAlias;
    merged.set(id, e);
    const k = `${r.product}|${r.cu}|${r.su ?? ''}`;
    const list = byKey.get(k) ?? [];
    list.push(e);
    byKey.set(k, list);
  }
  // CU4 of Exchange 2013 is SP1 everywhere.
  for (const e of merged.values()) if (e.product === 'Exchange2013' && e.cu === 'CU4') e.cuAlias = 'SP1';

  // Disagreements: same (product, cu, su), different builds → keep all, annotate.
  for (const [k, list] of byKey) {
    if (list.length < 2) continue;
    const desc = list.map((e) => `${e.version} (${e.sources.join('+')})`).join(' vs ');
    for (const e of list) {
      e.note = `Microsoft's sources disagree on this build (${desc}); both are kept and both count as ${e.su ?? e.cu}.`;
    }
    warnings.push(`sources disagree for ${k}: ${desc}`);
  }

  // KB and release date.
  for (const e of merged.values()) {
    if (e.su) {
      const sup = SU_SUPPLEMENT[e.su];
      e.kb = kbBySu.get(`${e.product}|${e.su}`) ?? sup?.kb ?? null;
      const docsDate = e.sources.includes('officedocs-2021-07')
        ? docsRows.find((r) => r.version === e.version && r.su === e.su)?.date
        : undefined;
      e.released = docsDate ?? dateBySu.get(e.su) ?? sup?.released ?? monthOfSuKey(e.su) ?? null;
      if (!e.released) warnings.push(`no release date for ${e.product} ${e.cu} ${e.su}`);
    } else {
      const key = `${e.product}|${e.cu}`;
      const d = docsCuDate.get(key);
      const c = cssCuDate.get(key);
      e.released = d ?? c ?? null;
      if (d && c && d !== c) {
        e.note = `Release date per Microsoft's docs page; the CSS-Exchange table says ${c}.`;
      }
      if (!e.released) warnings.push(`no release date for ${e.product} ${e.cu}`);
    }
  }

  const productRank = (p: ProductId): number => PRODUCT_IDS.indexOf(p);
  const builds = [...merged.values()].sort(
    (a, b) =>
      productRank(a.product) - productRank(b.product) ||
      compareVersions(a.version, b.version) ||
      cuOrder(a.cu) - cuOrder(b.cu) ||
      (a.su === null ? -1 : 0) - (b.su === null ? -1 : 0) ||
      (a.su ?? '').localeCompare(b.su ?? ''),
  );
  // Normalise key order inside each entry (stable output).
  const ordered: BuildEntry[] = builds.map((e) => {
    const o: BuildEntry = { version: e.version, product: e.product, cu: e.cu } as BuildEntry;
    if (e.cuAlias) o.cuAlias = e.cuAlias;
    o.su = e.su;
    o.kb = e.kb;
    o.released = e.released;
    o.sources = [...e.sources].sort();
    if (e.note) o.note = e.note;
    return o;
  });

  // Sanity: products and lines.
  for (const e of ordered) {
    const v = parseVersion(e.version);
    const p = PRODUCTS.find((x) => x.id === e.product);
    if (!p || `${v.major}.${v.minor}` !== p.line) throw new Error(`build ${e.version} does not belong to ${e.product}`);
    const isSe = v.minor === 2 && v.build >= 2562;
    if (isSe !== (e.product === 'ExchangeSE')) throw new Error(`build ${e.version}: SE boundary (2562) contradicts ${e.product}`);
  }

  const knowledgeDate = ordered.reduce((max, e) => (e.released && e.released > max ? e.released : max), '');

  const sources: SourceInfo[] = [
    {
      id: 'css-exchange',
      name: "Microsoft CSS-Exchange build table (HealthChecker's GetExchangeBuildDictionary)",
      repository: 'https://github.com/microsoft/CSS-Exchange',
      path: 'Shared/Get-ExchangeBuildVersionInformation.ps1',
      commit: 'f88378b',
      commitDate: '2026-04-02',
      license: 'MIT',
      inputFile: CSS_CSV,
      inputSha256: sha256(cssBuf),
      retrieval: 'exhunt shared corpus corpora/builds (see its README): CSV parsed from the .ps1 at that commit',
    },
    {
      id: 'officedocs-2021-07',
      name: 'Microsoft Docs "Exchange Server build numbers and release dates" (July 2021 version)',
      repository: 'https://github.com/MicrosoftDocs/OfficeDocs-Exchange',
      path: 'Exchange/ExchangeServer/new-features/build-numbers-and-release-dates.md',
      commit: '52e8b70',
      commitDate: '2021-07-14',
      license: 'CC-BY-4.0 (docs)',
      inputFile: DOCS_MD,
      inputSha256: sha256(docsBuf),
      retrieval: 'exhunt shared corpus corpora/builds (see its README): the page at that commit',
    },
    {
      id: 'supplement',
      name: 'Facts added by scripts/gen-builds.ts (product lifecycle; SU KB/date not in the corpus)',
      retrieval: Object.entries(SU_SUPPLEMENT).map(([k, v]) => `${k}: ${v.source}`).join('; '),
    },
  ];

  const table: BuildTableFile = {
    schema: 1,
    description:
      'Every Exchange Server 2013/2016/2019/Subscription Edition build (CU base builds and security updates) from Microsoft\'s published build tables. Generated by scripts/gen-builds.ts; do not edit by hand.',
    knowledgeDate,
    provenance: {
      generator: 'scripts/gen-builds.ts (node dist/scripts/gen-builds.js --corpus ../shared/corpora/builds)',
      sources,
      rules: [
        'A row is (product, CU, SU, build). su null = the CU base build. A build can appear twice when an SU shipped inside a CU (Exchange 2013 CU22 = Feb19SU, 2016 CU12 / 2019 CU1 = Feb19SU).',
        'Where the two sources give different builds for the same CU+SU (2016 CU8 and CU9 Mar21SU), both rows are kept, with a note; both count as that SU.',
        'Rows only in the docs page (RTM, Preview, 2013 SP1 Mar21SU, 2019 RTM Mar21SU) are included.',
        'released: the docs page date where it lists the row or the same SU (identical date for all products); else the supplement; else the month of the SU name (YYYY-MM, month precision). CU dates: docs page, else the CSS-Exchange CU release date.',
        'kb: from the docs page KB link for that product and SU, or the supplement; null when neither gives it.',
        'Exchange 2013 SP1 is CU4 (15.0.847), cuAlias SP1. Exchange SE is 15.2 with build >= 2562 (HealthChecker).',
        'Hotfix updates (HU) are not in the corpus table and therefore not here.',
      ],
    },
    products: PRODUCTS,
    builds: ordered,
  };
  return { table, warnings };
}

export function serializeBuildTable(table: BuildTableFile): string {
  return `${JSON.stringify(table, null, 2)}\n`;
}

/** Check that every SU key the families file names exists in the build table. */
export function checkFamiliesAgainstTable(families: FamiliesFile, table: BuildTableFile): string[] {
  const sus = new Set(table.builds.map((b) => b.su).filter((s): s is string => !!s));
  const errors: string[] = [];
  for (const f of families.families) {
    for (const su of f.fixedIn) if (!sus.has(su)) errors.push(`family ${f.id}: SU ${su} not in the build table`);
    for (const c of f.cves) if (!f.fixedIn.includes(c.fixedIn) && !sus.has(c.fixedIn)) errors.push(`family ${f.id}: ${c.id} fixed in unknown ${c.fixedIn}`);
  }
  return errors;
}

function main(argv: string[]): number {
  let corpus = resolve('../shared/corpora/builds');
  let out = assetPath('data/exchange-builds.json');
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--corpus' && argv[i + 1]) corpus = resolve(argv[++i] as string);
    else if (a === '--out' && argv[i + 1]) out = resolve(argv[++i] as string);
    else if (a === '--check') check = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/scripts/gen-builds.js [--corpus DIR] [--out FILE] [--check]\n');
      return 0;
    } else {
      process.stderr.write(`gen-builds: unknown argument ${a}\n`);
      return 2;
    }
  }
  if (!existsSync(join(corpus, CSS_CSV)) || !existsSync(join(corpus, DOCS_MD))) {
    process.stderr.write(`gen-builds: corpus not found in ${corpus} (need ${CSS_CSV} and ${DOCS_MD})\n`);
    return 2;
  }
  const { table, warnings } = generateBuildTable(corpus);
  for (const w of warnings) process.stderr.write(`gen-builds: note: ${w}\n`);
  const familiesPath = assetPath('data/exchange-families.json');
  if (existsSync(familiesPath)) {
    const errs = checkFamiliesAgainstTable(JSON.parse(readFileSync(familiesPath, 'utf8')) as FamiliesFile, table);
    for (const e of errs) process.stderr.write(`gen-builds: error: ${e}\n`);
    if (errs.length) return 1;
  }
  const text = serializeBuildTable(table);
  if (check) {
    const same = existsSync(out) && readFileSync(out, 'utf8') === text;
    process.stdout.write(same ? `gen-builds: ${out} is up to date\n` : `gen-builds: ${out} is stale; regenerate it\n`);
    return same ? 0 : 1;
  }
  writeFileSync(out, text);
  const counts = PRODUCT_IDS.map((p) => `${p} ${new Set(table.builds.filter((b) => b.product === p).map((b) => b.version)).size}`);
  process.stdout.write(`gen-builds: wrote ${out}: ${table.builds.length} rows (${counts.join(', ')} distinct builds), knowledge date ${table.knowledgeDate}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
