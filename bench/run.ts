/**
 * `npm run bench`: exhunt scan against ripgrep on the same simulated logs, in the same run, same cores.
 *
 *   npm run bench                    # 2 GB tree, 2 workers vs rg -j2, 3 timed runs each after a warm-up
 *   npm run bench -- --size 4GB      # another size
 *   npm run bench -- --scaling       # time vs input (1, 2, 4, 8 GB) and workers (1 vs 2)
 *
 * ripgrep gets the regexes of every check exhunt applies to these logs, in look-ahead-free forms so its
 * default engine runs them, case-insensitive like the rules (`rg -i -c`). Both read the same files: exhunt
 * scans a tree of hard links to exactly the log folders ripgrep is given (`<tree>-logs`). The whole tree's
 * scan (web files and YARA, host facts) is timed too and printed on its own line: that work has no ripgrep
 * counterpart. Peak memory is the child's maximum resident set size (GNU time). Trees are kept in bench/out/
 * between runs (delete it to regenerate).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assetPath } from '../src/assets.js';

/** One regex per check, as ripgrep would be asked to find them. */
export const RG_PATTERNS: Array<[string, string]> = [
  ['ssrf (all ServerInfo~ rules)', 'ServerInfo~[^,]*/'],
  ['reset-vdir', 'ServerInfo~[^,]*/[^,]*Reset[^,]*VirtualDirectory#'],
  ['ecp-set-vdir-script', 'Set-.+VirtualDirectory.+Url.*<\\w+.*>.*</\\w+>'],
  ['ecp-oab-vdir-reset', 'S:CMD=(Remove|New)-OABVirtualDirectory'],
  ['oab-write', 'Download failed and temporary file .* needs to be removed'],
  ['iis-ecp-js', 'POST /(ecp|owa)/(auth/)?[0-9a-z]{1,3}\\.js '],
  ['iis-exploit-ua', 'POST /(ecp|owa|aspnet_client)/.*(ExchangeServicesClient/0\\.0\\.0\\.0|python-requests/2\\.(19|25)\\.1|antSword/v2\\.1)'],
  ['iis-static-post', 'POST /(owa/auth/Current/themes/resources/|ecp/default\\.flt |ecp/main\\.css )'],
  ['iis-ddi-setobject', '/ecp/DDI/DDIService\\.svc/SetObject [^ ]*VirtualDirectory'],
  ['iis-scanner', '/owa/auth/x\\.js[ ?]'],
  // ProxyShell, ProxyNotShell, OWASSRF, ProxyToken, ECP ViewState, web-shell use, post-exploitation (issue 6).
  ['proxyshell-ssrf', 'autodiscover\\.json.*(/powershell|/mapi/nspi|/ews[/?&]|X-Rps-CAT)'],
  ['proxyshell-probe', 'Email=autodiscover/autodiscover\\.json'],
  ['proxyshell-export-cmdlet', '(New|Remove)-MailboxExportRequest:|New-ManagementRoleAssignment:'],
  ['proxynotshell', 'autodiscover.*powershell'],
  ['owassrf', '/owa/[^/? ,]*@[^/? ,]*/powershell'],
  ['proxytoken', '/ecp/[^ ,]*RulesEditor/InboxRules\\.svc/NewObject'],
  ['ecp-viewstate', '/ecp/default\\.aspx[^ ,]*__VIEWSTATEGENERATOR=B97B4E27'],
  ['webshell-post', 'POST /(owa|ecp)/auth/[^ ]*\\.(aspx|ashx|asmx) '],
  ['command-in-query', '\\.(aspx|ashx|asmx)[^ ]* [^ ]*(cmd(\\+|%20)(/|%2f)c|cmd\\.exe|net1?(\\+|%20)(user|group|localgroup)|powershell|whoami)'],
  ['archive-download', '(GET|POST) /(aspnet_client|owa|ecp)/[^ ]*\\.(zip|7z|rar) '],
  ['rps-cmdlets', 'New-MailboxExportRequest|New-ManagementRoleAssignment|Remove-MailboxExportRequest|Set-[A-Za-z]*VirtualDirectory|New-InboxRule|Set-InboxRule|Set-Mailbox'],
  ['ews-clients', 'python-requests|python-urllib|curl/|Go-http-client|ExchangeServicesClient/0\\.0\\.0\\.0'],
  ['webshell-access', '(/aspnet_client/[^ ]*\\.(aspx|ashx|asmx|asp)|/(owa|ecp)/auth/(aspnet_client|aspnet_iisstart|aspnet_www|aspnettest|discover|document|errorcheck|errorEE|errorEEE|errorEW|errorFF|healthcheck|help|HttpProxy|MultiUp|one|OutlookEN|OutlookJP|OutlookRU|RedirSuiteServerProxy|shell|shellex|supp0rt|system_web|t|web|xx)\\.aspx) [^ ]* [0-9]+ [^ ]* [^ ]* [^ ]* [^ ]* 2[0-9][0-9] '],
];

