import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { walkTree as walk, hashTree as hashTreeFull } from '../../test/support/tree.js';
import { parseSize, simulate, type SimulationTruth } from './index.js';

/** The simulator at scale: --size, worker threads, the flood scenario, retention and rotation. */

const HTTPPROXY_DIR = 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy';
const W3SVC1 = 'inetpub/logs/LogFiles/W3SVC1';



/** grep -c: lines of the files under `folder` that contain `needle`. */
async function grepCount(root: string, folder: string, needle: string): Promise<number> {
  let n = 0;
  for (const f of (await walk(root)).filter((x) => x.startsWith(folder + '/'))) {
    for (const line of (await readFile(join(root, f), 'latin1')).split('\r\n')) if (line.includes(needle)) n++;
  }
  return n;
}

let base = '';
const MB = 1_000_000;
const FLOOD = { scannerProbes: 4000, shellRequests: 700 };
let flood1: { dir: string; truth: SimulationTruth };
let flood2: { dir: string; truth: SimulationTruth };
let sized: { dir: string; truth: SimulationTruth };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'exhunt-simscale-'));
  const run = async (name: string, o: Omit<Parameters<typeof simulate>[0], 'out'>) => {
    const dir = join(base, name);
    return { dir, truth: await simulate({ out: dir, ...o }) };
  };
  // The same flood tree on 1 and 2 worker threads; a clean 35-day sized tree (retention gap, SU, HTTPERR rotation).
  [flood1, flood2, sized] = await Promise.all([
    run('flood-w1', { scenario: 'flood', seed: 11, days: 9, size: 12 * MB, flood: FLOOD, workers: 1 }),
    run('flood-w2', { scenario: 'flood', seed: 11, days: 9, size: 12 * MB, flood: FLOOD, workers: 2 }),
    run('clean-35d', { scenario: 'clean', seed: 3, days: 35, start: '2021-02-01', size: 20 * MB, workers: 2, httpErrMaxBytes: 4096 }),
  ]);
});

