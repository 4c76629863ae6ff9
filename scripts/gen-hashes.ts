/**
 * Regenerates `data/known-bad-hashes.json` from the public advisories' published hashes, as kept in the shared
 * corpus (`../shared/corpora/rules`, see its README): Microsoft MSTIC's March-2021 Exchange IOC feed, the
 * HAFNIUM web-shell SHA-256s of Microsoft's 2021-03-02 blog (signature-base hash IOC lines), the hashes CISA
 * AR21-084A (MAR-10328929), Volexity and signature-base's Exchange rules name in their meta, and ESET's
 * "Exchange servers under siege" samples. Every hash keeps the name and public URL of each source that lists it.
 *
 * Usage: node dist/scripts/gen-hashes.js [--corpus DIR] [--out FILE] [--check]
 *
 * Deterministic output (sorted, no timestamp). Only the derived JSON of public facts goes into the project; the
 * lists themselves are never copied. HvS-Consulting's ProxyShell list is not used: it is licensed CC BY-NC.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetPath } from '../src/assets.js';

export interface HashSource {
  name: string;
  url: string;
  /** Family whose exploitation dropped the file (web shells of the campaign), or null for later tools. */
  family: string | null;
}

export interface KnownBadHash {
  hash: string;
  type: 'md5' | 'sha1' | 'sha256';
  sources: string[];
  note: string;
}

export interface KnownBadHashFile {
  schema: 1;
  description: string;
  sources: Record<string, HashSource>;
  hashes: KnownBadHash[];
}

const SOURCES: Record<string, HashSource> = {
  'mstic-feed-2021-03': {
    name: 'Microsoft MSTIC Exchange Server vulnerabilities IOC feed (March 2021, TLP:WHITE)',
    url: 'https://github.com/Azure/Azure-Sentinel/blob/master/Sample%20Data/Feeds/MSTICIoCs-ExchangeServerVulnerabilitiesDisclosedMarch2021.csv',
    family: 'proxylogon',
  },
  'microsoft-hafnium-2021-03-02': {
    name: 'Microsoft Security blog, "HAFNIUM targeting Exchange Servers with 0-day exploits" (2021-03-02): web-shell SHA-256s',
    url: 'https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/',
    family: 'proxylogon',
  },
  'cisa-ar21-084a': {
    name: 'CISA AR21-084A, MAR-10328929 (China Chopper web shells dropped through CVE-2021-27065)',
    url: 'https://us-cert.cisa.gov/ncas/analysis-reports/ar21-084a',
    family: 'proxylogon',
  },
  'volexity-2021-03-02': {
    name: 'Volexity, "Operation Exchange Marauder" (2021-03-02): web shells',
    url: 'https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/',
    family: 'proxylogon',
  },
  'eset-2021-03-10': {
    name: 'ESET, "Exchange servers under siege from at least 10 APT groups" (2021-03-10): post-exploitation tools',
    url: 'https://www.welivesecurity.com/2021/03/10/exchange-servers-under-siege-10-apt-groups/',
    family: null,
  },
  'signature-base-exchange': {
    name: 'Neo23x0/signature-base Exchange-wave YARA rules (hashes of the samples the rules were written from)',
    url: 'https://github.com/Neo23x0/signature-base/tree/master/yara',
    family: null,
  },
};

const HEX = /^[0-9a-f]+$/;

function typeOf(h: string): KnownBadHash['type'] | null {
  if (!HEX.test(h)) return null;
  return h.length === 32 ? 'md5' : h.length === 40 ? 'sha1' : h.length === 64 ? 'sha256' : null;
}

/** Hashes in `hashN = "…"` meta lines of a YARA file, with the rule they belong to and its reference. */
function yaraMetaHashes(text: string): Array<{ hash: string; rule: string; reference: string }> {
  const out: Array<{ hash: string; rule: string; reference: string }> = [];
  let rule = '';
  let reference = '';
  let pending: string[] = [];
  // A rule's reference may come before or after its hashes: flush at the next rule.
  const flush = (): void => {
    for (const hash of pending) out.push({ hash, rule, reference });
    pending = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const r = /^\s*rule\s+([A-Za-z0-9_]+)/.exec(line);
    if (r) {
      flush();
      rule = r[1]!;
      reference = '';
      continue;
    }
    const ref = /^\s*reference\s*=\s*"([^"]*)"/.exec(line);
    if (ref) reference = ref[1]!;
    const h = /^\s*hash\d*\s*=\s*"([0-9A-Fa-f]+)"/.exec(line);
    if (h && rule) pending.push(h[1]!.toLowerCase());
  }
  flush();
  return out;
}

