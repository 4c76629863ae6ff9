import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ClauseSearch, readLog, readLogFile } from './read-log.js';
import { TeddyScanner } from './teddy.js';
import type { LogKind, LogRecord, ReadOptions, ReaderStats } from './types.js';

const FIX = fileURLToPath(new URL('../../../test/fixtures/logs/', import.meta.url));

async function readAll(
  name: string,
  kind: LogKind,
  extra: Partial<ReadOptions> = {},
): Promise<{ recs: LogRecord[]; stats: ReaderStats }> {
  const recs: LogRecord[] = [];
  const stats = await readLogFile(FIX + name, { kind, onRecord: (r) => recs.push(r), ...extra });
  return { recs, stats };
}

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readBuf(data: Buffer | string, kind: LogKind, size = 1 << 20, extra: Partial<ReadOptions> = {}) {
  const recs: LogRecord[] = [];
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const stats = await readLog(chunksOf(buf, size), { kind, onRecord: (r) => recs.push(r), ...extra });
  return { recs, stats };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

test('HttpProxy: BOM, CRLF, directives, 74 columns, quoted cell with comma, "" and newline', async () => {
  const { recs, stats } = await readAll('httpproxy-ecp-bom-crlf.LOG', 'httpproxy');
  assert.equal(stats.software, 'Microsoft Exchange Server');
  assert.equal(stats.version, '15.02.0792.003');
  assert.equal(stats.logType, 'HttpProxy Logs');
  assert.equal(stats.headerBlocks, 1);
  assert.equal(stats.records, 3);
  assert.equal(stats.lines, 9); // 5 header + 2 + 2 (record 3 spans two lines)
  assert.equal(stats.malformed, 0);
  assert.equal(stats.truncatedTail, false);
  assert.equal(stats.assumedHeader, false);
  assert.deepEqual(recs.map((r) => r.line), [6, 7, 8]);
  const [a, b, c] = recs as [LogRecord, LogRecord, LogRecord];
  assert.equal(a.fieldNames().length, 74);
  assert.equal(a.get('clientipaddress'), '192.0.2.15');
  assert.equal(a.get('ClientIPAddress'), '192.0.2.15');
  assert.equal(a.get('AuthenticatedUser'), 'CONTOSO\\alice');
  assert.equal(a.get('RoutingStatus'), '');
  assert.equal(a.get('NoSuchField'), undefined);
  assert.equal(iso(a.time()), '2021-03-02T22:14:05.120Z');
  assert.equal(b.get('AnchorMailbox'), 'ServerInfo~a]@mx1.contoso.local:444/ecp/proxyLogon.ecp?#');
  assert.equal(b.get('HttpStatus'), '241');
  assert.equal(b.get('RoutingHint'), 'X-BEResource-Cookie');
  assert.equal(iso(b.time()), '2021-03-02T22:41:07.734Z');
  assert.equal(c.get('UserAgent'), 'Mozilla/5.0 (compatible, "bot")');
  assert.equal(c.get('GenericErrors'), 'Error one, "quoted"\r\nsecond line');
  assert.equal(c.get('RoutingStatus'), 'OK');
  assert.equal(c.get('HttpStatus'), '200');
  assert.ok(c.raw.includes('\r\nsecond line"'));
  assert.equal(iso(stats.firstTime), '2021-03-02T22:14:05.120Z');
  assert.equal(iso(stats.lastTime), '2021-03-02T23:05:59.001Z');
  const h = Math.floor(Date.UTC(2021, 2, 2, 22) / 3.6e6);
  assert.deepEqual([...stats.hours].sort(), [h, h + 1]);
});

test('record offsets are byte offsets of the record start (BOM included)', async () => {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(FIX + 'httpproxy-ecp-bom-crlf.LOG');
  const { recs } = await readAll('httpproxy-ecp-bom-crlf.LOG', 'httpproxy');
  for (const r of recs) {
    assert.equal(bytes.subarray(r.offset, r.offset + Buffer.byteLength(r.raw)).toString('utf8'), r.raw);
  }
});

test('the same file gives the same records whatever the chunk size', async () => {
  const { readFile } = await import('node:fs/promises');
  for (const f of ['httpproxy-ecp-bom-crlf.LOG', 'u_ex210302.log', 'tpl-export.csv', 'ecp-server.LOG']) {
    const bytes = await readFile(FIX + f);
    const kind: LogKind = f.startsWith('u_ex') ? 'iis-w3c' : f.startsWith('tpl') ? 'tpl-export' : f.startsWith('ecp') ? 'ecp-server' : 'httpproxy';
    const ref = await readBuf(bytes, kind);
    for (const size of [1, 2, 3, 7, 64]) {
      const got = await readBuf(bytes, kind, size);
      assert.deepEqual(
        got.recs.map((r) => [r.line, r.offset, r.raw, r.time()]),
        ref.recs.map((r) => [r.line, r.offset, r.raw, r.time()]),
        `${f} chunk ${size}`,
      );
      assert.deepEqual({ ...got.stats, hours: [...got.stats.hours] }, { ...ref.stats, hours: [...ref.stats.hours] });
    }
  }
});

test('HttpProxy without header: default 74-column header assumed', async () => {
  const { recs, stats } = await readAll('httpproxy-noheader.LOG', 'httpproxy');
  assert.equal(stats.assumedHeader, true);
  assert.equal(stats.headerBlocks, 0);
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.fieldNames().length, 74);
  assert.equal(recs[0]!.get('AnchorMailbox'), 'ServerInfo~localhost/owa/auth/logon.aspx?');
  assert.equal(recs[0]!.get('ClientIpAddress'), '198.51.100.7');
  assert.equal(recs[1]!.get('HttpStatus'), '302');
  assert.deepEqual(recs.map((r) => [r.line, iso(r.time())]), [
    [1, '2021-03-03T01:02:03.456Z'],
    [2, '2021-03-03T02:00:00.000Z'],
  ]);
});

