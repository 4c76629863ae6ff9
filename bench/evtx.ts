/**
 * EVTX throughput: exhunt's parser (1 thread and N workers) against libevtx `evtxexport -f xml` and
 * python-evtx `evtx_dump.py`, all writing XML to /dev/null, on the same files in one run, with ratios.
 *
 *   node dist/bench/evtx.js [--workers N] [--runs R] [--python-mb M] [--no-python] [FILE_OR_DIR...]
 *
 * Without paths it reads ../shared/corpora/evtx and ../shared/corpora/evtx-conformance/samples.
 * python-evtx is slow (~0.5 MB/s): it runs on a subset of about M MB (default 4; every k-th file by path
 * until the budget is spent), where all three are timed again so its ratio compares like with like; its results are cached in
 * bench/out/python-evtx.json per (path, size, mtime) and reused. Peers missing from PATH are skipped
 * (Debian: `apt-get install libevtx-utils python3-evtx`). Not a test.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEvtxFile } from '../src/readers/evtx/file.js';
import { parseEvtxFileParallel } from '../src/readers/evtx/parallel.js';
import { renderXml } from '../src/readers/evtx/render.js';
import { assetPath } from '../src/assets.js';

function collect(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) for (const e of readdirSync(p).sort()) collect(join(p, e), out);
  else if (p.toLowerCase().endsWith('.evtx')) out.push(p);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

interface Run {
  secs: number;
  records: number;
}

async function ours(files: string[], workers: number): Promise<Run> {
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

/** A peer writing XML to stdout; records counted from its output (`<EventRecordID>`), then the text dropped. */
function external(cmd: string, args: (f: string) => string[], files: string[]): Run {
  const t0 = performance.now();
  let records = 0;
  for (const f of files) {
    const r = spawnSync(cmd, args(f), { maxBuffer: 1 << 30, encoding: 'utf8' });
    records += (r.stdout?.match(/<EventRecordID>/g) ?? []).length;
  }
  return { secs: (performance.now() - t0) / 1000, records };
}

type PyCache = Record<string, { secs: number; records: number }>;
const PY_CACHE = assetPath('bench/out/python-evtx.json');

function pythonEvtx(files: string[]): Run & { cached: number } {
  let cache: PyCache = {};
  try {
    cache = JSON.parse(readFileSync(PY_CACHE, 'utf8')) as PyCache;
  } catch {
    // first run
  }
  let secs = 0;
  let records = 0;
  let cached = 0;
  for (const f of files) {
    const st = statSync(f);
    const key = `${resolve(f)}\0${st.size}\0${Math.floor(st.mtimeMs)}`;
    let r = cache[key];
    if (r) cached++;
    else {
      r = external('evtx_dump.py', (x) => [x], [f]);
      cache[key] = r;
    }
    secs += r.secs;
    records += r.records;
  }
  mkdirSync(dirname(PY_CACHE), { recursive: true });
  writeFileSync(PY_CACHE, JSON.stringify(cache));
  return { secs, records, cached };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let workers = 2;
  let runs = 1;
  let pythonMb = 4;
  let python = true;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--workers') workers = Number(argv[++i]);
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--python-mb') pythonMb = Number(argv[++i]);
    else if (a === '--no-python' || a === '--python' /* old flag: python now runs by default on a subset */) python = a === '--python';
    else paths.push(a);
  }
  if (!paths.length) {
    for (const p of ['../shared/corpora/evtx', '../shared/corpora/evtx-conformance/samples']) if (existsSync(resolve(p))) paths.push(resolve(p));
    if (!paths.length) throw new Error('no EVTX files: pass files or folders');
  }
  const files: string[] = [];
  for (const p of paths) collect(p, files);

  const table = async (label: string, set: string[], withPython: boolean): Promise<void> => {
    const mb = set.reduce((a, f) => a + statSync(f).size, 0) / 1e6;
    process.stdout.write(`\n${label}: ${set.length} files, ${mb.toFixed(1)} MB (XML to /dev/null)\n`);
    const results: Array<[string, Run]> = [];
    const best = async (name: string, f: () => Promise<Run> | Run, times = runs): Promise<void> => {
      let b: Run | undefined;
      for (let i = 0; i < times; i++) {
        const r = await f();
        if (!b || r.secs < b.secs) b = r;
      }
      results.push([name, b!]);
      process.stdout.write(`  ${name.padEnd(30)} ${b!.secs.toFixed(2).padStart(7)} s ${(mb / b!.secs).toFixed(1).padStart(7)} MB/s ${String(Math.round(b!.records / b!.secs)).padStart(9)} records/s  (${b!.records} records)\n`);
    };
    await best('exhunt, 1 thread', () => ours(set, 1));
    if (workers > 1) await best(`exhunt, ${workers} workers`, () => ours(set, workers));
    if (has('evtxexport')) await best('libevtx evtxexport -f xml', () => external('evtxexport', (f) => ['-f', 'xml', f], set));
    else process.stdout.write('  libevtx evtxexport: not installed (apt-get install libevtx-utils)\n');
    if (withPython) {
      if (has('evtx_dump.py')) {
        const r = pythonEvtx(set);
        results.push(['python-evtx evtx_dump.py', r]);
        process.stdout.write(
          `  ${'python-evtx evtx_dump.py'.padEnd(30)} ${r.secs.toFixed(2).padStart(7)} s ${(mb / r.secs).toFixed(1).padStart(7)} MB/s ${String(Math.round(r.records / r.secs)).padStart(9)} records/s  (${r.records} records${r.cached ? `; ${r.cached} of ${set.length} files from ${PY_CACHE}` : ''})\n`,
        );
      } else process.stdout.write('  python-evtx evtx_dump.py: not installed (apt-get install python3-evtx)\n');
    }
    const lib = results.find((r) => r[0].startsWith('libevtx'));
    const one = results[0]!;
    for (const [name, r] of results) {
      const vsLib = lib ? `${(lib[1].secs / r.secs).toFixed(2)}x libevtx` : '';
      process.stdout.write(`  ${name.padEnd(30)} ${vsLib.padEnd(16)} ${(r.secs / one[1].secs).toFixed(2)}x the time of exhunt 1 thread\n`);
    }
  };

  await table('all files', files, false);
  if (python) {
    // Files spread over the whole set (every k-th by path) until the budget is spent: a mix of sizes and sources.
    const subset: string[] = [];
    let budget = pythonMb * 1e6;
    const step = Math.max(1, Math.floor(files.length / 40));
    for (let i = 0; i < files.length && budget > 0; i += step) {
      const s = statSync(files[i]!).size;
      if (s <= budget) {
        subset.push(files[i]!);
        budget -= s;
      }
    }
    await table(`python-evtx subset (--python-mb ${pythonMb})`, subset.sort(), true);
  }
}

await main();
