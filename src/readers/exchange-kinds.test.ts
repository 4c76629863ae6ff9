/**
 * EWS and Remote PowerShell cmdlet logs: sniffed from their directives, names and folders; read with their
 * own `#Fields` line or, header-less, with the default columns; the real examples in the corpus (skipped
 * when ../shared/corpora is absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLog, sniffLog, EWS_FIELDS, RPS_CMDLET_FIELDS, type LogKind, type LogRecord } from './index.js';
import { assetPath } from '../assets.js';

async function records(text: string, kind: LogKind): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  async function* chunks() {
    yield Buffer.from(text, 'utf8');
  }
  await readLog(chunks(), { kind, onRecord: (r) => out.push(r) });
  return out;
}

const row = (fields: readonly string[], v: Record<string, string>) => fields.map((f) => v[f] ?? '').join(',');

test('sniff: log types, file names and folders', () => {
  const head = (t: string) => Buffer.from(`#Software: Microsoft Exchange Server\r\n#Log-type: ${t}\r\n`);
  assert.equal(sniffLog(head('Rps Cmdlet Logs'), 'x.LOG'), 'rps-cmdlet');
  assert.equal(sniffLog(head('EWS Logs'), 'x.LOG'), 'ews');
  const data = Buffer.from('2023-01-11T01:01:19.898Z,a,b\r\n');
  assert.equal(sniffLog(data, 'Rps_Cmdlet_2023011116-1.LOG'), 'rps-cmdlet');
  assert.equal(sniffLog(data, 'Ews_2023010616-1.LOG'), 'ews');
  assert.equal(sniffLog(data, 'renamed.log', 'V15/Logging/CmdletInfra/LocalPowerShell/Cmdlet'), 'rps-cmdlet');
  assert.equal(sniffLog(data, 'renamed.log', 'V15/Logging/Ews'), 'ews');
  // HttpProxy's Ews protocol folder stays HttpProxy.
  assert.equal(sniffLog(data, 'renamed.log', 'V15/Logging/HttpProxy/Ews'), 'httpproxy');
});

test('header-less files get the default columns; a #Fields line wins', async () => {
  const [c] = await records(`${row(RPS_CMDLET_FIELDS, { DateTime: '2021-08-21T04:15:31.120Z', Cmdlet: 'New-MailboxExportRequest', Parameters: '-Mailbox x' })}\r\n`, 'rps-cmdlet');
  assert.equal(c!.get('Cmdlet'), 'New-MailboxExportRequest');
  assert.equal(c!.time(), Date.parse('2021-08-21T04:15:31.120Z'));
  const [e] = await records(`${row(EWS_FIELDS, { DateTime: '2021-08-21T09:01:02.345Z', SoapAction: 'FindItem', ImpersonatedUser: 'cfo@contoso.com' })}\r\n`, 'ews');
  assert.equal(e!.get('SoapAction'), 'FindItem');
  assert.equal(e!.get('impersonateduser'), 'cfo@contoso.com');
  // Exchange 2013's shorter EWS header (no Ring column): columns by name, never by position.
  const [o] = await records('#Fields: DateTime,RequestId,SoapAction,AuthenticatedUser\r\n2017-01-01T00:00:00.000Z,r,GetItem,a@contoso.com\r\n', 'ews');
  assert.equal(o!.get('SoapAction'), 'GetItem');
  assert.equal(o!.get('Ring'), undefined);
});

const examples = join(assetPath('.'), '..', 'shared', 'corpora', 'exchange-logs', 'qazeer-artefacts-help', 'examples');
test('corpus examples: the real EWS and Rps_Cmdlet lines read with their headers', { skip: !existsSync(examples) && 'corpora not present (../shared/corpora)' }, async () => {
  for (const [file, kind, field, want] of [
    ['Rps_Cmdlet_2023011116-1.LOG', 'rps-cmdlet', 'Cmdlet', 'Get-Mailbox'],
    ['Ews_2023010616-1.LOG', 'ews', 'SoapAction', 'GetFolder'],
  ] as const) {
    const head = readFileSync(join(examples, file));
    assert.equal(sniffLog(head.subarray(0, 65536), file), kind, file);
    const recs = await records(head.toString('utf8'), kind);
    assert.ok(recs.length >= 1, file);
    assert.equal(recs[0]!.get(field), want, file);
  }
});