test('#Fields changing mid-file: the new header applies to the following records', async () => {
  const { recs, stats } = await readAll('ews-fields-change.LOG', 'ews');
  assert.equal(stats.headerBlocks, 2);
  assert.equal(stats.version, '15.01.2375.007'); // first seen
  assert.deepEqual(
    recs.map((r) => [r.line, r.get('RequestId'), r.get('UserAgent'), r.get('HttpStatus'), r.get('Ring'), r.get('SoapAction')]),
    [
      [6, 'r-1', 'ExchangeServicesClient/0.0.0.0', '200', undefined, undefined],
      [7, 'r-2', 'Outlook/16.0', '401', undefined, undefined],
      [13, 'r-3', 'curl/7.68.0', '500', 'R3', 'FindItem'],
      [14, 'r-4', '', '200', 'R3', 'GetItem'],
    ],
  );
  assert.equal(recs[2]!.fieldNames().length, 7);
  assert.equal(iso(recs[3]!.time()), '2021-03-04T12:30:00.000Z');
  assert.equal(stats.hours.size, 3);
});

test('truncated last line: counted, still handed on with what is parseable', async () => {
  const { recs, stats } = await readAll('ews-truncated.LOG', 'ews');
  assert.equal(stats.truncatedTail, true);
  assert.equal(stats.records, 2);
  assert.equal(stats.lines, 5);
  assert.equal(recs[1]!.line, 5);
  assert.equal(recs[1]!.get('RequestId'), 't-2');
  assert.equal(recs[1]!.get('UserAgent'), 'Outl');
  assert.equal(recs[1]!.get('ClientIpAddress'), undefined);
  assert.equal(iso(recs[1]!.time()), '2021-03-05T08:00:01.000Z');
});

