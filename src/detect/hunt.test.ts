import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { huntFile } from './hunt.js';
import { FindingCollector } from './collector.js';
import { loadProjectRules } from './rule-pack.js';
import { logsourceFor } from './source-fields.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('huntFile: a file found by its folder is opened once and closed on every path (log, binary, unreadable)', { skip: !existsSync('/proc/self/fd') && 'needs /proc/self/fd (Linux)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-hunt-'));
  try {
    const pack = await loadProjectRules();
    const rules = pack.forLogsource(logsourceFor('httpproxy'));
    const collector = new FindingCollector();
    writeFileSync(join(dir, 'log.LOG'), '#Software: Microsoft Exchange Server\r\n#Fields: DateTime,RequestId,UrlStem\r\n2021-03-03T06:00:00.000Z,a,/ecp/\r\n');
    writeFileSync(join(dir, 'bin.LOG'), Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]));
    const before = openFds();
    for (let i = 0; i < 50; i++) {
      const ok = await huntFile({ id: 1, abs: join(dir, 'log.LOG'), display: 'log.LOG', kind: 'httpproxy', verify: true }, rules, { ruleContext: {} }, collector, (ls) => pack.forLogsource(ls));
      assert.equal(ok.stats?.records, 1);
      const bin = await huntFile({ id: 2, abs: join(dir, 'bin.LOG'), display: 'bin.LOG', kind: 'httpproxy', verify: true }, rules, { ruleContext: {} }, collector, (ls) => pack.forLogsource(ls));
      assert.match(bin.error ?? '', /not a recognised log format/);
      const gone = await huntFile({ id: 3, abs: join(dir, 'missing.LOG'), display: 'missing.LOG', kind: 'httpproxy', verify: true }, rules, { ruleContext: {} }, collector, (ls) => pack.forLogsource(ls));
      assert.match(gone.error ?? '', /cannot read/);
    }
    assert.equal(openFds(), before, 'no descriptor left open');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
