import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assetPath } from '../../src/assets.js';
import { RuleSet, listRuleFiles } from '../../src/rules/index.js';

// A scan compiles the project's own regexes on first use (start-up time); this is where they are proven.
test("every regex of the project's own rules compiles eagerly in RE2 within the program-size ceiling", async () => {
  const dir = assetPath('rules');
  const files = await listRuleFiles(dir);
  const sources = await Promise.all(files.map(async (f) => ({ file: `rules/${f}`, text: await readFile(join(dir, f), 'utf8') })));
  const set = RuleSet.fromSources(sources, { strict: true });
  assert.equal(set.rules.length > 30, true);
});
