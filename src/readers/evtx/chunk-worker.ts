/** Worker-thread entry: parses chunks sent by parallel.ts. */
import { parentPort } from 'node:worker_threads';
import { parseChunk } from './chunk.js';
import { renderXml } from './render.js';
import { recordToJsonLine } from './output.js';

export interface ChunkJob {
  seq: number;
  index: number;
  fileOffset: number;
  data: ArrayBuffer;
  skipBadChecksums: boolean;
  /** Render in the worker and return text instead of record objects. */
  render?: 'jsonl' | 'xml';
}

parentPort?.on('message', (job: ChunkJob) => {
  const r = parseChunk(new Uint8Array(job.data), job.index, { fileOffset: job.fileOffset, skipBadChecksums: job.skipBadChecksums });
  if (job.render) {
    const f = job.render === 'xml' ? renderXml : recordToJsonLine;
    let text = '';
    for (const rec of r.records) text += f(rec) + '\n';
    parentPort!.postMessage({ seq: job.seq, data: job.data, empty: r.empty, records: r.records.length, errors: r.errors, warnings: r.warnings, text }, [job.data]);
  } else {
    parentPort!.postMessage({ seq: job.seq, data: job.data, result: r }, [job.data]);
  }
});
