/** Worker-thread entry of the simulator: runs generation units (see unit.ts) for the coordinator in simulate.ts. */
import { parentPort } from 'node:worker_threads';
import { buildContext, type Context, type UnitOptions } from './context.js';
import { runUnit, type UnitTask } from './unit.js';

const contexts = new Map<string, Context>();

parentPort?.on('message', (msg: { id: number; opts: UnitOptions; task: UnitTask }) => {
  try {
    const key = JSON.stringify(msg.opts);
    let ctx = contexts.get(key);
    if (!ctx) {
      if (contexts.size >= 4) contexts.clear();
      contexts.set(key, (ctx = buildContext(msg.opts)));
    }
    parentPort!.postMessage({ id: msg.id, result: runUnit(ctx, msg.task) });
  } catch (error) {
    parentPort!.postMessage({ id: msg.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
