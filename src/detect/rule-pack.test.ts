import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assetPath } from '../assets.js';
import { RuleSet } from '../rules/index.js';
import { loadProjectRules, ownRuleSources, sourcesHash, RULE_CACHE, type RuleCache } from './rule-pack.js';

/** What a compiled rule is, for comparison: everything but its functions. */
function shape(rules: ReturnType<typeof RuleSet.fromSources>['rules']): string {
  return JSON.stringify(rules.map((r) => ({ id: r.id, title: r.title, level: r.level, logsource: r.logsource, prefilter: r.prefilter, tags: r.tags })));
}

test('rule cache: built for the current rule files, and a pack from it equals one parsed from YAML', async () => {
  const own = await ownRuleSources();
  const cache = JSON.parse(readFileSync(assetPath(RULE_CACHE), 'utf8')) as RuleCache;
  assert.equal(cache.hash, sourcesHash(own), 'npm run build writes the cache of these very files');
  const fromYaml = RuleSet.fromSources(own, { strict: true });
  const pack = await loadProjectRules();
  assert.equal(pack.rules.length, fromYaml.rules.length);
  assert.equal(shape(pack.rules), shape(fromYaml.rules));
  assert.deepEqual(JSON.parse(JSON.stringify(fromYaml.docs)), fromYaml.docs, 'documents survive JSON');
  assert.equal(pack.hash, sourcesHash(own));
});

test('rule cache: keyed by content, so an edited rule file is parsed again', async () => {
  const own = await ownRuleSources();
  const edited = own.map((s, i) => (i === 0 ? { ...s, text: `${s.text}\n` } : s));
  assert.notEqual(sourcesHash(edited), sourcesHash(own));
  const renamed = own.map((s, i) => (i === 0 ? { ...s, file: `${s.file}x` } : s));
  assert.notEqual(sourcesHash(renamed), sourcesHash(own));
});
