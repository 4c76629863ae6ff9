/**
 * `node dist/bench/hostile.js [--keep]`: hostile input at scale, each case scanned by the built CLI with
 * its time, peak memory and what coverage said about it:
 *   - a 2 GB single line (no newline) in an HttpProxy log
 *   - a 4 GB IIS log file
 *   - 100,000 small log files
 *   - a log that grows while it is being read
 *   - a log truncated in the middle of a quoted record
 * Needs ~7 GB free in the temp folder; everything is deleted afterwards unless --keep.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetPath } from '../src/assets.js';
import { HTTPPROXY_FIELDS, IIS_DEFAULT_FIELDS } from '../src/readers/index.js';

const CLI = assetPath('dist/src/cli/main.js');
const HP_HEADER = `#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: ${HTTPPROXY_FIELDS.join(',')}\r\n`;
const IIS_HEADER = `#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-03 00:00:00\r\n#Fields: ${IIS_DEFAULT_FIELDS.join(' ')}\r\n`;

function hpRow(i: number, anchor = `Smtp~user${i % 500}@contoso.com`): string {
  const v: Record<string, string> = {
    DateTime: new Date(Date.UTC(2021, 2, 3, 6) + (i % 3_600_000)).toISOString(),
    RequestId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    Protocol: 'Ecp',
    UrlStem: '/ecp/',
    AnchorMailbox: anchor,
    ClientIpAddress: `10.1.${(i >> 8) & 255}.${i & 255}`,
    HttpStatus: '200',
    UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  };
  return HTTPPROXY_FIELDS.map((f) => v[f] ?? '').join(',');
}

function iisRow(i: number): string {
  const t = new Date(Date.UTC(2021, 2, 3) + Math.floor(i / 50) * 1000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)} 10.0.0.5 POST /owa/service.svc action=GetItem&CorrelationID=<empty>;&cafeReqId=${i}; 443 CONTOSO\\user${i % 500} 10.1.${(i >> 8) & 255}.${i & 255} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 15`;
}

interface Outcome {
  seconds: number;
  maxRssMb: number;
  code: number | null;
  json: { stats: { records: number; logFiles: number }; findings: Array<{ ruleId: string; count: number }>; coverage: { sources: Array<{ id: string; longRecords: number; truncatedFiles: number; malformed: number; records: number }> } };
}

function scanCase(dir: string): Outcome {
  const out = join(dir, '..', 'result.json');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, 'scan', dir, '-q', '--json', out], { encoding: 'utf8' });
  const [secs, rss] = (r.stderr.trim().split('\n').pop() ?? '').split(' ');
  const json = JSON.parse(spawnSync('cat', [out], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout) as Outcome['json'];
  return { seconds: Number(secs), maxRssMb: Number(rss) / 1024, code: r.status, json };
}

function report(name: string, o: Outcome, extra: string): void {
  const hits = o.json.findings.map((f) => `${f.ruleId}×${f.count}`).join(', ') || 'no findings';
  process.stdout.write(`${name.padEnd(34)} ${o.seconds.toFixed(1).padStart(6)} s  peak ${o.maxRssMb.toFixed(0).padStart(4)} MB  exit ${o.code}  ${o.json.stats.logFiles} files, ${o.json.stats.records} records  ${extra}  [${hits}]\n`);
}

/** Writes rows until `bytes`; `plantLast` becomes one of the last rows (about 1 MB before the end). */
function writeBig(path: string, header: string, bytes: number, row: (i: number) => string, plantLast?: string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  let written = header.length;
  let i = 0;
  const parts: string[] = [];
  let pending = 0;
  let planted = plantLast === undefined;
  while (written < bytes) {
    const plantNow = !planted && written > bytes - 1e6;
    if (plantNow) planted = true;
    const line = `${plantNow ? plantLast : row(i)}\r\n`;
    parts.push(line);
    pending += line.length;
    written += line.length;
    i++;
    if (pending > 8 << 20) {
      writeSync(fd, parts.join(''));
      parts.length = 0;
      pending = 0;
    }
  }
  if (parts.length) writeSync(fd, parts.join(''));
  closeSync(fd);
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const root = mkdtempSync(join(tmpdir(), 'exhunt-hostile-'));
  const hpDir = (base: string) => join(base, 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp');
  try {
    // 1. A 2 GB single line, then a real SSRF row after it: the cap keeps memory flat and the row is found.
    {
      const base = join(root, 'longline');
      mkdirSync(hpDir(base), { recursive: true });
      const p = join(hpDir(base), 'HttpProxy_2021030306-1.LOG');
      const fd = openSync(p, 'w');
      writeSync(fd, HP_HEADER);
      const block = Buffer.alloc(16 << 20, 'A');
      for (let n = 0; n < 128; n++) writeSync(fd, block);
      writeSync(fd, `\r\n${hpRow(1, 'ServerInfo~a]@mx01:444/ecp/proxyLogon.ecp?#').replace(',200,', ',241,')}\r\n`);
      closeSync(fd);
      const o = scanCase(base);
      report('2 GB single line', o, `long records: ${o.json.coverage.sources.reduce((n, s) => n + s.longRecords, 0)}`);
      rmSync(base, { recursive: true, force: true });
    }
    // 2. A 4 GB IIS log with a shell request near the end.
    {
      const base = join(root, 'big');
      const dir = join(base, 'inetpub/logs/LogFiles/W3SVC1');
      mkdirSync(dir, { recursive: true });
      writeBig(join(dir, 'u_ex210303.log'), IIS_HEADER, 4e9, iisRow, `2021-03-03 23:59:00 10.0.0.5 POST /aspnet_client/system_web/x1.aspx - 443 - 198.51.100.7 Mozilla/5.0 - 200 0 0 15`);
      const o = scanCase(base);
      report('4 GB IIS log', o, '');
      rmSync(base, { recursive: true, force: true });
    }
    // 3. 100,000 small HttpProxy files, one of them with an SSRF row.
    {
      const base = join(root, 'many');
      const dir = hpDir(base);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100_000; i++) {
        const row = i === 77_777 ? hpRow(i, 'ServerInfo~a]@mx01:444/mapi/emsmdb/?#') : hpRow(i);
        writeFileSync(join(dir, `HttpProxy_${2021030100 + (i % 24)}-${i}.LOG`), `${HP_HEADER}${row}\r\n`);
      }
      const o = scanCase(base);
      report('100,000 small files', o, '');
      rmSync(base, { recursive: true, force: true });
    }
    // 4. A log that grows while it is read: a writer appends rows (and finally an SSRF row) during the scan.
    {
      const base = join(root, 'growing');
      const dir = hpDir(base);
      mkdirSync(dir, { recursive: true });
      const p = join(dir, 'HttpProxy_2021030306-1.LOG');
      writeBig(p, HP_HEADER, 300e6, (i) => hpRow(i));
      const writer = spawn(process.execPath, ['-e', `const fs=require('fs');let n=0;const t=setInterval(()=>{fs.appendFileSync(${JSON.stringify(p)}, ${JSON.stringify(hpRow(5) + '\r\n')}.repeat(2000));if(++n>40){fs.appendFileSync(${JSON.stringify(p)}, ${JSON.stringify(hpRow(6, 'ServerInfo~a]@mx01:444/mapi/emsmdb/?#') + '\r\n')});clearInterval(t)}},25)`]);
      const o = scanCase(base);
      await new Promise((r) => writer.on('close', r));
      report('file growing during the scan', o, `(the row appended last may or may not be seen: the scan reads what is there)`);
      rmSync(base, { recursive: true, force: true });
    }
    // 5. Truncated in the middle of a quoted record (a copy taken while Exchange was writing).
    {
      const base = join(root, 'truncated');
      const dir = hpDir(base);
      mkdirSync(dir, { recursive: true });
      const p = join(dir, 'HttpProxy_2021030306-1.LOG');
      writeFileSync(p, `${HP_HEADER}${hpRow(1, 'ServerInfo~a]@mx01:444/mapi/emsmdb/?#')}\r\n`);
      appendFileSync(p, hpRow(2).replace('Mozilla/5.0 (Windows NT 10.0; Win64; x64)', '"Mozilla/5.0 (Windows NT 10.0;\r\n cut here'));
      const o = scanCase(base);
      report('truncated mid-record', o, `truncated files: ${o.json.coverage.sources.reduce((n, s) => n + s.truncatedFiles, 0)}, malformed: ${o.json.coverage.sources.reduce((n, s) => n + s.malformed, 0)}`);
    }
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
    else process.stdout.write(`kept ${root}\n`);
  }
}

await main();