test('ECP Server: columns plus the S:KEY=value bag as fields', async () => {
  const { recs, stats } = await readAll('ecp-server.LOG', 'ecp-server');
  assert.equal(stats.logType, 'ECP Server Log');
  assert.equal(recs.length, 2);
  const [a, b] = recs as [LogRecord, LogRecord];
  assert.equal(a.get('EventId'), 'ECP.Request');
  assert.equal(a.get('CMD'), 'Get-OabVirtualDirectory');
  assert.equal(a.get('url'), '/ecp/DDI/DDIService.svc/GetObject?schema=OABVirtualDirectory');
  assert.equal(a.get('REQID'), '');
  assert.equal(a.get('BLD'), '15.2.792.3');
  assert.equal(a.get('TIME'), '12');
  assert.ok(a.fieldNames().includes('CMD'));
  assert.equal(
    b.get('CMD'),
    `Set-OabVirtualDirectory.ExternalUrl='http://x/<script language="JScript" runat="server">function Page_Load(){eval(Request["q9"],"unsafe");}</script>'.Identity='0b6c5c8e-7f1a-4c1e-9d3b-2a1f0e9c8b7a'`,
  );
  assert.equal(b.get('REQID'), 'abc');
  assert.equal(b.get('URL'), '/ecp/DDI/DDIService.svc/SetObject');
  assert.ok(String(b.get('EventData')).startsWith('S:TIME=40;'));
  assert.deepEqual(recs.map((r) => [r.line, iso(r.time())]), [
    [6, '2021-03-02T22:40:59.010Z'],
    [7, '2021-03-02T22:41:19.220Z'],
  ]);
});

test('ECP Server without header: default header assumed, bag parsed', async () => {
  const { recs, stats } = await readAll('ecp-server-noheader.LOG', 'ecp-server');
  assert.equal(stats.assumedHeader, true);
  assert.equal(recs[0]!.get('ServerName'), 'MX1');
  assert.equal(recs[0]!.get('CMD'), 'Get-Mailbox');
  assert.equal(recs[0]!.get('URL'), '/ecp/UsersGroups/Mailboxes.svc');
});

test('OABGenerator without #Fields: text lines, raw is the whole line, time from the line start', async () => {
  const { recs, stats } = await readAll('oabgen-text.LOG', 'oabgenerator');
  assert.equal(stats.records, 3);
  assert.equal(stats.malformed, 0);
  assert.deepEqual(recs.map((r) => r.fieldNames().length), [0, 0, 0]);
  assert.match(recs[0]!.raw, /^2021-03-02T22:41:21\.500Z \[OABGeneratorAssistant\] Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shellQ\.aspx' needs to be removed$/);
  assert.deepEqual(recs.map((r) => [r.line, iso(r.time())]), [
    [1, '2021-03-02T22:41:21.500Z'],
    [2, '2021-03-02T23:00:00.000Z'],
    [3, undefined],
  ]);
});

test('OABGenerator with #Fields: CSV, raw still the full line', async () => {
  const { recs, stats } = await readAll('oabgen-fields.LOG', 'oabgenerator');
  assert.equal(stats.logType, 'OAB Generator Log');
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.get('Level'), 'Error');
  assert.equal(recs[0]!.get('Message'), "Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\z.aspx' needs to be removed, retrying");
  assert.ok(recs[0]!.raw.startsWith('2021-03-02T22:41:21.500Z,Error,"Download failed'));
  assert.equal(recs[0]!.line, 5);
});

test('IIS W3C: two header blocks, comment and empty lines, "-" → "", "+" kept, cs(...) aliases', async () => {
  const { recs, stats } = await readAll('u_ex210302.log', 'iis-w3c');
  assert.equal(stats.software, 'Microsoft Internet Information Services 10.0');
  assert.equal(stats.version, '1.0');
  assert.equal(stats.headerBlocks, 2);
  assert.equal(stats.records, 3);
  assert.equal(stats.lines, 13);
  assert.equal(stats.malformed, 0);
  const [a, b, c] = recs as [LogRecord, LogRecord, LogRecord];
  assert.deepEqual(recs.map((r) => [r.line, iso(r.time())]), [
    [6, '2021-03-02T22:41:07.000Z'],
    [8, '2021-03-02T23:02:40.000Z'],
    [13, '2021-03-03T00:10:00.000Z'],
  ]);
  assert.equal(a.get('cs-uri-stem'), '/ecp/q.js');
  assert.equal(a.get('c-ip'), '203.0.113.24');
  assert.equal(a.get('cs(User-Agent)'), 'ExchangeServicesClient/0.0.0.0');
  assert.equal(a.get('cs-user-agent'), 'ExchangeServicesClient/0.0.0.0');
  assert.equal(a.get('cs-username'), '');
  assert.equal(a.get('cs(Referer)'), '');
  assert.equal(a.get('sc-status'), '200');
  assert.equal(a.get('cs-host'), undefined);
  assert.equal(b.get('cs-uri-query'), '');
  assert.equal(b.get('cs-user-agent'), 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)');
  assert.ok(!a.fieldNames().includes('cs-user-agent'));
  assert.equal(c.get('cs-host'), 'mail.contoso.com');
  assert.equal(c.get('cs-username'), 'CONTOSO\\bob');
  assert.equal(c.get('cs-referer'), 'https://mail.contoso.com/');
  assert.equal(c.fieldNames().length, 16);
  assert.ok(!a.raw.endsWith('\r'));
});

