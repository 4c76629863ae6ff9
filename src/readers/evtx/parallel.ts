/**
 * Parallel parsing: the main thread reads chunks in file order and hands them to a pool of worker
 * threads (transferring 64 KiB buffers, which come back for reuse); results are delivered in file order.
 * At most 2 × workers chunks are in flight, so memory stays bounded. The pool is kept between files
 * (worker start-up costs tens of milliseconds) and does not keep the process alive when idle. Files of
 * fewer than `minChunks` chunks are parsed in the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { ChunkResult, EvtxIssue } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, parseChunk } from './chunk.js';
import type { ChunkJob } from './chunk-worker.js';
import { openEvtx, type EvtxSummary, type ParseFileOptions } from './file.js';
import { recordToJsonLine } from './output.js';
import { renderXml } from './render.js';

interface Reply {
  seq: number;
  data: ArrayBuffer;
  result?: ChunkResult;
  empty?: boolean;
  records?: number;
  errors?: EvtxIssue[];
  warnings?: EvtxIssue[];
  text?: string;
}

/** A fixed set of worker threads parsing chunks. */
export class EvtxWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private nextSeq = 0;
  private next = 0;
  private inFlight = 0;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./chunk-worker.js', import.meta.url));
      w.on('message', (m: Reply) => {
        const p = this.waiting.get(m.seq);
        this.waiting.delete(m.seq);
        if (--this.inFlight === 0) for (const x of this.workers) x.unref();
        p?.resolve(m);
      });
      const fail = (e: unknown): void => {
        this.closed = true;
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
        if (sharedPool === this) sharedPool = null;
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!this.closed) fail(new Error(`EVTX worker exited (code ${code})`));
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Parse one chunk in a worker; the buffer is transferred (and returned in the reply). */
  run(job: Omit<ChunkJob, 'seq'>): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('worker pool closed'));
    const seq = this.nextSeq++;
    if (this.inFlight++ === 0) for (const x of this.workers) x.ref();
    const w = this.workers[this.next++ % this.workers.length]!;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      w.postMessage({ ...job, seq }, [job.data]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let sharedPool: EvtxWorkerPool | null = null;

/** The process-wide pool of `n` workers (re-created when `n` changes). */
export function sharedWorkerPool(n: number): EvtxWorkerPool {
  if (!sharedPool || sharedPool.size !== n) {
    void sharedPool?.close();
    sharedPool = new EvtxWorkerPool(n);
  }
  return sharedPool;
}

export interface ParallelOptions extends ParseFileOptions {
  /** Render records in the workers and deliver text (fast dumps): `onText` receives each chunk's text, `onRecord` is not called. */
  render?: 'jsonl' | 'xml';
  onText?: (text: string) => void;
  /** Pool to use (default: the shared pool of `workers` threads). */
  pool?: EvtxWorkerPool;
  /** Files with fewer chunks are parsed in this thread (default 8). */
  minChunks?: number;
}

export async function parseEvtxFileParallel(path: string, opts: ParallelOptions): Promise<EvtxSummary> {
  const n = Math.max(1, Math.min(opts.workers ?? 2, 64));
  const f = await openEvtx(path, opts);
  const minChunks = opts.minChunks ?? 8;
  const small = f.fileSize < FILE_HEADER_SIZE + minChunks * CHUNK_SIZE;
  const pool = small ? null : (opts.pool ?? sharedWorkerPool(n));
  const free: ArrayBuffer[] = [];
  let seenE = 0;
  let seenW = 0;
  const flushIssues = (): void => {
    if (opts.onError) for (; seenE < f.errors.length; seenE++) opts.onError(f.errors[seenE]!);
    if (opts.onWarning) for (; seenW < f.warnings.length; seenW++) opts.onWarning(f.warnings[seenW]!);
  };
  const deliver = async (m: Reply, chunkIndex: number): Promise<void> => {
    if (m.result) {
      if (!f.account(m.result)) return;
      flushIssues();
      if (opts.render && opts.onText) {
        const fmt = opts.render === 'xml' ? renderXml : recordToJsonLine;
        let text = '';
        for (const r of m.result.records) text += fmt(r) + '\n';
        opts.onText(text);
      } else if (opts.onRecord) for (const r of m.result.records) opts.onRecord(r);
    } else {
      if (!f.account({ empty: m.empty ?? false, records: m.records ?? 0, errors: m.errors ?? [], warnings: m.warnings ?? [] })) return;
      flushIssues();
      if (m.text && opts.onText) opts.onText(m.text);
    }
    if (opts.onChunkDone) await opts.onChunkDone({ chunkIndex });
  };
  try {
    flushIssues();
    const queue: { index: number; p: Promise<Reply> }[] = [];
    for await (const c of f.rawChunks()) {
      if (!pool) {
        const r = parseChunk(c.data, c.index, { fileOffset: c.fileOffset, skipBadChecksums: opts.skipBadChecksums ?? false });
        await deliver({ seq: 0, data: new ArrayBuffer(0), result: r }, c.index);
        continue;
      }
      while (queue.length >= n * 2) {
        const q = queue.shift()!;
        const m = await q.p;
        free.push(m.data);
        await deliver(m, q.index);
      }
      const ab = free.pop() ?? new ArrayBuffer(CHUNK_SIZE);
      new Uint8Array(ab).set(c.data);
      queue.push({
        index: c.index,
        p: pool.run({
          index: c.index,
          fileOffset: c.fileOffset,
          data: ab,
          skipBadChecksums: opts.skipBadChecksums ?? false,
          ...(opts.render ? { render: opts.render } : {}),
        }),
      });
    }
    for (const q of queue) {
      const m = await q.p;
      await deliver(m, q.index);
    }
    flushIssues();
    return f.summary();
  } finally {
    if (pool && opts.pool === undefined && pool !== sharedPool) await pool.close();
    await f.close();
  }
}
