/**
 * Hunt workers started before the CLI loads its modules. A worker needs ~0.2–0.3 s to load its own
 * modules; started from the entry point (src/cli/main.ts) it does that while the main thread loads
 * commander, the scan and the rules, instead of after. The pool (pool.ts) adopts them. This module
 * imports nothing of the project: it must be cheap to load.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/** The most worker threads `--workers` accepts. */
export const MAX_WORKERS = 64;

/** Worker threads for the log hunt when the user does not say: the cores, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

const spare: Worker[] = [];

export function huntWorkerUrl(): URL {
  return new URL('./hunt-worker.js', import.meta.url);
}

/**
 * Start `n` hunt workers now. They are unreferenced until adopted, so a command that ends early (a usage
 * error, `--help`) exits at once; one that fails while waiting is dropped (the pool then starts its own
 * and reports the failure).
 */
export function prespawnHuntWorkers(n: number): void {
  for (let i = 0; i < n; i++) {
    const w = new Worker(huntWorkerUrl());
    w.unref();
    const drop = (): void => {
      const k = spare.indexOf(w);
      if (k >= 0) spare.splice(k, 1);
    };
    w.once('error', drop);
    w.once('exit', drop);
    spare.push(w);
  }
}

/** A worker started by `prespawnHuntWorkers`, now owned (and referenced) by the caller; undefined if none is left. */
export function takeHuntWorker(): Worker | undefined {
  const w = spare.shift();
  if (!w) return undefined;
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  w.ref();
  return w;
}

/** Stops the started workers nobody adopted (the scan wanted fewer): each holds a V8 heap. */
export function discardSpareHuntWorkers(): void {
  for (const w of spare.splice(0)) void w.terminate();
}

/**
 * The workers `exhunt scan …` will ask for, read from its arguments the way commander will
 * (`--workers N` or `--workers=N`; 1 or less means the main thread only); 0 for any other command.
 */
export function huntWorkersForArgv(args: readonly string[]): number {
  if (args[0] !== 'scan' || args.includes('--help') || args.includes('-h')) return 0;
  let n: number | undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const v = a === '--workers' ? args[i + 1] : a.startsWith('--workers=') ? a.slice('--workers='.length) : undefined;
    if (v === undefined) continue;
    const k = Number(v);
    // An invalid value is the command's to report: start nothing.
    if (!Number.isInteger(k) || k < 1 || k > MAX_WORKERS) return 0;
    n = k;
  }
  const want = n ?? defaultWorkers();
  return want > 1 ? want : 0;
}