test('HTTPERR: same reader, its own fields', async () => {
  const { recs, stats } = await readAll('httperr1.log', 'httperr');
  assert.equal(stats.software, 'Microsoft HTTP API 2.0');
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.get('s-reason'), 'Request_Cancelled');
  assert.equal(recs[0]!.get('sc-status'), '');
  assert.equal(recs[0]!.get('cs-uri'), '/owa/auth/q.js');
  assert.equal(recs[0]!.get('s-queuename'), 'MSExchangeOWAAppPool');
  assert.equal(recs[1]!.get('sc-status'), '503');
  assert.equal(iso(recs[1]!.time()), '2021-03-02T22:40:12.000Z');
});

test('Test-ProxyLogon Export-Csv: #TYPE line, quoted header row, HttpProxy field names', async () => {
  const { recs, stats } = await readAll('tpl-export.csv', 'tpl-export');
  assert.equal(stats.headerBlocks, 1);
  assert.equal(stats.assumedHeader, false);
  assert.equal(recs.length, 2);
  assert.deepEqual(recs.map((r) => r.line), [3, 4]);
  assert.equal(recs[0]!.get('AnchorMailbox'), 'ServerInfo~a]@mx1.contoso.local:444/mapi/emsmdb/?#');
  assert.equal(recs[1]!.get('UserAgent'), 'Mozilla/5.0 (x, "y")');
  assert.equal(recs[1]!.get('RequestId'), '');
  assert.equal(recs[1]!.get('httpstatus'), '200');
  assert.equal(iso(recs[1]!.time()), '2021-03-02T22:41:09.002Z');
});

test('CSV with its own header row (no #Fields)', async () => {
  const { recs, stats } = await readAll('header-row.csv', 'exchange-csv');
  assert.equal(stats.headerBlocks, 1);
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.get('urlpath'), '/owa/auth/shellQ.aspx');
  assert.equal(recs[0]!.line, 2);
  assert.equal(iso(recs[0]!.time()), '2021-03-05T03:06:27.696Z');
});

test('prefilter: rejected records are counted and bucketed, not handed on', async () => {
  const seen: string[] = [];
  const { recs, stats } = await readAll('httpproxy-ecp-bom-crlf.LOG', 'httpproxy', {
    prefilter: (raw) => {
      seen.push(raw);
      return raw.includes('ServerInfo~');
    },
  });
  assert.equal(seen.length, 3);
  assert.equal(stats.records, 3);
  assert.deepEqual(recs.map((r) => r.line), [7, 8]);
  assert.equal(stats.hours.size, 2);
  assert.equal(iso(stats.firstTime), '2021-03-02T22:14:05.120Z');
});

test('CSV kind with neither header nor timestamps: text records', async () => {
  const { recs, stats } = await readBuf('some free text, here\nand more\n', 'httpproxy');
  assert.equal(stats.records, 2);
  assert.equal(stats.assumedHeader, false);
  assert.equal(recs[0]!.get('DateTime'), undefined);
  assert.equal(recs[1]!.raw, 'and more');
});

