import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { walkTree as walk, hashTree as hashTreeFull } from '../../test/support/tree.js';
import { ATTACK_KINDS, HTTPPROXY_FIELDS, simulate, writeTruth, type SimulationTruth } from './index.js';

const HTTPPROXY_DIR = 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy';

/** RFC 4180 split of one line (the simulator never writes line breaks inside fields). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else if (c === '"' && cur === '') quoted = true;
    else cur += c;
  }
  assert.equal(quoted, false, `unterminated quote in: ${line.slice(0, 200)}`);
  out.push(cur);
  return out;
}



const linesCache = new Map<string, string[]>();

/** Lines of a CRLF text file; fails on a bare LF. */
async function crlfLines(file: string): Promise<string[]> {
  const cached = linesCache.get(file);
  if (cached) return cached;
  const text = await readFile(file, 'utf8');
  assert.ok(text.endsWith('\r\n'), `${file} does not end with CRLF`);
  const lines = text.slice(0, -2).split('\r\n');
  for (const l of lines) assert.ok(!l.includes('\n'), `bare LF in ${file}`);
  linesCache.set(file, lines);
  return lines;
}

let base = '';
const trees: Record<'pl1' | 'pl1again' | 'pl2' | 'clean', { dir: string; truth: SimulationTruth }> = {} as never;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'exhunt-sim-'));
  // The default clean tree (75 days: retention, SU, IIS restart) and short proxylogon trees (12 days, the
  // whole attack chain), to keep the suite fast.
  const runs = [
    ['clean', 'clean', 1, undefined],
    ['pl1', 'proxylogon', 7, 12],
    ['pl1again', 'proxylogon', 7, 12],
    ['pl2', 'proxylogon', 8, 12],
  ] as const;
  await Promise.all(runs.map(async ([name, scenario, seed, days]) => {
    const dir = join(base, name);
    trees[name] = { dir, truth: await simulate({ out: dir, scenario, seed, ...(days ? { days } : {}) }) };
  }));
});

after(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('simulate: determinism', () => {
  it('gives byte-identical trees and truths for the same seed', async () => {
    assert.deepEqual(trees.pl1.truth, trees.pl1again.truth);
    assert.equal((await hashTreeFull(trees.pl1.dir)).hash, (await hashTreeFull(trees.pl1again.dir)).hash);
  });
  it('gives different trees for different seeds', async () => {
    assert.notEqual((await hashTreeFull(trees.pl1.dir)).hash, (await hashTreeFull(trees.pl2.dir)).hash);
    assert.notDeepEqual(trees.pl1.truth.attack, trees.pl2.truth.attack);
  });
});

describe('simulate: ground truth', () => {
  it('plants no attack indicator in the clean scenario, but does plant the benign traps', () => {
    const t = trees.clean.truth;
    assert.equal(t.attack, undefined);
    assert.deepEqual(t.attackerIps, []);
    for (const i of t.indicators) assert.ok(!ATTACK_KINDS.includes(i.kind), `attack kind ${i.kind} in clean tree`);
    const traps = t.indicators.filter((i) => i.kind === 'benign-trap').map((i) => i.source).sort();
    assert.deepEqual(traps, ['file', 'httpproxy', 'iis-frontend', 'oab-generator']);
  });

  it('plants every kind of indicator in the proxylogon scenario', () => {
    const kinds = new Set(trees.pl1.truth.indicators.map((i) => i.kind));
    for (const k of [...ATTACK_KINDS, 'benign-trap'] as const) assert.ok(kinds.has(k), `missing ${k}`);
    const a = trees.pl1.truth.attack!;
    assert.ok(a.exploitTime < (trees.pl1.truth.suInstalled ?? ''), 'attack happens before the SU');
    for (const ip of trees.pl1.truth.attackerIps) assert.match(ip, /^(203\.0\.113|198\.51\.100)\./);
  });

  for (const name of ['pl1', 'clean'] as const) {
    it(`points every indicator at a line or file that holds the planted value (${name})`, async () => {
      const { dir, truth } = trees[name];
      for (const ind of truth.indicators) {
        const p = join(dir, ind.file);
        if (ind.line === undefined) {
          const st = await stat(p);
          assert.ok(st.isFile(), ind.file);
          assert.ok(ind.file.endsWith(ind.value), `${ind.file} vs ${ind.value}`);
          assert.equal(st.mtime.toISOString(), ind.time);
          continue;
        }
        const lines = await crlfLines(p);
        const line = lines[ind.line - 1];
        assert.ok(line !== undefined && line.includes(ind.value), `${ind.file}:${ind.line} lacks ${ind.value}`);
      }
    });
  }

  it('writes the attacker files with their formats', async () => {
    const { dir, truth } = trees.pl1;
    const a = truth.attack!;
    assert.match(a.shellPath, /^inetpub\/wwwroot\/aspnet_client\/system_web\/[A-Za-z]{8}\.aspx$/);
    const shell = await readFile(join(dir, a.shellPath), 'utf8');
    assert.match(shell, /^ExternalUrl\s+: http:\/\/\w+\/<script language="JScript" runat="server">/m);
    assert.match(shell, /^InternalAuthenticationMethods\s+:/m);
    assert.equal((await readFile(join(dir, a.lsassDump))).subarray(0, 4).toString('latin1'), 'MDMP');
    assert.equal((await readFile(join(dir, a.archive))).subarray(0, 4).toString('latin1'), 'Rar!');
    await assert.rejects(stat(join(trees.clean.dir, 'root')));
  });

  it('writes the truth file as JSON', async () => {
    const file = join(base, 'truth.json');
    await writeTruth(trees.pl1.truth, file);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), trees.pl1.truth);
  });
});

