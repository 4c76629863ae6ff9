/**
 * YARA file scanning: exhunt's engine (yara-x WebAssembly + atom pre-filter, 2 worker threads, rules
 * compiled once per worker) against the `yara` CLI (`-w -r -p 2`), same rules, same files, one run.
 *
 *   npm run bench:yara            (node dist/bench/yara.js [--workers N])
 *
 * Files: 20,000 small web files (1–8 KB; .aspx/.js/.css in 100 folders; deterministic) generated once into
 * bench/out/yara-web/ (gitignored), with a few shells decoded from the project's encoded fixtures — the
 * folder therefore holds web-shell code: keep it out of AV-scanned and shared places. Rules: signature-base's
 * web-shell files (reference/peers.md §2) from ../shared/corpora; skipped when absent. Not a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { assetPath } from '../src/assets.js';
import { compileYara, type YaraSource } from '../src/detect/yara/engine.js';
import { Rng } from '../src/simulate/prng.js';
import { loadFixtures } from '../test/webshells/fixtures.js';

const N_FILES = 20_000;
const OUT = assetPath('bench/out/yara-web');
const SIGBASE = assetPath('../shared/corpora/rules/signature-base/yara');
const RULE_FILES = ['apt_hafnium.yar', 'apt_webshell_chinachopper.yar', 'gen_webshells.yar', 'thor-webshells.yar', 'gen_webshell_csharp.yar', 'webshell_regeorg.yar'];

interface Job {
  files: string[];
  sources: YaraSource[];
}

const WORDS = ['user', 'mail', 'order', 'item', 'grid', 'panel', 'label', 'value', 'update', 'list', 'header', 'footer', 'calendar', 'folder', 'message', 'option', 'search', 'result', 'config', 'status'];

function page(r: Rng, size: number, kind: number): string {
  const w = (): string => WORDS[r.u32() % WORDS.length]!;
  let s = '';
  if (kind === 0) {
    s = `<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="${w()}.aspx.cs" Inherits="Web.${w()}" %>\n<!DOCTYPE html>\n<html><head runat="server"><title>${w()}</title></head><body><form id="form1" runat="server">\n`;
    while (s.length < size) s += `<div class="${w()}-${w()}"><asp:Label ID="lbl${w()}${r.u32() % 100}" runat="server" Text="${w()} ${w()}" /><asp:TextBox ID="txt${w()}" runat="server" /></div>\n`;
    s += '</form></body></html>\n';
  } else if (kind === 1) {
    s = `/* ${w()}.js */\n(function () {\n  'use strict';\n`;
    while (s.length < size) s += `  function ${w()}${r.u32() % 1000}(${w()}, ${w()}) { var ${w()} = document.getElementById('${w()}'); if (${w()}) { return ${w()}.value + ${r.u32() % 97}; } return null; }\n`;
    s += '})();\n';
  } else {
    while (s.length < size) s += `.${w()}-${w()} { margin: ${r.u32() % 20}px; color: #${(r.u32() % 0xffffff).toString(16).padStart(6, '0')}; }\n`;
  }
  return s;
}

function generate(): void {
  const marker = join(OUT, '.complete');
  if (existsSync(marker)) return;
  const r = new Rng(20251128);
  const shells = loadFixtures().filter((f) => f.expect.length && /\.(aspx|asp)$/.test(f.name)).slice(0, 5);
  for (let i = 0; i < N_FILES; i++) {
    const dir = join(OUT, `d${String(i % 100).padStart(3, '0')}`);
    if (i < 100) mkdirSync(dir, { recursive: true });
    const kind = r.u32() % 3;
    const name = `f${i}.${['aspx', 'js', 'css'][kind]}`;
    const size = 1024 + (r.u32() % (7 * 1024));
    writeFileSync(join(dir, name), page(r, size, kind));
  }
  // A few real drops (decoded from the encoded fixtures) among them.
  shells.forEach((s, k) => writeFileSync(join(OUT, `d0${String(10 + k * 17).padStart(2, '0')}`, `error${k}.${s.name.split('.').pop()}`), s.bytes));
  writeFileSync(marker, '');
}

function list(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) list(p, out);
    else out.push(p);
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(SIGBASE)) {
    console.log(`skipped: ${SIGBASE} not found`);
    return;
  }
  const workers = Number(process.argv[process.argv.indexOf('--workers') + 1]) || 2;
  generate();
  const files = list(OUT).sort();
  const sources = RULE_FILES.map((f) => ({ name: f, text: readFileSync(join(SIGBASE, f), 'utf8') }));
  console.log(`${files.length} files, ${RULE_FILES.length} signature-base rule files, ${workers} threads`);

  const hasYara = spawnSync('sh', ['-c', 'command -v yara']).status === 0;
  let yaraSecs = NaN;
  let yaraFlagged = 0;
  if (hasYara) {
    const t0 = performance.now();
    const r = spawnSync('yara', ['-w', '-r', '-p', String(workers), ...RULE_FILES.map((f, i) => `n${i}:${join(SIGBASE, f)}`), OUT], { maxBuffer: 1 << 28 });
    yaraSecs = (performance.now() - t0) / 1000;
    yaraFlagged = new Set(r.stdout.toString().split('\n').filter(Boolean).map((l) => l.slice(l.indexOf(' ') + 1))).size;
    console.log(`yara CLI 4.x -p ${workers}: ${yaraSecs.toFixed(2)} s, ${yaraFlagged} files flagged`);
  } else console.log('yara CLI not installed (Debian: apt-get install yara): no ratio');

  const t0 = performance.now();
  const parts: string[][] = Array.from({ length: workers }, () => []);
  files.forEach((f, i) => parts[i % workers]!.push(f));
  const results = await Promise.all(
    parts.map(
      (p) =>
        new Promise<{ flagged: number; compileMs: number; engineScans: number; recycles: number; errors: number }>((res, rej) => {
          const w = new Worker(new URL(import.meta.url), { workerData: { files: p, sources } satisfies Job });
          w.once('message', res);
          w.once('error', rej);
        }),
    ),
  );
  const ourSecs = (performance.now() - t0) / 1000;
  const flagged = results.reduce((a, r) => a + r.flagged, 0);
  const compile = Math.max(...results.map((r) => r.compileMs)) / 1000;
  const engineScans = results.reduce((a, r) => a + r.engineScans, 0);
  console.log(`exhunt (yara-x wasm + pre-filter, ${workers} workers): ${ourSecs.toFixed(2)} s (compile ${compile.toFixed(2)} s per worker, in parallel), ${flagged} files flagged, ${engineScans} buffers went through yara-x, ${results.reduce((a, r) => a + r.recycles, 0)} recycles`);
  if (hasYara) console.log(`ratio exhunt / yara: ${(ourSecs / yaraSecs).toFixed(2)}x (scan only, without compile: ${((ourSecs - compile) / yaraSecs).toFixed(2)}x); flagged ${flagged} vs ${yaraFlagged}`);
}

function workerMain(): void {
  const job = workerData as Job;
  const t0 = performance.now();
  const y = compileYara(job.sources);
  const compileMs = performance.now() - t0;
  let flagged = 0;
  for (const f of job.files) if (y.scan(readFileSync(f)).length) flagged++;
  const s = y.stats();
  parentPort!.postMessage({ flagged, compileMs, engineScans: s.engineScans, recycles: s.recycles, errors: y.errors.length });
  y.dispose();
}


if (isMainThread) await main();
else workerMain();
