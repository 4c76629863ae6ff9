/** Shared by the web-shell evaluations: corpus paths, file lists and the yara CLI. */
import { existsSync, readdirSync, lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assetPath } from '../../src/assets.js';

export const CORPORA = assetPath('../shared/corpora');
export const SHELLS = join(CORPORA, 'webshells');
export const BENIGN = join(CORPORA, 'benign-aspx');
export const SIGBASE = join(CORPORA, 'rules', 'signature-base', 'yara');

/** signature-base's web-shell and Exchange-drop files (reference/peers.md §2 plus the other web-shell sets). */
export const SIGBASE_WEBSHELL_FILES = [
  'apt_hafnium.yar',
  'apt_webshell_chinachopper.yar',
  'gen_webshells.yar',
  'thor-webshells.yar',
  'gen_webshell_csharp.yar',
  'webshell_regeorg.yar',
  'expl_proxyshell.yar',
  'gen_cn_webshells.yar',
  'cn_pentestset_webshells.yar',
  'apt_laudanum_webshells.yar',
];

/** Other third-party packs in the corpus (NSA, Volexity, HvS). */
export const OTHER_PACKS = [
  join(CORPORA, 'rules', 'nsacyber-mitigating-web-shells', 'core.webshell_detection.yara'),
  join(CORPORA, 'rules', 'nsacyber-mitigating-web-shells', 'extended.webshell_detection.yara'),
  join(CORPORA, 'rules', 'volexity-exchange-marauder', 'yara.yar'),
  join(CORPORA, 'rules', 'hvs-proxyshell', 'HvS_Proxyshell_2021_09_YARArules.yar'),
];

export function corpusPresent(): boolean {
  return existsSync(SHELLS) && existsSync(BENIGN);
}

export function yaraCli(): boolean {
  try {
    execFileSync('yara', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const NOT_SAMPLES = /^(MANIFEST\.jsonl|README\.md|LICENSE.*|COPYING|.*\.md|.*\.txt)$/i;

/** Sample files of a corpus folder, sorted (manifests, readmes and licences excluded; .txt shells kept in webshells). */
export function corpusFiles(root: string, keepTxt: boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && !(NOT_SAMPLES.test(n) && !(keepTxt && /\.(asp|aspx|asa|cer)\.txt$/i.test(n)))) out.push(p);
    }
  };
  walk(root);
  return out;
}

/**
 * Runs the yara CLI (`-w -r -m`) with these rule files over a folder; returns file → [{rule, score}].
 * Each rule file gets its own namespace, as exhunt does.
 */
export function yaraCliHits(ruleFiles: string[], root: string): Map<string, { rule: string; score: number | undefined }[]> {
  const args = ['-w', '-r', '-m', ...ruleFiles.map((f, i) => `n${i}:${f}`), root];
  const out = execFileSync('yara', args, { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
  const hits = new Map<string, { rule: string; score: number | undefined }[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const rule = line.slice(0, line.indexOf(' '));
    // The path follows the meta block `[...]`; it is the text after the last `] ` that starts with the root.
    const at = line.lastIndexOf(` ${root}`);
    if (at < 0) continue;
    const file = line.slice(at + 1);
    const score = /\bscore=(\d{1,3})\b/.exec(line.slice(0, at))?.[1];
    const list = hits.get(file) ?? [];
    list.push({ rule, score: score === undefined ? undefined : Number(score) });
    hits.set(file, list);
  }
  return hits;
}
