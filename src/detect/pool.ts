import { Worker } from 'node:worker_threads';
import { FindingCollector, type ExportedGroup } from './collector.js';
import { huntFile, type FileJob, type FileResult, type HuntOptions } from './hunt.js';
import type { RulePack } from './rule-pack.js';
import { logsourceFor } from './source-fields.js';
import type { CompiledRule } from '../rules/types.js';
import { defaultWorkers, discardSpareHuntWorkers, huntWorkerUrl, takeHuntWorker } from './prespawn.js';

export interface PoolOptions {
  /** Worker threads; 0 or 1 runs in this thread. Default: the machine's cores, at most 8. */
  workers?: number;
  /** Bytes read inside a file not finished yet (progress of long files). */
  onBytes?: (jobId: number, delta: number) => void;
}

export { defaultWorkers };

/**
 * Spreads log files over worker threads. Each worker compiles the same rule pack and collects its own
 * findings; results are merged at the end. With one worker everything runs in this thread (no copying).
 */
export class HuntPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (r: FileResult[]) => void>();
  /** Jobs sent to each worker and not yet answered: a few in flight hide the message round trip. */
  private readonly inflight = new Map<Worker, number>();
  private static readonly IN_FLIGHT = 3;
  private readonly queue: Array<{ jobs: FileJob[]; options: HuntOptions; resolve: (r: FileResult[]) => void }> = [];
  private readonly onBytes: PoolOptions['onBytes'];
  private localOnBytes: ((b: number) => void) | undefined;
  private batchSeq = 0;
  private readonly local: { collector: FindingCollector; rulesFor: (kind: string) => readonly CompiledRule[] } | undefined;
  private failure: Error | undefined;

  private options: HuntOptions = { ruleContext: {} };

  private pack: RulePack | undefined;
  private readonly packReady: Promise<RulePack>;

  /**
   * Workers start at once, before the hunt options are known. `pack` may still be loading: workers load
   * their modules meanwhile and get the rules (an `init` message, posted before any batch) when they are
   * ready, then build them while discovery lists the evidence. Options travel with each batch.
   */
  constructor(pack: RulePack | Promise<RulePack>, opts: PoolOptions = {}) {
    this.packReady = Promise.resolve(pack).then((p) => (this.pack = p));
    this.packReady.catch(() => undefined); // the scan awaits the same promise and reports the failure
    this.onBytes = opts.onBytes;
    const n = opts.workers ?? defaultWorkers();
    if (n <= 1) {
      discardSpareHuntWorkers();
      let reported = 0;
      this.localOnBytes = (b: number) => {
          if (b < reported) reported = 0; // a new file
          if (b - reported >= 32 << 20) {
            this.onBytes?.(this.currentJob, b - reported);
            reported = b;
          }
      };
      const byKind = new Map<string, readonly CompiledRule[]>();
      this.local = {
        collector: new FindingCollector(),
        rulesFor: (kind) => {
          let r = byKind.get(kind);
          if (!r) byKind.set(kind, (r = this.pack!.forLogsource(logsourceFor(kind))));
          return r;
        },
      };
      return;
    }
    for (let i = 0; i < n; i++) {
      // Started by the CLI entry point when it knew a scan was coming (prespawn.ts), else now.
      const w = takeHuntWorker() ?? new Worker(huntWorkerUrl());
      void this.packReady.then((p) => w.postMessage({ type: 'init', docs: p.docs }), () => undefined);
      w.on('message', (m: { type: string; id?: number; results?: FileResult[]; bytes?: number }) => {
        if (m.type === 'progress') this.onBytes?.(m.id ?? -1, m.bytes ?? 0);
        if (m.type !== 'done' || m.id === undefined) return;
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.(m.results!);
        this.release(w);
      });
      w.on('error', (err) => {
        // A worker dying is a bug (readers never throw on content): fail the scan loudly.
        this.failure = err;
        for (const r of this.pending.values()) r([]);
        this.pending.clear();
      });
      this.workers.push(w);
      this.inflight.set(w, 0);
    }
    discardSpareHuntWorkers();
  }

  get size(): number {
    return this.local ? 1 : this.workers.length;
  }

  private localChain: Promise<unknown> = Promise.resolve();
  private currentJob = -1;

  /**
   * Read a batch of files (small files travel together: one message per batch, not per file).
   * Results come back in the order of `jobs`.
   */
  run(jobs: FileJob[], options: HuntOptions): Promise<FileResult[]> {
    if (this.local) {
      this.options = { ...options, onBytes: this.localOnBytes };
      // One batch at a time: bounded open files and buffers, like a worker.
      const local = this.local;
      const next = this.localChain.then(async () => {
        await this.packReady;
        const out: FileResult[] = [];
        for (const job of jobs) {
          this.currentJob = job.id;
          out.push(await huntFile(job, local.rulesFor(job.kind), this.options, local.collector, (ls) => this.pack!.forLogsource(ls)));
        }
        return out;
      });
      this.localChain = next.catch(() => undefined);
      return next;
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({
        jobs,
        options,
        resolve: (r) => (r.length === jobs.length ? resolve(r) : reject(this.failure ?? new Error('worker failed'))),
      });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      // The least busy worker, if it has room.
      let best: Worker | undefined;
      let load = HuntPool.IN_FLIGHT;
      for (const [w, n] of this.inflight) if (n < load) [best, load] = [w, n];
      if (!best) return;
      const { jobs, options, resolve } = this.queue.shift()!;
      const id = this.batchSeq++;
      this.pending.set(id, resolve);
      this.inflight.set(best, load + 1);
      best.postMessage({ type: 'batch', id, jobs, options });
    }
  }

  private release(w: Worker): void {
    this.inflight.set(w, (this.inflight.get(w) ?? 1) - 1);
    this.pump();
  }

  /** Collect every worker's findings into one collector and stop the workers. */
  async finish(): Promise<FindingCollector> {
    if (this.local) return this.local.collector;
    if (this.failure) throw this.failure;
    const merged = new FindingCollector();
    const parts = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<ExportedGroup[]>((resolve, reject) => {
            const onMsg = (m: { type: string; groups?: ExportedGroup[] }) => {
              if (m.type === 'findings') {
                w.off('message', onMsg);
                resolve(m.groups ?? []);
              }
            };
            w.on('message', onMsg);
            w.once('error', reject);
            w.postMessage({ type: 'finish' });
          }),
      ),
    );
    for (const p of parts) merged.merge(p);
    await this.close();
    return merged;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
