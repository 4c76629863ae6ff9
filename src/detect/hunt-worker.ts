/**
 * Worker thread: compiles the same rule pack as the main thread, reads the log files it is given, and
 * keeps its own finding collector, handed back once at the end (so floods stay bounded per worker and
 * messages stay small). Only reader statistics travel back per file.
 */
import { parentPort } from 'node:worker_threads';
import { FindingCollector } from './collector.js';
import { huntFile, type HuntOptions, type FileJob, type FileResult } from './hunt.js';
import { RuleSet, deferRegexCompilation, type AcceptedDoc } from '../rules/index.js';
import { logsourceFor } from './source-fields.js';
import type { CompiledRule } from '../rules/types.js';

/** `init` (the rules) comes first: the pool posts it before any batch. */
export type ToWorker = { type: 'init'; docs: AcceptedDoc[] } | { type: 'batch'; id: number; jobs: FileJob[]; options: HuntOptions } | { type: 'finish' };

// Long files report progress every 32 MiB, so a 4 GB log does not look stuck.
let reported = 0;
let current = -1;
const onBytes = (n: number) => {
  if (n - reported >= 32 << 20) {
    parentPort!.postMessage({ type: 'progress', id: current, bytes: n - reported });
    reported = n;
  }
};
deferRegexCompilation(true);
// The rule set itself, not a RulePack (rule-pack.ts hashes and reads rule files: node:crypto, fs/promises).
let pack: RuleSet | undefined;
const collector = new FindingCollector();
const byKind = new Map<string, readonly CompiledRule[]>();
const rulesFor = (kind: string): readonly CompiledRule[] => {
  let r = byKind.get(kind);
  if (!r) byKind.set(kind, (r = pack!.forLogsource(logsourceFor(kind))));
  return r;
};

const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    pack = RuleSet.fromDocs(msg.docs);
  } else if (msg.type === 'batch') {
    void (async () => {
      const options: HuntOptions = { ...msg.options, onBytes };
      const results: FileResult[] = [];
      for (const job of msg.jobs) {
        reported = 0;
        current = job.id;
        try {
          results.push(await huntFile(job, rulesFor(job.kind), options, collector, (ls) => pack!.forLogsource(ls)));
        } catch (err) {
          results.push({ error: `internal error: ${(err as Error)?.stack ?? String(err)}` });
        }
      }
      port.postMessage({ type: 'done', id: msg.id, results });
    })();
  } else {
    port.postMessage({ type: 'findings', groups: collector.export() });
  }
});