test('LF and CRLF give the same records', async () => {
  const lf = '#Fields: DateTime,A,B\n2021-01-01T00:00:00.000Z,"x\ny",z\n2021-01-01T00:00:01.000Z,1,2\n';
  const a = await readBuf(lf, 'exchange-csv');
  const b = await readBuf(lf.replace(/\n/g, '\r\n'), 'exchange-csv');
  assert.deepEqual(a.recs.map((r) => [r.line, r.get('B')]), [
    [2, 'z'],
    [4, '2'],
  ]);
  assert.deepEqual(b.recs.map((r) => [r.line, r.get('B')]), [
    [2, 'z'],
    [4, '2'],
  ]);
  assert.equal(a.recs[0]!.get('A'), 'x\ny');
  assert.equal(b.recs[0]!.get('A'), 'x\r\ny');
});

test('a quote in the middle of an unquoted field is literal', async () => {
  const { recs } = await readBuf('#Fields: DateTime,A,B\n2021-01-01T00:00:00.000Z,ab"c,d\n2021-01-01T00:00:01.000Z,e,f\n', 'exchange-csv');
  assert.deepEqual(recs.map((r) => [r.line, r.get('A'), r.get('B')]), [
    [2, 'ab"c', 'd'],
    [3, 'e', 'f'],
  ]);
});

test('an unclosed quote cannot hide the following records', async () => {
  const lines = ['#Fields: DateTime,A,B', '2021-01-01T00:00:00.000Z,"open,never closed'];
  for (let i = 1; i <= 50; i++) lines.push(`2021-01-01T00:00:${String(i).padStart(2, '0')}.000Z,r${i},x`);
  const text = lines.join('\n') + '\n';
  const { recs, stats } = await readBuf(text, 'exchange-csv', 64, { maxRecordBytes: 256 });
  assert.ok(stats.malformed >= 1);
  const ids = recs.map((r) => r.get('A'));
  for (let i = 1; i <= 50; i++) assert.ok(ids.includes(`r${i}`), `r${i} present`);
  // and at end of stream
  const b = await readBuf('#Fields: DateTime,A\n2021-01-01T00:00:00.000Z,"open\n2021-01-01T00:00:01.000Z,next\n', 'exchange-csv');
  assert.deepEqual(b.recs.map((r) => [r.line, r.get('A')]), [
    [2, 'open'],
    [3, 'next'],
  ]);
  assert.equal(b.stats.malformed, 1);
});

test('long records: cut to maxRecordBytes, counted, reading goes on', async () => {
  const long = '2021-01-01T00:00:00.000Z,' + 'A'.repeat(5000) + ',tail';
  const text = `#Fields: DateTime,A,B\n${long}\n2021-01-01T00:00:01.000Z,short,b\n`;
  for (const size of [100, 1000, 1 << 20]) {
    const { recs, stats } = await readBuf(text, 'exchange-csv', size, { maxRecordBytes: 1024 });
    assert.equal(stats.longRecords, 1);
    assert.equal(recs.length, 2);
    assert.equal(Buffer.byteLength(recs[0]!.raw), 1024);
    assert.equal(recs[0]!.get('B'), undefined);
    assert.equal(recs[0]!.time(), Date.UTC(2021, 0, 1));
    assert.deepEqual(recs.map((r) => r.line), [2, 3]);
    assert.equal(recs[1]!.get('B'), 'b');
    assert.equal(recs[1]!.offset, text.indexOf('2021-01-01T00:00:01'));
  }
});

test('long record cut never splits a UTF-8 sequence', async () => {
  const text = 'x'.repeat(99) + 'é'.repeat(100) + '\nnext\n';
  const { recs } = await readBuf(text, 'text', 50, { maxRecordBytes: 100 });
  assert.equal(recs[0]!.raw, 'x'.repeat(99));
  assert.equal(recs[1]!.raw, 'next');
});

