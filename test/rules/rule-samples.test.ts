/**
 * Every rule of the project has positive and negative samples (Sigma's regression-data habit), read
 * through the real readers so the samples exercise the same path as a scan. A meta-test keeps rule ids
 * unique and every rule covered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { assetPath } from '../../src/assets.js';
import { loadProjectRules } from '../../src/detect/rule-pack.js';
import { logsourceFor } from '../../src/detect/source-fields.js';
import { readLog, defaultFields, HTTPPROXY_FIELDS, IIS_DEFAULT_FIELDS, type LogKind, type LogRecord } from '../../src/readers/index.js';
import { FileRecord } from '../../src/detect/inventory.js';
import type { EventRecord } from '../../src/model/record.js';
import { DEFAULT_INSTALL } from '../../src/evidence/discovery.js';
import { parseEvtxFile, toEventRecord } from '../../src/readers/evtx/index.js';
import { EvtxRuleCache } from '../../src/detect/evtx-logsource.js';
import type { CompiledRule } from '../../src/rules/types.js';
import type { RulePack } from '../../src/detect/rule-pack.js';
import { eventLogFile } from '../fixtures/evtx/events.js';

interface SampleFile {
  rule: string;
  /** `evtx`: each sample is one event (test/fixtures/evtx/events.ts keys), written as a real EVTX file. */
  kind: LogKind | 'file' | 'evtx';
  header?: string;
  defaults?: Record<string, string>;
  positive: Array<Record<string, string>>;
  negative: Array<Record<string, string>>;
}

const dir = assetPath('test/rules/samples');
const sampleFiles = readdirSync(dir).filter((f) => f.endsWith('.yml'));
const samples = sampleFiles.map((f) => ({ file: f, s: parse(readFileSync(join(dir, f), 'utf8')) as SampleFile }));

