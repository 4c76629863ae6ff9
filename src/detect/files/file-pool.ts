import { Worker } from 'node:worker_threads';
import { compileContent, type CompiledContent, type YaraSpec } from './content.js';
import { readAndScan, type FileContentResult, type ReadLimits } from './read-file.js';
import type { FileJob } from './file-worker.js';

export interface RulesReport {
  ruleCount: number;
  warnings: string[];
  errors: string[];
}

/**
 * Spreads file reads over worker threads, each with its own compiled YARA rules (compiled once per worker,
 * not per file). With one worker everything runs in this thread. Same shape as src/detect/pool.ts.
 */
export class FilePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, (r: FileContentResult[]) => void>();
  private readonly queue: Array<{ jobs: FileJob[]; resolve: (r: FileContentResult[]) => void }> = [];
  private seq = 0;
  private local: CompiledContent | undefined;
  private failure: Error | undefined;
  readonly ready: Promise<RulesReport>;

  constructor(yara: YaraSpec, private readonly limits: ReadLimits, workers: number) {
    if (workers <= 1) {
      const c = (this.local = compileContent(yara));
      this.ready = Promise.resolve({ ruleCount: c.ruleCount, warnings: c.warnings, errors: c.errors });
      return;
    }
    const readies: Array<Promise<RulesReport>> = [];
    for (let i = 0; i < workers; i++) {
      const w = new Worker(new URL('./file-worker.js', import.meta.url), { workerData: { yara, limits } });
      readies.push(
        new Promise((resolve, reject) => {
          const onMsg = (m: { type: string } & RulesReport) => {
            if (m.type !== 'ready') return;
            w.off('message', onMsg);
            resolve({ ruleCount: m.ruleCount, warnings: m.warnings, errors: m.errors });
            // Two batches in flight per worker: the next one is queued while the main thread handles results.
            this.idle.push(w, w);
            this.pump();
          };
          w.on('message', onMsg);
          w.once('error', reject);
        }),
      );
      w.on('message', (m: { type: string; id?: number; results?: FileContentResult[] }) => {
        if (m.type !== 'done' || m.id === undefined) return;
        const r = this.pending.get(m.id);
        this.pending.delete(m.id);
        r?.(m.results ?? []);
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (err) => {
        this.failure = err;
        for (const r of this.pending.values()) r([]);
        this.pending.clear();
      });
      this.workers.push(w);
    }
    // Every worker compiles the same rules: the first report speaks for all.
    this.ready = readies[0]!;
    for (const r of readies.slice(1)) r.catch(() => undefined);
  }

  get size(): number {
    return this.local ? 1 : this.workers.length;
  }

  run(jobs: FileJob[]): Promise<FileContentResult[]> {
    if (this.local) {
      const c = this.local;
      // One batch at a time, in this thread; a yield between batches keeps the caller responsive.
      return new Promise((resolve) => setImmediate(() => resolve(jobs.map((j) => readAndScan(Buffer.from(j.abs), j.name, c.scanner, this.limits)))));
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ jobs, resolve: (r) => (r.length === jobs.length ? resolve(r) : reject(this.failure ?? new Error('file worker failed'))) });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length && this.idle.length) {
      const w = this.idle.pop()!;
      const { jobs, resolve } = this.queue.shift()!;
      const id = this.seq++;
      this.pending.set(id, resolve);
      w.postMessage({ type: 'batch', id, jobs });
    }
  }

  async close(): Promise<void> {
    this.local?.dispose();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