describe('simulate: log formats', () => {
  it('writes HttpProxy files with the 5 directives, 74 fields and 74-column rows', async () => {
    for (const name of ['pl1', 'clean'] as const) {
      const { dir } = trees[name];
      const files = (await walk(dir)).filter((f) => f.startsWith(HTTPPROXY_DIR + '/'));
      assert.ok(files.length > 100);
      for (const f of files) {
        const proto = f.split('/')[6] as string;
        assert.match(f, /\/HttpProxy_\d{10}-1\.LOG$/);
        const lines = await crlfLines(join(dir, f));
        assert.equal(lines[0], '#Software: Microsoft Exchange Server');
        const version = /^#Version: (15\.01\.2176\.00[29])$/.exec(lines[1] ?? '');
        assert.ok(version, `${f}: ${lines[1]}`);
        assert.equal(lines[2], '#Log-type: HttpProxy Logs');
        assert.match(lines[3] ?? '', /^#Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.deepEqual((lines[4] ?? '').slice('#Fields: '.length).split(','), [...HTTPPROXY_FIELDS]);
        const rev = Number(version[1]!.slice(-3));
        for (const line of lines.slice(5)) {
          const row = parseCsvLine(line);
          assert.equal(row.length, 74, `${f}: ${line.slice(0, 120)}`);
          assert.equal(row[7], proto);
          assert.deepEqual(row.slice(2, 6), ['15', '1', '2176', String(rev)]);
        }
      }
    }
  });

  it('writes IIS W3C files whose rows match their #Fields, with the restart block once', async () => {
    const { dir, truth } = trees.clean;
    const suDay = truth.suInstalled!.slice(2, 10).replace(/-/g, '');
    for (const site of ['W3SVC1', 'W3SVC2']) {
      const folder = `inetpub/logs/LogFiles/${site}`;
      const files = (await walk(join(dir, folder))).filter((f) => /^u_ex\d{6}\.log$/.test(f));
      assert.equal(files.length, truth.period.days, `${site} covers the whole period`);
      for (const f of files) {
        const lines = await crlfLines(join(dir, folder, f));
        let fields = 0;
        let blocks = 0;
        for (const line of lines) {
          if (line.startsWith('#')) {
            if (line.startsWith('#Fields: ')) {
              fields = line.slice(9).split(' ').length;
              blocks++;
            }
            continue;
          }
          const cols = line.split(' ');
          assert.equal(cols.length, fields, `${f}: ${line.slice(0, 120)}`);
          assert.equal(cols[6], site === 'W3SVC1' ? '443' : '444');
        }
        assert.equal(lines[0], '#Software: Microsoft Internet Information Services 10.0');
        assert.equal(blocks, f === `u_ex${suDay}.log` ? 2 : 1, `${site}/${f} header blocks`);
      }
    }
  });

  it('writes ECP server and OABGenerator logs with CSV rows matching their #Fields', async () => {
    for (const name of ['pl1', 'clean'] as const) {
      const { dir } = trees[name];
      const all = await walk(dir);
      const ecp = all.filter((f) => f.includes('/Logging/ECP/Server/'));
      const oab = all.filter((f) => f.includes('/Logging/OABGeneratorLog/'));
      assert.ok(ecp.length > 0 && oab.length > 0);
      for (const f of [...ecp, ...oab]) {
        const lines = await crlfLines(join(dir, f));
        const n = (lines[4] ?? '').slice(9).split(',').length;
        assert.match(lines[4] ?? '', /^#Fields: /);
        for (const line of lines.slice(5)) assert.equal(parseCsvLine(line).length, n, `${f}: ${line.slice(0, 100)}`);
      }
    }
  });
});

describe('simulate: consistency with the public Test-ProxyLogon patterns (exchange-facts.md §1a.13)', () => {
  // Not our detection rules: Microsoft's published patterns, to check that the planted rows have the real shape.
  for (const name of ['pl1', 'clean'] as const) {
    it(`finds exactly the planted rows (${name})`, async () => {
      const { dir, truth } = trees[name];
      const all = await walk(dir);
      const found = { ssrf: 0, attempt: 0, scanner: 0, reset: 0, ecp: 0, oabBad: 0, oabOk: 0 };
      for (const f of all.filter((x) => x.startsWith(HTTPPROXY_DIR + '/'))) {
        const lines = await crlfLines(join(dir, f));
        const header = parseCsvLine((lines[4] ?? '').slice(9));
        const ai = header.indexOf('AnchorMailbox');
        const si = header.indexOf('HttpStatus');
        for (const line of lines.slice(5)) {
          const row = parseCsvLine(line);
          const a = row[ai] ?? '';
          if (/^ServerInfo~.*\/.*$/i.test(a)) {
            if (/^ServerInfo~.*\/autodiscover.*$/i.test(a)) found.attempt++;
            else if (/^ServerInfo~localhost.*\/.*$/i.test(a)) found.scanner++;
            else found.ssrf++;
          }
          if (f.includes('/Ecp/') && /^ServerInfo~.*\/.*Reset.*VirtualDirectory#$/i.test(a) && row[si] === '200') found.reset++;
        }
      }
      for (const f of all.filter((x) => x.includes('/Logging/ECP/Server/'))) {
        for (const l of await crlfLines(join(dir, f))) {
          if (/Set-.+VirtualDirectory.+?(?=Url).+<\w+.*>(.*?)<\/\w+>.+?(?=VirtualDirectory)/i.test(l)) found.ecp++;
        }
      }
      for (const f of all.filter((x) => x.includes('/Logging/OABGeneratorLog/'))) {
        for (const l of await crlfLines(join(dir, f))) {
          const m = /Download failed and temporary file (.*?) needs to be removed/i.exec(l);
          if (!m) continue;
          if (m[1]!.toLowerCase().startsWith("'c:\\program files\\microsoft\\exchange server\\v15\\clientaccess\\oab")) found.oabOk++;
          else found.oabBad++;
        }
      }
      const count = (kind: string, source: string): number =>
        truth.indicators.filter((i) => i.kind === kind && i.source === source).length;
      assert.deepEqual(found, {
        ssrf: count('ssrf', 'httpproxy') + count('oab-reset', 'httpproxy'),
        attempt: count('ssrf-attempt', 'httpproxy'),
        scanner: count('scanner', 'httpproxy'),
        reset: count('oab-reset', 'httpproxy'),
        ecp: count('ecp-set-vdir', 'ecp-server'),
        oabBad: count('oab-write', 'oab-generator'),
        oabOk: 1,
      });
      if (name === 'pl1') assert.ok(found.ssrf > 0 && found.reset === 1 && found.ecp === 1 && found.oabBad === 1);
    });
  }
});

describe('simulate: retention and build history', () => {
  it('keeps Exchange logs for the last 30 days only and IIS logs for the whole period', async () => {
    const { dir, truth } = trees.clean;
    const cutoff = Date.parse(truth.period.end) - 30 * 86_400_000;
    const all = await walk(dir);
    for (const f of all) {
      const m = /HttpProxy_(\d{4})(\d\d)(\d\d)(\d\d)-1\.LOG$|ECPServer(\d{4})(\d\d)(\d\d)-1\.LOG$|OABGeneratorLog_(\d{4})(\d\d)(\d\d)-1\.LOG$/.exec(f);
      if (!m) continue;
      const g = m.slice(1).filter((x) => x !== undefined);
      const t = Date.UTC(Number(g[0]), Number(g[1]) - 1, Number(g[2]), Number(g[3] ?? 0));
      assert.ok(t >= cutoff, `${f} is older than the retention`);
    }
    assert.equal(truth.logs.iisFrontEnd.first!.slice(0, 10), truth.period.start.slice(0, 10));
    assert.ok(Date.parse(truth.logs.httpProxy.first!) >= cutoff);
  });

  it('records the SU in the build history, the #Version headers and the owa/auth folders', async () => {
    const { dir, truth } = trees.clean;
    assert.deepEqual(truth.builds.map((b) => b.version), ['15.1.2176.2', '15.1.2176.9']);
    assert.equal(truth.suInstalled!.slice(0, 10), '2021-03-04');
    const all = await walk(dir);
    const auth = 'Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/';
    assert.ok(all.some((f) => f.startsWith(auth + '15.1.2176.2/')));
    assert.ok(all.some((f) => f.startsWith(auth + '15.1.2176.9/')));
    const versions = new Map<string, string>();
    for (const f of all.filter((x) => x.startsWith(HTTPPROXY_DIR + '/Mapi/'))) {
      versions.set(/HttpProxy_(\d{10})-1\.LOG$/.exec(f)![1]!, (await crlfLines(join(dir, f)))[1] ?? '');
    }
    for (const [hour, v] of versions) {
      assert.equal(v, hour < '2021030417' ? '#Version: 15.01.2176.002' : '#Version: 15.01.2176.009', hour);
    }
  });

  it('rejects bad options', async () => {
    await assert.rejects(simulate({ out: join(base, 'bad'), scenario: 'clean', scale: 0 }), RangeError);
    await assert.rejects(simulate({ out: join(base, 'bad'), scenario: 'nope' as never }), RangeError);
  });
});
