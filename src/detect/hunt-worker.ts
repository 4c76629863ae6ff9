/**
 * Worker thread: compiles the same rule pack as the main thread, reads the log files it is given, and
 * keeps its own finding collector, handed back once at the end (so floods stay bounded per worker and
 * messages stay small). Only reader statistics travel back per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FindingCollector } from './collector.js';
import { huntFile, type HuntOptions, type FileJob } from './hunt.js';
import { packFromSources } from './rule-pack.js';
import { logsourceFor } from './source-fields.js';
import type { RuleSource } from '../rules/index.js';
import type { CompiledRule } from '../rules/types.js';

interface Init {
  sources: RuleSource[];
  options: HuntOptions;
}

export type ToWorker = { type: 'job'; job: FileJob } | { type: 'finish' };

const init = workerData as Init;
const pack = packFromSources(init.sources);
const collector = new FindingCollector();
const byKind = new Map<string, readonly CompiledRule[]>();
const rulesFor = (kind: string): readonly CompiledRule[] => {
  let r = byKind.get(kind);
  if (!r) byKind.set(kind, (r = pack.forLogsource(logsourceFor(kind))));
  return r;
};

const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'job') {
    huntFile(msg.job, rulesFor(msg.job.kind), init.options, collector, (ls) => pack.forLogsource(ls)).then(
      (result) => port.postMessage({ type: 'done', id: msg.job.id, result }),
      (err: unknown) => port.postMessage({ type: 'done', id: msg.job.id, result: { error: `internal error: ${(err as Error)?.stack ?? String(err)}` } }),
    );
  } else {
    port.postMessage({ type: 'findings', groups: collector.export() });
  }
});
