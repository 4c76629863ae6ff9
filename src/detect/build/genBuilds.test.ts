import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assetPath } from '../../assets.js';
import {
  CSS_CSV,
  DOCS_MD,
  checkFamiliesAgainstTable,
  generateBuildTable,
  monthOfSuKey,
  parseCssCsv,
  parseDocsMarkdown,
  serializeBuildTable,
} from '../../../scripts/gen-builds.js';
import type { FamiliesFile } from './types.js';

// The shared corpus lives next to the project (cwd = project root when the tests run).
const CORPUS = resolve('../shared/corpora/builds');
const haveCorpus = existsSync(join(CORPUS, CSS_CSV)) && existsSync(join(CORPUS, DOCS_MD));

test('regenerating from the corpus reproduces data/exchange-builds.json byte for byte', async (t) => {
  if (!haveCorpus) {
    t.skip(`corpus not found at ${CORPUS} (run the tests from the project root with ../shared/corpora/builds present)`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'exhunt-gen-'));
  try {
    const out = join(dir, 'exchange-builds.json');
    const { table } = generateBuildTable(CORPUS);
    await writeFile(out, serializeBuildTable(table));
    const committed = readFileSync(assetPath('data/exchange-builds.json'), 'utf8');
    assert.equal(readFileSync(out, 'utf8'), committed, 'data/exchange-builds.json is stale: run node dist/scripts/gen-builds.js');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the generator reports exactly the two known source disagreements', (t) => {
  if (!haveCorpus) {
    t.skip(`corpus not found at ${CORPUS}`);
    return;
  }
  const { warnings } = generateBuildTable(CORPUS);
  const disagreements = warnings.filter((w) => w.includes('disagree'));
  assert.equal(disagreements.length, 2, warnings.join('\n'));
  assert.ok(disagreements.some((w) => w.includes('15.1.1415.8') && w.includes('15.1.1415.10')));
  assert.ok(disagreements.some((w) => w.includes('15.1.1466.13') && w.includes('15.1.1466.16')));
});

test('CSV and markdown parsers on inline samples', () => {
  const csv = 'version,cu,su,build,cu_release_date_mmddyyyy\nExchange2016,CU19,,15.1.2176.2,12/15/2020\nExchange2016,CU19,Mar21SU,15.1.2176.9,\n';
  const rows = parseCssCsv(csv);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.date, '2020-12-15');
  assert.equal(rows[1]?.su, 'Mar21SU');
  assert.throws(() => parseCssCsv('a,b\n'), /unexpected header/);
  const md = [
    '|&nbsp;&nbsp;&nbsp;[Exchange Server 2016 CU19 Mar21SU](https://support.microsoft.com/help/5000871)|March 2, 2021|15.1.2176.9|15.01.2176.009|',
    '|Exchange Server 2016 CU19|December 15, 2020|15.1.2176.2|15.01.2176.002|',
    '|[Exchange Server 2013 SP1 Mar21SU](https://support.microsoft.com/help/5000871)|March 2, 2021|15.0.847.64|15.00.0847.064|',
    '|Update Rollup 32 for Exchange Server 2010 SP3|March 2, 2021|14.3.513.0|14.03.0513.000|',
  ].join('\n');
  const d = parseDocsMarkdown(md);
  assert.equal(d.length, 3);
  assert.equal(d[0]?.kb, 'KB5000871');
  assert.equal(d[0]?.date, '2021-03-02');
  assert.equal(d[1]?.kb, undefined);
  assert.equal(d[2]?.cu, 'CU4');
  assert.equal(d[2]?.cuAlias, 'SP1');
});

test('SU key → month', () => {
  assert.equal(monthOfSuKey('Mar21SU'), '2021-03');
  assert.equal(monthOfSuKey('Aug23SUv2'), '2023-08');
  assert.equal(monthOfSuKey('Apr24HU'), undefined);
});

test('the families file only names SU keys of the committed table', () => {
  const table = JSON.parse(readFileSync(assetPath('data/exchange-builds.json'), 'utf8'));
  const families = JSON.parse(readFileSync(assetPath('data/exchange-families.json'), 'utf8')) as FamiliesFile;
  assert.deepEqual(checkFamiliesAgainstTable(families, table), []);
  const broken: FamiliesFile = JSON.parse(JSON.stringify(families));
  broken.families[0]!.fixedIn = ['Nope99SU'];
  assert.equal(checkFamiliesAgainstTable(broken, table).length > 0, true);
});

test('committed table has provenance for every source', () => {
  const table = JSON.parse(readFileSync(assetPath('data/exchange-builds.json'), 'utf8'));
  const ids = table.provenance.sources.map((s: { id: string }) => s.id);
  assert.deepEqual(ids, ['css-exchange', 'officedocs-2021-07', 'supplement']);
  for (const s of table.provenance.sources.slice(0, 2)) {
    assert.match(s.commit, /^[0-9a-f]{7,40}$/);
    assert.match(s.inputSha256, /^[0-9a-f]{64}$/);
  }
});
