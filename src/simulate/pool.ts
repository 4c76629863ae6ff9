import { Worker } from 'node:worker_threads';
import { buildContext, type Context, type UnitOptions } from './context.js';
import { runUnit, type UnitResult, type UnitTask } from './unit.js';

/**
 * Runs generation units on worker threads (or in-process for one worker). Units are pure functions of
 * (options, task), so which thread runs which unit never changes the output.
 */
export class UnitPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; opts: UnitOptions; task: UnitTask }[] = [];
  private readonly pending = new Map<number, { resolve: (r: UnitResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | undefined;
  private closing = false;
  private readonly local = new Map<string, Context>();

  constructor(readonly size: number) {
    if (size <= 1) return;
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      w.on('message', (m: { id: number; result?: UnitResult; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        this.idle.push(w);
        this.pump();
        if (!p) return;
        if (m.error !== undefined) p.reject(new Error(`simulator worker: ${m.error}`));
        else p.resolve(m.result as UnitResult);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`simulator worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      w.postMessage(this.queue.shift());
    }
  }

  run(opts: UnitOptions, task: UnitTask): Promise<UnitResult> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.size <= 1) {
      // In-process: one unit at a time, yielding to the event loop between units.
      return new Promise<void>((r) => setImmediate(r)).then(() => {
        const key = JSON.stringify(opts);
        let ctx = this.local.get(key);
        if (!ctx) {
          if (this.local.size >= 4) this.local.clear();
          this.local.set(key, (ctx = buildContext(opts)));
        }
        return runUnit(ctx, task);
      });
    }
    return new Promise<UnitResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, opts, task });
      this.pump();
    });
  }

  /**
   * Runs the tasks with at most `ahead` in flight and hands the results to `merge` in task order (so the
   * coordinator's appends — HTTPERR, the truth — are in time order whatever finished first).
   */
  async runOrdered(opts: UnitOptions, tasks: UnitTask[], merge: (r: UnitResult, i: number) => void, ahead = Math.max(2, this.size * 2)): Promise<void> {
    const started: Promise<UnitResult>[] = [];
    let next = 0;
    let done = 0;
    const start = (): void => {
      while (next < tasks.length && next - done < ahead) {
        const p = this.run(opts, tasks[next] as UnitTask);
        p.catch(() => undefined);
        started[next++] = p;
      }
    };
    start();
    while (done < tasks.length) {
      const r = await (started[done] as Promise<UnitResult>);
      delete started[done];
      merge(r, done);
      done++;
      start();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
