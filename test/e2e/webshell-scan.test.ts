/**
 * End to end, web shells: simulate a ProxyLogon-compromised server and a clean one, scan both with the built
 * CLI, and check every planted shell is reported with its reason and hash, and the clean server's
 * thousands of shipped-looking web files stay quiet.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { simulate } from '../../src/simulate/index.js';
import { runCli, tempDir } from './helpers.js';

interface FileFinding {
  id: string;
  ruleId: string;
  severity: string;
  evidence: string;
  family: string | null;
  summary: string;
  source: { path: string; kind: string };
  fields: Record<string, string>;
  entities: { paths: string[]; hashes: string[] };
}
interface ResultJson {
  verdicts: Record<string, { status: string; findingIds: string[] }>;
  findings: FileFinding[];
  coverage: { notes?: string[] };
  stats: { webFiles?: { files: number; hashed: number } };
}

const ABOVE_LOW = new Set(['medium', 'high', 'critical']);
let root: string;
let attacked: string;
let clean: string;
let truth: Awaited<ReturnType<typeof simulate>>;

before(async () => {
  root = await tempDir('webshells');
  attacked = join(root, 'attacked');
  clean = join(root, 'clean');
  truth = await simulate({ out: attacked, scenario: 'proxylogon', seed: 11 });
  await simulate({ out: clean, scenario: 'clean', seed: 11 });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

test('compromised tree: every planted shell is reported with its reason and hash', async () => {
  const shells = truth.indicators.filter((i) => i.kind === 'webshell-file');
  assert.ok(shells.length >= 6, 'the scenario plants shells in several folders');
  // A user's hash list naming one of the shells (as an advisory would).
  const redir = shells.find((s) => s.file.endsWith('/RedirSuiteServerProxy.aspx'))!;
  const list = join(root, 'iocs.csv');
  await writeFile(list, `sha256,description\r\n${await sha256(join(attacked, redir.file))},shell from the incident report\r\n`);
  // A user's YARA pack: a rule on the OAB settings dump's property names (no shell code needed).
  const pack = join(root, 'pack');
  await mkdir(pack);
  await writeFile(join(pack, 'oab.yar'), 'rule Test_OAB_Settings_Dump { meta: score = 80 strings: $a = "ExtendedProtectionTokenChecking" $b = "InternalAuthenticationMethods" condition: all of them }\n');

  const out = join(root, 'attacked.json');
  const run = await runCli(['scan', attacked, '--json', out, '-q', '--hashes', list, '--yara', pack]);
  assert.equal(run.code, 6, `exit 6 (compromised); stderr: ${run.stderr}`);
  const r = JSON.parse(await readFile(out, 'utf8')) as ResultJson;
  assert.equal(r.verdicts['proxylogon']!.status, 'compromised');
  assert.ok((r.stats.webFiles?.files ?? 0) > 400, 'the shipped population was scanned');

  const byPath = new Map(r.findings.filter((f) => f.source.kind === 'file').map((f) => [f.source.path, f]));
  for (const s of shells) {
    const f = byPath.get(s.file);
    assert.ok(f, `planted shell reported: ${s.file} (${s.note})`);
    assert.ok(ABOVE_LOW.has(f.severity), `${s.file}: ${f.severity}`);
    assert.ok(f.fields['reasons'] && f.summary.length > 0, `${s.file}: reason given`);
    const h = await sha256(join(attacked, s.file));
    assert.equal(f.fields['sha256'], h, `${s.file}: SHA-256`);
    assert.deepEqual(f.entities.hashes, [h]);
    assert.ok(f.fields['modified'] && f.fields['size'], `${s.file}: size and time`);
  }
  const rf = byPath.get(redir.file)!;
  assert.equal(rf.ruleId, 'exhunt.files.known-bad-hash');
  assert.equal(rf.severity, 'critical');
  assert.match(rf.fields['reasons']!, /shell from the incident report/);
  assert.match(rf.fields['reasons']!, /RedirSuiteServiceProxy\.aspx/, 'says which Exchange page it poses as');
  const oab = shells.filter((s) => s.value === 'ExternalUrl');
  assert.ok(oab.length >= 1);
  for (const s of oab) assert.match(byPath.get(s.file)!.fields['yara'] ?? '', /Test_OAB_Settings_Dump/, `${s.file}: user YARA pack`);
  assert.ok(byPath.get(shells.find((s) => s.file.endsWith('.dll'))!.file)!.fields['compiledFrom'], 'compiled artefact names its page');
  // Shells written during the attack are marked as such.
  assert.ok([...byPath.values()].some((f) => /inside the ProxyLogon exploitation window/.test(f.fields['window'] ?? '')));
});

test('clean tree: no medium-or-higher file finding among thousands of shipped-looking web files', async () => {
  const out = join(root, 'clean.json');
  const run = await runCli(['scan', clean, '--json', out, '-q']);
  assert.ok(run.code === 0 || run.code === 4, `clean or inconclusive, no error; stderr: ${run.stderr}`);
  const r = JSON.parse(await readFile(out, 'utf8')) as ResultJson;
  assert.equal(r.verdicts['proxylogon']!.status, 'clean');
  assert.ok((r.stats.webFiles?.files ?? 0) > 400);
  assert.equal(r.stats.webFiles?.hashed, r.stats.webFiles?.files, 'every web file hashed');
  const loud = r.findings.filter((f) => f.source.kind === 'file' && ABOVE_LOW.has(f.severity));
  assert.deepEqual(loud.map((f) => `${f.ruleId} ${f.source.path}`), []);
});

test('a --hashes list without hashes and a missing --yara folder are usage errors before any work', async () => {
  const list = join(root, 'empty.txt');
  await writeFile(list, 'no hashes here\n');
  const a = await runCli(['scan', clean, '-q', '--hashes', list]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--hashes: no MD5, SHA-1 or SHA-256 hash found/);
  const b = await runCli(['scan', clean, '-q', '--yara', join(root, 'no-such-pack')]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /--yara: not a folder/);
});

test('hostile web folder: FIFO, symlink loop, 4 GB sparse file, invalid name — the scan ends and says what it skipped', { skip: process.platform === 'win32' ? 'POSIX special files' : false }, async () => {
  const drive = join(root, 'hostile');
  const ac = join(drive, 'inetpub', 'wwwroot', 'aspnet_client', 'system_web');
  await mkdir(ac, { recursive: true });
  await mkdir(join(drive, 'Windows'), { recursive: true });
  execFileSync('mkfifo', [join(ac, 'pipe.aspx')]);
  await symlink('..', join(ac, 'up'));
  await writeFile(join(ac, 'big.aspx'), '');
  await truncate(join(ac, 'big.aspx'), 4 * 1024 ** 3);
  await writeFile(Buffer.concat([Buffer.from(join(ac, 'n')), Buffer.from([0xc3, 0x28]), Buffer.from('.aspx')]), 'x');
  const out = join(root, 'hostile.json');
  const run = await runCli(['scan', drive, '--json', out, '-q']);
  assert.ok(run.code !== 1 && run.code !== null, `no crash; stderr: ${run.stderr}`);
  const r = JSON.parse(await readFile(out, 'utf8')) as ResultJson & { coverage: { problems: Array<{ path: string; reason: string }> } };
  const problems = r.coverage.problems.map((p) => `${p.path}: ${p.reason}`).join('\n');
  assert.match(problems, /pipe\.aspx: named pipe \(FIFO\)/);
  assert.match(problems, /up: symlink or junction \(not followed\)/);
  assert.match(problems, /n\\xc3\(\.aspx: file name is not valid UTF-8/);
  assert.ok(r.coverage.notes?.some((n) => /big\.aspx/.test(n) && /not hashed/.test(n)));
  const big = r.findings.find((f) => f.source.path.endsWith('big.aspx'))!;
  assert.equal(big.ruleId, 'exhunt.files.aspnet-client-page', 'a capped file is still judged by place');
  assert.equal(big.fields['sha256'], undefined);
  assert.ok(r.findings.some((f) => f.source.path.endsWith('n\\xc3(.aspx')), 'the invalid name is reported, escaped');
});
