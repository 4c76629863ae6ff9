/**
 * Conformance against the shared corpora (skipped when `../shared/corpora` is absent):
 * - evtx-conformance/expected-counts.tsv: records and errors per sample as the Rust `evtx` crate asserts;
 * - evtx-conformance/expected-json/: the reference XML and JSON of MSExchange_Management_wec.evtx's first record;
 * - evtx/: every real attack-sample log parses without a crash; record counts equal python-evtx's
 *   (EVTX-INDEX.tsv) wherever python-evtx parsed the file without error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EvtxFormatError, openEvtx, parseChunk, parseEvtxFile, renderJson, renderXml, toEventRecord } from './index.js';

const CORPORA = resolve('../shared/corpora');
const CONF = join(CORPORA, 'evtx-conformance');
const REAL = join(CORPORA, 'evtx');
const SKIP = `corpus not found at ${CORPORA} (run from the project root next to ../shared/corpora)`;

interface Row {
  file: string;
  ok: number;
  err: number;
  quirk: string;
}

function rows(): Row[] {
  return readFileSync(join(CONF, 'expected-counts.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [file = '', ok = '0', err = '0', quirk = ''] = l.split('\t');
      return { file, ok: Number(ok), err: Number(err), quirk };
    });
}

test('expected-counts.tsv: records and errors per sample match the Rust evtx crate', async (t) => {
  if (!existsSync(CONF)) return t.skip(SKIP);
  const table: string[] = [];
  let failed = 0;
  for (const row of rows()) {
    const s = await parseEvtxFile(join(CONF, 'samples', row.file));
    // "counts ok+err together; errors allowed": the Rust test only asserts the sum.
    const together = /ok\+err together/.test(row.quirk);
    const pass = together ? s.records + s.errors.length === row.ok + row.err : s.records === row.ok && s.errors.length === row.err;
    if (!pass) failed++;
    table.push(`${pass ? 'PASS' : 'FAIL'} ${row.file}: ${s.records} ok / ${s.errors.length} err (expected ${row.ok} / ${row.err}; ${row.quirk})`);
  }
  for (const l of table) t.diagnostic(l);
  assert.equal(failed, 0, table.filter((l) => l.startsWith('FAIL')).join('\n'));
});

function snapBody(text: string): string {
  // insta snapshot: "---\nheader\n---\nbody"
  const parts = text.split(/^---$/m);
  return parts.slice(2).join('---').replace(/^\n/, '').trimEnd();
}

test('MSExchange_Management_wec.evtx renders like expected-json/ (XML and JSON)', async (t) => {
  if (!existsSync(CONF)) return t.skip(SKIP);
  const f = await openEvtx(join(CONF, 'samples', 'MSExchange_Management_wec.evtx'));
  let first;
  for await (const r of f.records()) {
    first = r;
    break;
  }
  await f.close();
  assert.ok(first, 'no record');
  const xml = snapBody(readFileSync(join(CONF, 'expected-json', 'event_json_with_multiple_data_elements.snap'), 'utf8'));
  assert.equal(renderXml(first), xml);
  const json = JSON.parse(snapBody(readFileSync(join(CONF, 'expected-json', 'event_json_with_multiple_data_elements-2.snap'), 'utf8'))) as unknown;
  assert.deepEqual(renderJson(first), json);
  // The cmdlet log's unnamed <Data> values stay in order.
  assert.equal(first.unnamedData[0], 'Set-Mailbox');
  assert.equal(first.unnamedData.length, 27);
  assert.equal(first.eventId, 1);
  assert.equal(first.qualifiers, 16384);
  assert.equal(first.timeCreated, '2021-11-19T16:52:33.8337335Z');
  // What the rule engine sees.
  const ev = toEventRecord(first);
  assert.equal(ev.get('EventID'), 1);
  assert.equal(ev.get('Provider_Name'), 'MSExchange CmdletLogs');
  assert.equal(ev.get('Channel'), 'MSExchange Management');
  assert.equal(ev.get('Data[0]'), 'Set-Mailbox');
  assert.equal(ev.get('Data[6]'), '5668 w3wp#MSExchangePowerShellAppPool');
  assert.equal(ev.get('EventRecordID'), 3229);
  assert.match(ev.raw, /Set-Mailbox -Identity "Administrateur" .*ForwardingSmtpAddress "smtp:test2@example.com"/);
});

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.toLowerCase().endsWith('.evtx')) out.push(p);
  }
}

test('every real attack-sample log under corpora/evtx parses; counts agree with python-evtx where it succeeded', async (t) => {
  if (!existsSync(REAL)) return t.skip(SKIP);
  const files: string[] = [];
  walk(REAL, files);
  const index = new Map<string, string[]>();
  const idxPath = join(REAL, 'EVTX-INDEX.tsv');
  if (existsSync(idxPath)) {
    for (const l of readFileSync(idxPath, 'utf8').trim().split('\n').slice(1)) {
      const c = l.split('\t');
      index.set(c[0]!, c);
    }
  }
  let records = 0;
  let errors = 0;
  let bytes = 0;
  let notEvtx = 0;
  let agree = 0;
  const pyFailed: string[] = [];
  const mismatches: string[] = [];
  const t0 = performance.now();
  for (const path of files) {
    bytes += statSync(path).size;
    let s;
    try {
      s = await parseEvtxFile(path);
    } catch (e) {
      if (e instanceof EvtxFormatError) {
        notEvtx++;
        continue;
      }
      throw new Error(`${path}: ${String(e)}`);
    }
    records += s.records;
    errors += s.errors.length;
    const row = index.get(path.slice(REAL.length + 1));
    if (row && row[2] !== undefined && row[2] !== '') {
      const py = Number(row[2]);
      if (row[5]) pyFailed.push(`${path.slice(REAL.length + 1)}: python-evtx ${py} (${row[5]}), exhunt ${s.records}`);
      else if (py === s.records) agree++;
      else mismatches.push(`${path.slice(REAL.length + 1)}: python-evtx ${py}, exhunt ${s.records}`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(
    `${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${records} records, ${errors} errors, ${notEvtx} not EVTX; ` +
      `${(bytes / 1e6 / secs).toFixed(1)} MB/s, ${Math.round(records / secs)} records/s`,
  );
  t.diagnostic(`python-evtx agreement: ${agree} equal, ${mismatches.length} different, ${pyFailed.length} where python-evtx failed`);
  for (const l of pyFailed) t.diagnostic(l);
  assert.ok(files.length > 0);
  assert.deepEqual(mismatches, []);
});

test('fuzz on real files: mutated chunks of every conformance sample never throw or hang', async (t) => {
  if (!existsSync(CONF)) return t.skip(SKIP);
  let seed = 1234567;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const t0 = performance.now();
  let chunks = 0;
  let records = 0;
  let errors = 0;
  for (const name of readdirSync(join(CONF, 'samples'))) {
    const buf = readFileSync(join(CONF, 'samples', name));
    for (let off = 4096, i = 0; off + 65536 <= buf.length && i < 4; off += 65536, i++) {
      for (let iter = 0; iter < 6; iter++) {
        const c = Buffer.from(buf.subarray(off, off + 65536));
        const kind = iter % 3;
        if (kind === 0) for (let k = 0; k < 1 + rand() * 30; k++) c[512 + Math.floor(rand() * 65024)] = Math.floor(rand() * 256);
        else if (kind === 1) c.fill(Math.floor(rand() * 256), 512 + Math.floor(rand() * 60000), 512 + Math.floor(rand() * 60000) + 64);
        else for (let k = 0; k < 8; k++) c.writeUInt32LE(Math.floor(rand() * 4294967296), 512 + Math.floor(rand() * 65000));
        const cut = rand() < 0.15 ? Math.floor(rand() * 65536) : 65536;
        const r = parseChunk(c.subarray(0, cut), i);
        chunks++;
        records += r.records.length;
        errors += r.errors.length;
        for (const rec of r.records) {
          renderXml(rec);
          JSON.stringify(renderJson(rec));
          void toEventRecord(rec).raw;
        }
      }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(`${chunks} mutated chunks, ${records} records, ${errors} errors in ${secs.toFixed(1)} s`);
  assert.ok(secs < 120);
});