after(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('simulate at scale: size', () => {
  it('parses sizes', () => {
    assert.equal(parseSize('10GB'), 10e9);
    assert.equal(parseSize('500MB'), 500e6);
    assert.equal(parseSize('2gb'), 2e9);
    assert.equal(parseSize('1GiB'), 2 ** 30);
    assert.equal(parseSize('1.5 MiB'), 1.5 * 2 ** 20);
    assert.equal(parseSize('12345'), 12345);
    assert.throws(() => parseSize('ten GB'), RangeError);
    assert.throws(() => parseSize('5Q'), RangeError);
  });

  it('lands within ±5 % of the requested size, and the truth counts the bytes on disk', async () => {
    for (const [t, target] of [[sized, 20 * MB], [flood1, 12 * MB]] as const) {
      const { bytes } = await hashTreeFull(t.dir);
      assert.equal(t.truth.totals.bytes, bytes);
      assert.ok(Math.abs(bytes - target) / target <= 0.05, `${bytes} bytes for a ${target}-byte target`);
      assert.equal(t.truth.sizeTarget, target);
      assert.ok(t.truth.scale! > 0);
    }
  });

  it('rejects size together with scale', async () => {
    await assert.rejects(simulate({ out: join(base, 'bad'), scenario: 'clean', size: MB, scale: 2 }), RangeError);
  });
});

describe('simulate at scale: determinism', () => {
  it('writes the same bytes and truth on 1 and 2 worker threads', async () => {
    assert.deepEqual(flood1.truth, flood2.truth);
    assert.equal((await hashTreeFull(flood1.dir)).hash, (await hashTreeFull(flood2.dir)).hash);
  });
});

describe('simulate at scale: flood scenario', () => {
  it('counts exactly the flood lines written, beside the listed indicators', async () => {
    const { dir, truth } = flood1;
    const floods = truth.floods!;
    assert.equal(floods.length, 3);
    const get = (kind: string, source: string) => floods.find((f) => f.kind === kind && f.source === source)!;
    const listed = (kind: string, source: string, value: string) =>
      truth.indicators.filter((i) => i.kind === kind && i.source === source && i.value.includes(value)).length;

    const hp = get('scanner', 'httpproxy');
    assert.equal(hp.value, 'ServerInfo~localhost');
    assert.equal(await grepCount(dir, HTTPPROXY_DIR, 'ServerInfo~localhost'), hp.count + listed('scanner', 'httpproxy', 'ServerInfo~localhost'));
    const fe = get('scanner', 'iis-frontend');
    assert.equal(await grepCount(dir, W3SVC1, ` ${fe.value} `), fe.count + listed('scanner', 'iis-frontend', fe.value));
    const shell = get('webshell-access', 'iis-frontend');
    assert.equal(shell.value, truth.attack!.shellUrl);
    assert.equal(await grepCount(dir, W3SVC1, ` ${shell.value} `), shell.count + listed('webshell-access', 'iis-frontend', shell.value));

    // All probes and shell POSTs were written (the flood hours are inside the HttpProxy retention here).
    assert.equal(hp.count, FLOOD.scannerProbes);
    assert.equal(fe.count, FLOOD.scannerProbes);
    assert.equal(shell.count, FLOOD.shellRequests);
    assert.ok(hp.ips > 100, `${hp.ips} scanner IPs`);
    assert.ok(!truth.attackerIps.some((ip) => ip.startsWith('2001:db8:')), 'flood IPs are not listed one by one');

    // Bounded truth: a few samples per flood, each pointing at a line that holds the value.
    for (const f of floods) {
      assert.ok(f.samples.length > 0 && f.samples.length <= 3);
      assert.ok(f.first! <= f.last!);
      for (const s of f.samples) {
        const line = (await readFile(join(dir, s.file), 'latin1')).split('\r\n')[s.line! - 1]!;
        assert.ok(line.includes(f.value), `${s.file}:${s.line}`);
      }
    }
    assert.ok(truth.indicators.length < 200, `${truth.indicators.length} indicators`);
  });
});

describe('simulate at scale: retention and rotation', () => {
  it('keeps HttpProxy for the last 30 days (hourly files per protocol), IIS daily files for all 35 days', async () => {
    const { dir, truth } = sized;
    const all = await walk(dir);
    const cutoff = Date.parse(truth.period.end) - 30 * 86_400_000;
    const hp = all.filter((f) => f.startsWith(HTTPPROXY_DIR + '/'));
    const hours = new Set<string>();
    for (const f of hp) {
      const m = /\/([A-Za-z]+)\/HttpProxy_(\d{4})(\d\d)(\d\d)(\d\d)-1\.LOG$/.exec(f);
      assert.ok(m, f);
      const t = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]));
      assert.ok(t >= cutoff, `${f} is older than the retention`);
      hours.add(m[2]! + m[3] + m[4] + m[5]);
    }
    // Probes every hour at scale: (nearly) every hour of the 30 days has files.
    assert.ok(hours.size >= 30 * 24 - 2, `${hours.size} hours with HttpProxy files`);
    assert.equal(new Set(hp.map((f) => f.split('/')[6])).size, 10, 'every protocol folder');
    for (const site of ['W3SVC1', 'W3SVC2']) {
      const files = all.filter((f) => f.startsWith(`inetpub/logs/LogFiles/${site}/`));
      assert.equal(files.length, 35, site);
    }
    for (const f of all.filter((x) => /\/(ECPServer|OABGeneratorLog_)\d{8}-1\.LOG$/.test(x))) {
      const d = /(\d{4})(\d\d)(\d\d)-1\.LOG$/.exec(f)!;
      assert.ok(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) >= cutoff, f);
    }
    // The SU day's IIS files hold the restart header block.
    const su = truth.suInstalled!.slice(2, 10).replace(/-/g, '');
    const text = await readFile(join(dir, `${W3SVC1}/u_ex${su}.log`), 'latin1');
    assert.equal(text.split('\r\n').filter((l) => l.startsWith('#Fields: ')).length, 2);
  });

  it('rotates HTTPERR by size: httperr1.log, httperr2.log, … each with its header, in time order', async () => {
    const { dir, truth } = sized;
    const folder = 'Windows/System32/LogFiles/HTTPERR';
    const files = (await readdir(join(dir, folder))).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    assert.ok(files.length >= 3, `${files.length} HTTPERR files`);
    assert.equal(truth.logs.httpErr.files, files.length);
    let prev = '';
    for (const [i, f] of files.entries()) {
      assert.equal(f, `httperr${i + 1}.log`);
      const text = await readFile(join(dir, folder, f), 'latin1');
      const lines = text.slice(0, -2).split('\r\n');
      assert.equal(lines[0], '#Software: Microsoft HTTP API 2.0');
      assert.ok(text.length <= 4096 + 200, `${f}: ${text.length} bytes`);
      for (const l of lines.slice(4)) {
        const t = l.slice(0, 19);
        assert.ok(t >= prev, `${f}: out of order`);
        prev = t;
      }
    }
  });
});