interface Run {
  seconds: number;
  maxRssKb: number;
  stdout: string;
}

function timed(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, rss] = last.split(' ');
  if (r.status !== 0 && !(cmd === 'rg' && r.status === 1) && !(cmd === process.execPath && [0, 4, 5, 6].includes(r.status ?? -1))) {
    throw new Error(`${cmd} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  return { seconds: Number(secs), maxRssKb: Number(rss), stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)?$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  const mult = { KB: 1e3, MB: 1e6, GB: 1e9 }[(m[2] ?? 'MB').toUpperCase() as 'KB' | 'MB' | 'GB'];
  return Math.round(Number(m[1]) * mult);
}

const CLI = assetPath('dist/src/cli/main.js');

function ensureTree(bytes: number, seed: number): string {
  const dir = assetPath(join('bench', 'out', `sim-${Math.round(bytes / 1e6)}MB-seed${seed}`));
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`simulating ${(bytes / 1e9).toFixed(1)} GB into ${dir} …\n`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'simulate', '--out', dir, '--scenario', 'proxylogon', '--seed', String(seed), '--size', String(bytes), '--days', '60'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('simulate failed');
  process.stderr.write(`  simulated in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/** The same tree with only its log folders, as hard links: the very files ripgrep reads, no others. */
function logsOnly(dir: string): string {
  const out = `${dir}-logs`;
  if (existsSync(join(out, '.complete'))) return out;
  rmSync(out, { recursive: true, force: true });
  const link = (from: string): void => {
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const p = join(from, e.name);
      const q = join(out, relative(dir, p));
      if (e.isDirectory()) {
        mkdirSync(q, { recursive: true });
        link(p);
      } else if (e.isFile()) linkSync(p, q);
    }
  };
  for (const root of logRoots(dir)) {
    mkdirSync(join(out, relative(dir, root)), { recursive: true });
    link(root);
  }
  writeFileSync(join(out, '.complete'), '');
  return out;
}

/** The log folders exhunt reads in a simulated tree (ripgrep gets the same ones). */
function logRoots(dir: string): string[] {
  return [
    join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy'),
    join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server'),
    join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog'),
    join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/CmdletInfra'),
    join(dir, 'Program Files/Microsoft/Exchange Server/V15/Logging/Ews'),
    join(dir, 'inetpub/logs/LogFiles'),
    join(dir, 'Windows/System32/LogFiles/HTTPERR'),
  ].filter((p) => existsSync(p));
}

function bytesOf(roots: string[]): number {
  const r = spawnSync('du', ['-sb', ...roots], { encoding: 'utf8' });
  return r.stdout
    .trim()
    .split('\n')
    .reduce((n, l) => n + Number(l.split('\t')[0]), 0);
}

interface Measure {
  exhunt: Run;
  /** The whole tree (logs, web files with YARA, host facts): no ripgrep counterpart. */
  whole: Run;
  rg: Run;
  bytes: number;
  rgLines: number;
  findings: number;
}

function measure(dir: string, workers: number, runs: number): Measure {
  const roots = logRoots(dir);
  const bytes = bytesOf(roots);
  const rgArgs = ['-i', '-c', '--no-messages', `-j${workers}`, '--iglob', '*.log', ...RG_PATTERNS.flatMap(([, p]) => ['-e', p]), ...roots];
  const exArgs = (tree: string) => [CLI, 'scan', tree, '-q', '--json', '/dev/null', '--workers', String(workers)];
  const logs = logsOnly(dir);
  // Warm the page cache and both programs once.
  timed('rg', rgArgs);
  timed(process.execPath, exArgs(logs));
  const ex: Run[] = [];
  const rg: Run[] = [];
  const whole: Run[] = [];
  for (let i = 0; i < runs; i++) {
    rg.push(timed('rg', rgArgs));
    ex.push(timed(process.execPath, exArgs(logs)));
    whole.push(timed(process.execPath, exArgs(dir)));
  }
  const rgLines = rg[0]!.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(':') + 1)), 0);
  const json = join(dir, '..', 'last-result.json');
  spawnSync(process.execPath, [CLI, 'scan', dir, '-q', '--json', json, '--workers', String(workers)]);
  const findings = (JSON.parse(require_(json)) as { findings: unknown[] }).findings.length;
  const pick = (xs: Run[]): Run => {
    const m = median(xs.map((x) => x.seconds));
    return { seconds: m, maxRssKb: Math.max(...xs.map((x) => x.maxRssKb)), stdout: '' };
  };
  return { exhunt: pick(ex), whole: pick(whole), rg: pick(rg), bytes, rgLines, findings };
}