test('invalid UTF-8 is replaced and counted; NUL lines are counted and dropped; never throws', async () => {
  const bad = Buffer.concat([Buffer.from('2021-01-01T00:00:00.000Z,ok\n'), Buffer.from([0x41, 0xff, 0xfe, 0x42, 0x0a]), Buffer.from([0x43, 0x00, 0x44, 0x0a]), Buffer.from('tail\n')]);
  const { recs, stats } = await readBuf(bad, 'text');
  assert.deepEqual(recs.map((r) => r.raw), ['2021-01-01T00:00:00.000Z,ok', 'A\ufffd\ufffdB', 'tail']);
  assert.equal(stats.malformed, 2);
  assert.equal(stats.records, 4);
});

test('binary garbage: no throw, bounded output, malformed counted', async () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
  const junk = Buffer.alloc(3 << 20);
  for (let i = 0; i < junk.length; i++) junk[i] = rnd();
  const { stats } = await readBuf(junk, 'httpproxy', 1 << 16);
  assert.ok(stats.malformed > 0);
  assert.equal(stats.bytes, junk.length);
  const { stats: s2 } = await readBuf(junk, 'iis-w3c', 4096, { maxRecordBytes: 1000 });
  assert.ok(s2.malformed > 0);
});

test('abort signal rejects', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(readBuf('a\n', 'text', 1, { signal: ac.signal }));
});

test('line numbers stay right after an over-long multi-line quoted record and a quoted truncated tail', async () => {
  const quoted = '"' + 'x'.repeat(150) + '\n' + 'y'.repeat(150) + '"';
  const text = `#Fields: DateTime,A,B\n2021-01-01T00:00:00.000Z,${quoted},${'z'.repeat(600)}\n2021-01-01T00:00:01.000Z,after,b\n2021-01-01T00:00:02.000Z,"q\nr"`;
  for (const size of [7, 100, 5000]) {
    const { recs, stats } = await readBuf(text, 'exchange-csv', size, { maxRecordBytes: 512 });
    assert.deepEqual(recs.map((r) => [r.line, r.get('A')?.toString().slice(0, 5)]), [
      [2, 'x'.repeat(5)],
      [4, 'after'],
      [5, 'q\nr'],
    ], `chunk ${size}`);
    assert.equal(stats.longRecords, 1);
    assert.equal(stats.malformed, 0);
    assert.equal(stats.truncatedTail, true);
    assert.equal(stats.lines, 6);
  }
});

test('a quoted field longer than maxRecordBytes is corruption, whatever the chunking', async () => {
  const quoted = '"' + 'x'.repeat(300) + '\n' + 'y'.repeat(300) + '"';
  const text = `#Fields: DateTime,A,B\n2021-01-01T00:00:00.000Z,${quoted},b\n2021-01-01T00:00:01.000Z,after,b\n`;
  let ref: unknown;
  for (const size of [7, 100, 5000]) {
    const { recs, stats } = await readBuf(text, 'exchange-csv', size, { maxRecordBytes: 512 });
    const got = recs.map((r) => [r.line, r.raw.slice(0, 30)]);
    ref ??= got;
    assert.deepEqual(got, ref, `chunk ${size}`);
    assert.equal(recs.at(-1)!.get('A'), 'after');
    assert.equal(recs.at(-1)!.line, 4);
    assert.ok(stats.malformed >= 1);
  }
});

test('clause literal filter: a record passes only when it holds every clause of some rule', async () => {
  const rules = [
    [['powershell', '%50', '%70'], ['owa', '%4f', '%6f']], // OWASSRF-like: both words, in any escape
    [['/auth/'], ['post'], ['.aspx', '.ashx']],
    [['serverinfo~']], // no clauses
  ];
  const literals = [...new Set(rules.flat(2))].sort();
  const lines = [
    'x POST /powershell clientApplication=ActiveMonitor 200', // health probe: no owa
    'x POST /OWA/a@b.com/PowerShell 200', // OWASSRF
    'x POST /%6fwa/a@b.com/%50owershell 200', // escaped
    'x GET /owa/auth/logon.aspx 200', // no POST
    'x POST /owa/auth/shell.aspx 200', // all three
    'x POST /owa/auth.owa 302', // no /auth/
    'x GET /mapi ServerInfo~a]@x 200',
    'x GET /ews 200',
  ];
  const text = lines.join('\n') + '\n';
  for (const size of [1, 7, 64, 1 << 20]) {
    const { recs } = await readBuf(text, 'text', size, { literalFilter: { literals, caseSensitive: false, rules } });
    assert.deepEqual(recs.map((r) => r.line), [2, 3, 5, 7], `chunk size ${size}`);
  }
});

