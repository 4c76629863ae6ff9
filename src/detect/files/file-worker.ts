/**
 * Worker thread of the file scan: compiles the YARA rules once, then reads, hashes and scans the files it is
 * sent, in batches. Only plain results travel back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileContent, type YaraSpec } from './content.js';
import { readAndScan, type ReadLimits } from './read-file.js';

export interface FileJob {
  abs: Uint8Array;
  name: string;
}

const init = workerData as { yara: YaraSpec; limits: ReadLimits };
const port = parentPort!;
const compiled = compileContent(init.yara);
port.postMessage({ type: 'ready', ruleCount: compiled.ruleCount, warnings: compiled.warnings, errors: compiled.errors });
port.on('message', (msg: { type: 'batch'; id: number; jobs: FileJob[] }) => {
  const results = msg.jobs.map((j) => {
    try {
      return readAndScan(Buffer.from(j.abs.buffer, j.abs.byteOffset, j.abs.byteLength), j.name, compiled.scanner, init.limits);
    } catch (err) {
      // A YARA engine failure on one file is reported on that file; the scan goes on.
      return { size: 0, hits: [], error: `internal error: ${(err as Error).message}` };
    }
  });
  port.postMessage({ type: 'done', id: msg.id, results });
});