export function generate(corpus: string): KnownBadHashFile {
  const map = new Map<string, KnownBadHash>();
  const add = (raw: string, source: string, note: string): void => {
    const hash = raw.trim().toLowerCase();
    const type = typeOf(hash);
    if (!type) return;
    const cur = map.get(hash);
    if (!cur) map.set(hash, { hash, type, sources: [source], note });
    else if (!cur.sources.includes(source)) cur.sources.push(source);
  };
  const read = (rel: string): string | undefined => {
    const p = join(corpus, rel);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };

  const mstic = read('microsoft-mstic/MSTICIoCs-ExchangeServerVulnerabilitiesDisclosedMarch2021.csv');
  for (const line of mstic?.split(/\r?\n/).slice(1) ?? []) {
    const [added, , indicator, type] = line.split(',');
    if (type === 'sha256' && indicator) add(indicator, 'mstic-feed-2021-03', `MSTIC Exchange IOC feed, added ${added}`);
  }
  const sb = read('signature-base/iocs/hash-iocs.exchange-subset.txt');
  for (const line of sb?.split(/\r?\n/) ?? []) {
    if (!line || line.startsWith('#')) continue;
    const [hash, desc] = line.split(';');
    if (hash && desc?.includes('HAFNIUM Webshells')) add(hash, 'microsoft-hafnium-2021-03-02', 'HAFNIUM web shell (Microsoft, 2021-03-02)');
  }
  for (const file of ['signature-base/yara/apt_hafnium.yar', 'signature-base/yara/crime_dearcry_ransom.yar', 'signature-base/yara/expl_proxyshell.yar', 'volexity-exchange-marauder/yara.yar']) {
    const text = read(file);
    if (!text) continue;
    for (const { hash, rule, reference } of yaraMetaHashes(text)) {
      const source = /cisa\.gov/i.test(reference)
        ? 'cisa-ar21-084a'
        : file.startsWith('volexity') || /volexity\.com/i.test(reference)
          ? 'volexity-2021-03-02'
          : 'signature-base-exchange';
      add(hash, source, `sample of YARA rule ${rule}`);
    }
  }
  const esetReadme = read('eset-exchange-exploitation/README.adoc') ?? '';
  const esetDetails = new Map<string, string>();
  for (const m of esetReadme.matchAll(/^\|`([0-9a-f]{40})`\|([^|]*)\|(.*)$/gm)) esetDetails.set(m[1]!, `${m[3]!.trim()} (${m[2]!.trim()})`);
  for (const ext of ['md5', 'sha1', 'sha256']) {
    for (const line of read(`eset-exchange-exploitation/samples.${ext}`)?.split(/\r?\n/) ?? []) {
      const h = line.trim().toLowerCase();
      if (h) add(h, 'eset-2021-03-10', esetDetails.get(h) ?? 'post-exploitation tool seen on compromised Exchange servers (ESET)');
    }
  }
  const hashes = [...map.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  for (const h of hashes) h.sources.sort();
  const used = new Set(hashes.flatMap((h) => h.sources));
  return {
    schema: 1,
    description:
      'Known-bad file hashes (MD5, SHA-1, SHA-256) published by the advisories on the 2021 Exchange exploitation waves, with each hash\'s sources. Generated by scripts/gen-hashes.ts from the public lists; a hash here means a file identical to a published sample (web shell or post-exploitation tool).',
    sources: Object.fromEntries(Object.entries(SOURCES).filter(([id]) => used.has(id))),
    hashes,
  };
}

function main(argv: string[]): number {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const corpus = resolve(arg('--corpus') ?? '../shared/corpora/rules');
  if (!existsSync(corpus)) {
    process.stderr.write(`gen-hashes: corpus folder not found: ${corpus}\n`);
    return 2;
  }
  const out = arg('--out') ?? assetPath('data/known-bad-hashes.json');
  const text = JSON.stringify(generate(corpus), null, 1) + '\n';
  if (argv.includes('--check')) {
    const cur = existsSync(out) ? readFileSync(out, 'utf8') : '';
    if (cur !== text) {
      process.stderr.write(`gen-hashes: ${out} is out of date\n`);
      return 1;
    }
    return 0;
  }
  writeFileSync(out, text);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
