/**
 * signature-base's web-shell rules must load in exhunt's engine and match as the yara CLI (4.2.3) does:
 * per-file matched rule names compared on the web-shell corpus (a deterministic sample of every 6th file,
 * all files with EXHUNT_FULL_EVAL=1). Skipped without the corpus or the yara CLI.
 *
 * Where exhunt and the CLI differ, the file is scanned again by yara-x without the pre-filter: every
 * difference must be yara-x's own (libyara and yara-x differ on a few rules, e.g. one rule of
 * cn_pentestset_webshells.yar matches when its file is compiled alone but not beside the others), never
 * the pre-filter's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileYara } from '../../src/detect/yara/engine.js';
import { SHELLS, SIGBASE, SIGBASE_WEBSHELL_FILES, corpusFiles, corpusPresent, yaraCli, yaraCliHits } from './webshell-support.js';

const skip = !corpusPresent() ? 'corpus absent: ../shared/corpora not found' : !yaraCli() ? 'yara CLI not installed' : false;

describe('signature-base compatibility with the yara CLI', { skip }, () => {
  it('all web-shell rule files load, and matches agree per file', (t) => {
    const sources = SIGBASE_WEBSHELL_FILES.map((f) => ({ name: f, text: readFileSync(join(SIGBASE, f), 'utf8') }));
    const y = compileYara(sources);
    let plain: ReturnType<typeof compileYara> | undefined;
    try {
      for (const e of y.errors) t.diagnostic(`does not compile in yara-x: ${e.split('\n')[0]}`);
      t.diagnostic(`${y.ruleCount} rules, ${y.loaded.length}/${sources.length} files loaded, ${y.warnings.length} warnings, ungated by the pre-filter: ${y.stats().ungatedRules.length}`);
      const all = corpusFiles(SHELLS, true);
      const sample = process.env['EXHUNT_FULL_EVAL'] ? all : all.filter((_, i) => i % 6 === 0);
      const ref = yaraCliHits(SIGBASE_WEBSHELL_FILES.map((f) => join(SIGBASE, f)), SHELLS);
      let agree = 0;
      for (const f of sample) {
        const mine = [...new Set(y.scan(readFileSync(f)).map((m) => m.rule))].sort().join(',');
        const theirs = [...new Set((ref.get(f) ?? []).map((h) => h.rule))].sort().join(',');
        if (mine === theirs) {
          agree++;
          continue;
        }
        t.diagnostic(`differs: ${f.slice(SHELLS.length + 1)}: exhunt [${mine}] yara [${theirs}]`);
        plain ??= compileYara(sources, { prefilter: false });
        const engine = [...new Set(plain.scan(readFileSync(f)).map((m) => m.rule))].sort().join(',');
        assert.equal(mine, engine, `the pre-filter changed the result on ${f}`);
      }
      t.diagnostic(`agreement ${agree}/${sample.length} files`);
      assert.equal(y.loaded.length + y.errors.length, sources.length);
      assert.ok(agree / sample.length >= 0.9, `agreement ${agree}/${sample.length}`);
    } finally {
      y.dispose();
      plain?.dispose();
    }
  });
});
