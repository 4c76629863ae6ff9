/**
 * EVTX throughput benchmark: exhunt (1 thread and N workers) against libevtx `evtxexport -f xml` and
 * python-evtx `evtx_dump.py`, all writing XML to /dev/null, on the same files in one run.
 *
 *   node dist/src/readers/evtx/bench.js [--workers N] [--python] [--runs R] FILE_OR_DIR...
 *
 * python-evtx is slow (~0.5 MB/s) and only runs with --python. Peers missing from PATH are skipped.
 * Not a test; prints one line per contender and the ratios to libevtx.
 */
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvtxFile } from './file.js';
import { parseEvtxFileParallel } from './parallel.js';
import { renderXml } from './render.js';

function collect(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) for (const e of readdirSync(p).sort()) collect(join(p, e), out);
  else if (p.toLowerCase().endsWith('.evtx')) out.push(p);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

async function ours(files: string[], workers: number): Promise<{ secs: number; records: number }> {
  const fd = openSync('/dev/null', 'w');
  let records = 0;
  const t0 = performance.now();
  for (const f of files) {
    let parts: string[] = [];
    const flush = (): void => {
      if (parts.length) writeSync(fd, parts.join(''));
      parts = [];
    };
    try {
      const s =
        workers > 1
          ? await parseEvtxFileParallel(f, { workers, render: 'xml', onText: (t) => parts.push(t), onChunkDone: flush })
          : await parseEvtxFile(f, { onRecord: (r) => parts.push(renderXml(r) + '\n'), onChunkDone: flush });
      records += s.records;
    } catch {
      // not EVTX: skipped
    }
    flush();
  }
  closeSync(fd);
  return { secs: (performance.now() - t0) / 1000, records };
}

function external(cmd: string, args: (f: string) => string[], files: string[]): { secs: number; records: number } {
  const t0 = performance.now();
  let records = 0;
  for (const f of files) {
    const r = spawnSync(cmd, args(f), { maxBuffer: 1 << 30, encoding: 'utf8' });
    records += (r.stdout?.match(/<EventRecordID>/g) ?? []).length;
  }
  return { secs: (performance.now() - t0) / 1000, records };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let workers = 2;
  let python = false;
  let runs = 1;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--workers') workers = Number(argv[++i]);
    else if (a === '--python') python = true;
    else if (a === '--runs') runs = Number(argv[++i]);
    else paths.push(a);
  }
  const files: string[] = [];
  for (const p of paths) collect(p, files);
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
  const mb = bytes / 1e6;
  process.stdout.write(`${files.length} files, ${mb.toFixed(1)} MB\n`);
  const results: [string, number, number][] = [];
  const best = async (name: string, f: () => Promise<{ secs: number; records: number }> | { secs: number; records: number }): Promise<void> => {
    let b = Infinity;
    let recs = 0;
    for (let i = 0; i < runs; i++) {
      const r = await f();
      if (r.secs < b) b = r.secs;
      recs = r.records;
    }
    results.push([name, b, recs]);
    process.stdout.write(`${name.padEnd(28)} ${b.toFixed(2)} s  ${(mb / b).toFixed(1)} MB/s  ${Math.round(recs / b)} records/s  (${recs} records)\n`);
  };
  await best('exhunt xml, 1 thread', () => ours(files, 1));
  if (workers > 1) await best(`exhunt xml, ${workers} workers`, () => ours(files, workers));
  if (has('evtxexport')) await best('libevtx evtxexport -f xml', () => external('evtxexport', (f) => ['-f', 'xml', f], files));
  if (python && has('evtx_dump.py')) await best('python-evtx evtx_dump.py', () => external('evtx_dump.py', (f) => [f], files));
  const lib = results.find((r) => r[0].startsWith('libevtx'));
  if (lib) for (const r of results) process.stdout.write(`${r[0].padEnd(28)} ${(lib[1] / r[1]).toFixed(2)}x libevtx\n`);
}

await main();