function csvValue(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Render one sample as a log file of its kind, the way the server would have written it. */
function render(s: SampleFile, sample: Record<string, string>): string {
  const values = { ...s.defaults, ...sample };
  if ('line' in sample) return `${s.header ?? ''}\r\n${sample['line']}\r\n`;
  if (s.kind === 'httpproxy') {
    return `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Fields: ${HTTPPROXY_FIELDS.join(',')}\r\n${HTTPPROXY_FIELDS.map((f) => csvValue(values[f] ?? '')).join(',')}\r\n`;
  }
  if (s.kind === 'iis-w3c') {
    return `#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: ${IIS_DEFAULT_FIELDS.join(' ')}\r\n${IIS_DEFAULT_FIELDS.map((f) => values[f] ?? '-').join(' ')}\r\n`;
  }
  // Other Exchange CSV logs (ews, rps-cmdlet): the kind's default header, as the server writes it.
  const csvFields = defaultFields(s.kind as LogKind);
  if (csvFields && s.kind !== 'httperr') {
    return `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2375.007\r\n#Fields: ${csvFields.join(',')}\r\n${csvFields.map((f) => csvValue(values[f] ?? '')).join(',')}\r\n`;
  }
  throw new Error(`no renderer for ${s.kind}`);
}

/**
 * An event sample through the hunt's own path: written as an EVTX file, parsed, its rules looked up by
 * channel/provider/event id (src/detect/evtx-logsource.ts) and wrapped by the same adapter. Returns the
 * records and, per record, whether the rule is among those the hunt would evaluate.
 */
async function eventRecordsOf(s: SampleFile, sample: Record<string, string>, pack: RulePack, rule: CompiledRule): Promise<Array<{ rec: EventRecord; applies: boolean }>> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-sample-'));
  try {
    const path = join(dir, 'sample.evtx');
    writeFileSync(path, eventLogFile([{ ...s.defaults, ...sample }]));
    const cache = new EvtxRuleCache((ls) => pack.forLogsource(ls));
    const out: Array<{ rec: EventRecord; applies: boolean }> = [];
    const summary = await parseEvtxFile(path, {
      onRecord: (r) => {
        const et = r.eventId === 12 ? r.data['EventType'] : undefined;
        out.push({ rec: toEventRecord(r), applies: cache.rulesFor(r.channel, r.providerName, r.eventId, typeof et === 'string' ? et : undefined).includes(rule) });
      },
    });
    assert.equal(summary.errors.length, 0, 'the sample event log parses without errors');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function recordsOf(s: SampleFile, sample: Record<string, string>): Promise<EventRecord[]> {
  if (s.kind === 'file') {
    const path = sample['TargetFilename']!;
    const name = path.slice(path.lastIndexOf('\\') + 1);
    const ms = Date.parse(sample['Modified'] ?? '2021-03-03T00:00:00Z');
    return [new FileRecord({ rel: name, name, type: 'file', size: Number(sample['Size'] ?? 0), mtimeMs: ms, birthtimeMs: ms }, path)];
  }
  const out: LogRecord[] = [];
  async function* chunks() {
    yield Buffer.from(render(s, sample), 'utf8');
  }
  await readLog(chunks(), { kind: s.kind as LogKind, onRecord: (r) => out.push(r) });
  return out;
}

test('every project rule has a sample file with positives and negatives, ids unique', async () => {
  const pack = await loadProjectRules();
  const ids = pack.rules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  const covered = new Set(samples.map(({ s }) => s.rule));
  for (const id of ids) assert.ok(covered.has(id), `rule ${id} has no samples in test/rules/samples`);
  for (const { file, s } of samples) {
    assert.ok(ids.includes(s.rule), `${file} names unknown rule ${s.rule}`);
    assert.ok(s.positive.length >= 1 && s.negative.length >= 1, `${file} needs positive and negative samples`);
  }
});

for (const { file, s } of samples) {
  test(`rule samples: ${s.rule}`, async () => {
    const pack = await loadProjectRules();
    const rule = pack.rules.find((r) => r.id === s.rule);
    assert.ok(rule, `rule ${s.rule} loaded`);
    const kind = s.kind;
    const ctx = { installPath: DEFAULT_INSTALL };
    if (kind === 'evtx') {
      for (const [i, p] of s.positive.entries()) {
        const recs = await eventRecordsOf(s, p, pack, rule);
        assert.equal(recs.length, 1, `${file} positive #${i + 1} reads as one event`);
        const { rec, applies } = recs[0]!;
        assert.ok(applies, `${file} positive #${i + 1}: the rule applies to this event's log source`);
        assert.ok(rule.match(rec, ctx), `${file} positive #${i + 1} should match: ${rec.raw.slice(0, 300)}`);
      }
      for (const [i, n] of s.negative.entries()) {
        for (const { rec, applies } of await eventRecordsOf(s, n, pack, rule)) {
          assert.ok(!applies || rule.match(rec, ctx) === null, `${file} negative #${i + 1} must not match: ${rec.raw.slice(0, 300)}`);
        }
      }
      return;
    }
    assert.ok(pack.forLogsource(logsourceFor(kind)).includes(rule), `${s.rule} applies to ${kind} records`);
    for (const [i, p] of s.positive.entries()) {
      const recs = await recordsOf(s, p);
      assert.equal(recs.length, 1, `${file} positive #${i + 1} reads as one record`);
      const rec = recs[0]!;
      assert.ok(rule.match(rec, ctx), `${file} positive #${i + 1} should match: ${rec.raw.slice(0, 300)}`);
      if (rule.prefilter) {
        const raw = rule.prefilter.caseSensitive ? rec.raw : rec.raw.toLowerCase();
        assert.ok(rule.prefilter.literals.some((l) => raw.includes(rule.prefilter!.caseSensitive ? l : l.toLowerCase())), `${file} positive #${i + 1} passes the pre-filter`);
      }
    }
    for (const [i, n] of s.negative.entries()) {
      const recs = await recordsOf(s, n);
      for (const rec of recs) assert.equal(rule.match(rec, ctx), null, `${file} negative #${i + 1} must not match: ${rec.raw.slice(0, 300)}`);
    }
  });
}