test('clause literal filter: a clause common in the data is checked in the record, not searched, with the same result', async () => {
  // `post` fills the sampled lines, so it is checked in each record holding `/auth/` and `.aspx` (the rare clauses).
  const rules = [[['/auth/'], ['post'], ['.aspx', '.ashx']]];
  const literals = [...new Set(rules.flat(2))].sort();
  const filler = Array.from({ length: 400 }, (_, i) => `x POST /owa/ev.owa?n=${i} 200`);
  const targets = [
    'x GET /owa/auth/shell.aspx 200 pOsT', // the common clause as the record's last bytes, mixed case
    'x GET /owa/auth/shell.aspx 200 pos', // a near miss
    'x GET /owa/auth/other.aspx 200', // `post` only on the next line: records do not bleed
    'POST',
    'x Post /ecp/auth/x.ASHX 200',
  ];
  const lines = [...filler.slice(0, 200), ...targets, ...filler.slice(200)];
  const want = [201, 205];
  for (const size of [9, 4096, 1 << 20]) {
    const { recs } = await readBuf(lines.join('\n') + '\n', 'text', size, { literalFilter: { literals, caseSensitive: false, rules } });
    assert.deepEqual(recs.map((r) => r.line), want, `chunk size ${size}`);
  }
});

test('clause literal filter with more clauses than one 32-bit word (bit 31 and beyond)', async () => {
  // 40 rules of two clauses each: bits 0..79; every rule must still be found by its own line.
  const rules = Array.from({ length: 40 }, (_, i) => [[`alpha${i}x`], [`beta${i}y`]]);
  const literals = [...new Set(rules.flat(2))].sort();
  const lines = Array.from({ length: 40 }, (_, i) => `a ALPHA${i}X b beta${i}Y c`).concat(['alpha1x beta2y', 'nothing here']);
  const { recs } = await readBuf(lines.join('\n') + '\n', 'text', 1 << 20, { literalFilter: { literals, caseSensitive: false, rules } });
  assert.deepEqual(recs.map((r) => r.line), Array.from({ length: 40 }, (_, i) => i + 1));
});

test('a clause check answers alike in WebAssembly, in JavaScript (literals over 31 bytes) and as a substring search', () => {
  let seed = 4242;
  const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const alphabet = 'postPOSTget /owa/auth/x.aspx?a=1 200 ';
  const short = ['post', 'x.aspx'];
  const long = ['post', `/owa/auth/${'x'.repeat(30)}.aspx`];
  for (let round = 0; round < 40; round++) {
    let text = '';
    while (text.length < 3000) text += r() < 0.01 ? long[1]! : alphabet[Math.floor(r() * alphabet.length)]!;
    const buf = Buffer.from(text, 'latin1');
    const teddy = new TeddyScanner(['zzq', 'qzz', 'xqj'], false);
    const viaWasm = new ClauseSearch(short);
    const viaJs = new ClauseSearch(long);
    let s = 0;
    while (s < buf.length) {
      const e = Math.min(buf.length, s + 1 + Math.floor(r() * 120));
      teddy.test(buf, s, e); // puts the window in WebAssembly memory
      const hay = buf.toString('latin1', s, e).toLowerCase();
      assert.equal(viaWasm.test(buf, s, e, teddy), short.some((l) => hay.includes(l)), `[${s}, ${e})`);
      assert.equal(viaWasm.test(buf, s, e), short.some((l) => hay.includes(l)), `[${s}, ${e}) without the window`);
      assert.equal(viaJs.test(buf, s, e, teddy), long.some((l) => hay.includes(l.toLowerCase())), `[${s}, ${e}) long literal`);
      s = e;
    }
  }
});
