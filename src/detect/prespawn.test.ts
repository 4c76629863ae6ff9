import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultWorkers, discardSpareHuntWorkers, huntWorkersForArgv, prespawnHuntWorkers, takeHuntWorker } from './prespawn.js';

test('the workers a command line will ask for, read the way commander reads them', () => {
  const d = defaultWorkers();
  assert.equal(huntWorkersForArgv(['scan', 'C:\\']), d > 1 ? d : 0);
  assert.equal(huntWorkersForArgv(['scan', '/evidence', '--workers', '4']), 4);
  assert.equal(huntWorkersForArgv(['scan', '--workers=3', '/evidence']), 3);
  assert.equal(huntWorkersForArgv(['scan', '/evidence', '--workers', '1']), 0, 'one worker: the main thread only');
  for (const bad of ['0', '65', 'x', '2.5']) assert.equal(huntWorkersForArgv(['scan', '/e', '--workers', bad]), 0, bad);
  assert.equal(huntWorkersForArgv(['scan', '--help']), 0);
  assert.equal(huntWorkersForArgv(['simulate', '--out', 'x']), 0);
  assert.equal(huntWorkersForArgv(['scan', '--', '--workers', '4']), d > 1 ? d : 0, 'after -- it is a path');
});

test('started workers are taken once each, the rest are stopped', async () => {
  prespawnHuntWorkers(2);
  const a = takeHuntWorker();
  assert.ok(a);
  discardSpareHuntWorkers();
  assert.equal(takeHuntWorker(), undefined);
  // The taken worker is a hunt worker that answers: it reports an empty collector when finished.
  const reply = await new Promise<{ type: string }>((resolve) => {
    a.once('message', resolve);
    a.postMessage({ type: 'init', docs: [] });
    a.postMessage({ type: 'finish' });
  });
  assert.equal(reply.type, 'findings');
  await a.terminate();
});
