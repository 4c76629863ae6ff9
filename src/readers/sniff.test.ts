import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sniffLog } from './sniff.js';

const FIX = fileURLToPath(new URL('../../../test/fixtures/logs/', import.meta.url));
const head = (name: string) => readFileSync(FIX + name).subarray(0, 65536);
const b = (s: string) => Buffer.from(s);

test('fixtures sniff to their kinds', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['httpproxy-ecp-bom-crlf.LOG', 'httpproxy', undefined],
    ['ews-fields-change.LOG', 'ews', undefined],
    ['ecp-server.LOG', 'ecp-server', undefined],
    ['u_ex210302.log', 'iis-w3c', undefined],
    ['httperr1.log', 'httperr', undefined],
    ['tpl-export.csv', 'tpl-export', undefined],
    ['header-row.csv', 'exchange-csv', undefined],
    ['oabgen-fields.LOG', 'oabgenerator', undefined],
  ];
  for (const [f, kind] of cases) assert.equal(sniffLog(head(f), f), kind, f);
});

test('header-less files: by folder and file name, then by the first line', () => {
  const noHdr = head('httpproxy-noheader.LOG');
  assert.equal(sniffLog(noHdr, 'HttpProxy_2021030301-1.LOG', 'V15/Logging/HttpProxy/Owa'), 'httpproxy');
  assert.equal(sniffLog(noHdr, 'x.log'), 'httpproxy'); // 74 comma-separated cells after an ISO time
  assert.equal(sniffLog(head('ecp-server-noheader.LOG'), 'ECPServer20210302-1.LOG'), 'ecp-server');
  assert.equal(sniffLog(head('oabgen-text.LOG'), 'a.LOG', 'C:/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog'), 'oabgenerator');
  assert.equal(sniffLog(head('oabgen-text.LOG'), 'a.LOG'), 'text');
  assert.equal(sniffLog(b('2021-03-02 22:41:07 192.0.2.10 GET /owa/ - 443 - 192.0.2.1 UA - 200 0 0 5\r\n'), 'u_ex210302.log'), 'iis-w3c');
  assert.equal(sniffLog(b('2021-03-02 22:41:07 192.0.2.10 GET /owa/ - 443 - 192.0.2.1 UA - 200 0 0 5\r\n'), 'copy.txt'), 'iis-w3c');
  assert.equal(sniffLog(b('anything\n'), 'httperr3.log', 'Windows/System32/LogFiles/HTTPERR'), 'httperr');
  assert.equal(sniffLog(b('anything\n'), 'u_ex2103.log', 'inetpub/logs/LogFiles/W3SVC1'), 'iis-w3c');
  assert.equal(sniffLog(b('"DateTime","AnchorMailbox"\r\n"2021-03-02T22:41:07.000Z","x"\r\n'), 'hits.csv'), 'tpl-export');
  assert.equal(sniffLog(b('just some notes\nmore\n'), 'notes.txt'), 'text');
});

test('the OABGenerator folder wins over a generic Exchange header', () => {
  const h = b('#Software: Microsoft Exchange Server\n#Log-type: Something Else\n#Fields: DateTime,Message\n');
  assert.equal(sniffLog(h, 'x.LOG', 'Logging/OABGeneratorLog'), 'oabgenerator');
  assert.equal(sniffLog(h, 'x.LOG'), 'exchange-csv');
});

test('binary, empty and UTF-16 heads are not logs', () => {
  let seed = 7;
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
  assert.equal(sniffLog(junk, 'HttpProxy_2021030222-1.LOG', 'Logging/HttpProxy/Ecp'), null);
  const noNul = Buffer.from(junk.map((x) => (x === 0 ? 1 : x)));
  assert.equal(sniffLog(noNul, 'x.LOG'), null);
  assert.equal(sniffLog(new Uint8Array(0), 'x.LOG'), null);
  assert.equal(sniffLog(Buffer.from('\ufeff#Software: x\r\n', 'utf16le'), 'x.LOG'), null);
  // a valid UTF-8 head cut inside a multi-byte character is still text
  const cut = Buffer.from('#Software: Microsoft Exchange Server\n#Log-type: EWS Logs\nnaïve é');
  assert.equal(sniffLog(cut.subarray(0, cut.length - 1), 'x.LOG'), 'ews');
});
