/**
 * Parallel parsing: the main thread reads chunks in file order and hands them to worker threads
 * (transferring the 64 KiB buffers, which come back for reuse); results are delivered in file order.
 * At most 2 × workers chunks are in flight, so memory stays bounded.
 */
import { Worker } from 'node:worker_threads';
import type { ChunkResult, EvtxIssue } from './chunk.js';
import { CHUNK_SIZE } from './chunk.js';
import type { ChunkJob } from './chunk-worker.js';
import { openEvtx, type EvtxSummary, type ParseFileOptions } from './file.js';

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

export interface ParallelOptions extends ParseFileOptions {
  /** Render records in the workers and deliver text (faster for dumps): onText receives each chunk's text. */
  render?: 'jsonl' | 'xml';
  onText?: (text: string) => void;
}

export async function parseEvtxFileParallel(path: string, opts: ParallelOptions): Promise<EvtxSummary> {
  const n = Math.max(1, Math.min(opts.workers ?? 2, 64));
  const f = await openEvtx(path, opts);
  const workers: Worker[] = [];
  const free: ArrayBuffer[] = [];
  const results = new Map<number, Reply>();
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  for (let i = 0; i < n; i++) {
    const w = new Worker(new URL('./chunk-worker.js', import.meta.url));
    w.on('message', (m: Reply) => {
      results.set(m.seq, m);
      notify();
    });
    w.on('error', (e) => {
      failure = e;
      notify();
    });
    workers.push(w);
  }
  let seenE = 0;
  let seenW = 0;
  const flushIssues = (): void => {
    if (opts.onError) for (; seenE < f.errors.length; seenE++) opts.onError(f.errors[seenE]!);
    if (opts.onWarning) for (; seenW < f.warnings.length; seenW++) opts.onWarning(f.warnings[seenW]!);
  };
  let sent = 0;
  let done = 0;
  const deliver = async (): Promise<void> => {
    for (;;) {
      const m = results.get(done);
      if (!m) return;
      results.delete(done);
      done++;
      free.push(m.data);
      if (m.result) {
        if (f.account(m.result)) {
          flushIssues();
          if (opts.onRecord) for (const r of m.result.records) opts.onRecord(r);
          if (opts.onChunkDone) await opts.onChunkDone(m.result);
        }
      } else if (f.account({ empty: m.empty ?? false, records: m.records ?? 0, errors: m.errors ?? [], warnings: m.warnings ?? [] })) {
        flushIssues();
        if (m.text && opts.onText) opts.onText(m.text);
        if (opts.onChunkDone) await opts.onChunkDone({ chunkIndex: done - 1 });
      }
    }
  };
  const waitOne = async (): Promise<void> => {
    if (failure) throw failure;
    if (!results.has(done)) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    await deliver();
  };
  try {
    flushIssues();
    for await (const c of f.rawChunks()) {
      while (sent - done >= n * 2) await waitOne();
      const ab = free.pop() ?? new ArrayBuffer(CHUNK_SIZE);
      new Uint8Array(ab).set(c.data);
      const job: ChunkJob = {
        seq: sent,
        index: c.index,
        fileOffset: c.fileOffset,
        data: ab,
        skipBadChecksums: opts.skipBadChecksums ?? false,
        ...(opts.render ? { render: opts.render } : {}),
      };
      workers[sent % n]!.postMessage(job, [ab]);
      sent++;
    }
    while (done < sent) await waitOne();
    flushIssues();
    return f.summary();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await f.close();
  }
}