function require_(p: string): string {
  return spawnSync('cat', [p], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
}

function row(label: string, m: Measure): string {
  const gbps = (s: number) => (m.bytes / 1e9 / s).toFixed(2);
  return [
    label.padEnd(14),
    `${(m.bytes / 1e9).toFixed(2)} GB`.padStart(9),
    `exhunt ${m.exhunt.seconds.toFixed(2)} s (${gbps(m.exhunt.seconds)} GB/s, peak ${(m.exhunt.maxRssKb / 1024).toFixed(0)} MB)`.padEnd(48),
    `rg -i ${m.rg.seconds.toFixed(2)} s (${gbps(m.rg.seconds)} GB/s)`.padEnd(30),
    `ratio rg/exhunt ${(m.rg.seconds / m.exhunt.seconds).toFixed(2)}×`,
  ].join('  ');
}

function wholeRow(m: Measure): string {
  return `${''.padEnd(14)}  ${''.padStart(9)}  whole tree (+ web files, YARA, host facts): ${m.whole.seconds.toFixed(2)} s, peak ${(m.whole.maxRssKb / 1024).toFixed(0)} MB`;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : def;
  };
  const rgv = spawnSync('rg', ['--version'], { encoding: 'utf8' });
  if (rgv.error) {
    process.stderr.write('ripgrep is needed for the comparison: apt-get install -y ripgrep\n');
    process.exit(1);
  }
  const runs = Number(opt('--runs', '3'));
  const seed = Number(opt('--seed', '5'));
  process.stdout.write(`exhunt vs ${rgv.stdout.split('\n')[0]} · ${RG_PATTERNS.length} regexes · median of ${runs} warm runs · ${process.version}\n`);
  if (args.includes('--scaling')) {
    for (const gb of [1, 2, 4, 8]) {
      const dir = ensureTree(gb * 1e9, seed);
      const m = measure(dir, 2, runs);
      process.stdout.write(`${row(`${gb} GB, 2 workers`, m)}\n${wholeRow(m)}\n`);
    }
    const dir = ensureTree(2e9, seed);
    for (const w of [1, 2]) {
      const m = measure(dir, w, runs);
      process.stdout.write(`${row(`2 GB, ${w} worker${w > 1 ? 's' : ''}`, m)}\n${wholeRow(m)}\n`);
    }
    return;
  }
  const bytes = parseSize(opt('--size', '2GB'));
  const workers = Number(opt('--workers', '2'));
  const dir = ensureTree(bytes, seed);
  const m = measure(dir, workers, runs);
  process.stdout.write(`${row(`${workers} workers`, m)}\n${wholeRow(m)}\n`);
  process.stdout.write(`rg matched ${m.rgLines} lines; exhunt reported ${m.findings} findings (grouped)\n`);
}

main();
