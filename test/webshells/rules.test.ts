import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { compileYara, loadProjectYara } from '../../src/detect/yara/engine.js';
import { FIXTURE_DIR, loadFixtures } from './fixtures.js';

const sources = loadProjectYara();
const rules = compileYara(sources);
const fixtures = loadFixtures();
after(() => rules.dispose());

/** Public rules declared in the project's files, with their meta block text. */
function declared(): { name: string; meta: string }[] {
  const out: { name: string; meta: string }[] = [];
  for (const s of sources) {
    for (const m of s.text.matchAll(/^(private\s+)?rule\s+(\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
      if (m[1]) continue;
      out.push({ name: m[2]!, meta: /meta:([\s\S]*?)(strings:|condition:)/.exec(m[3]!)?.[1] ?? '' });
    }
  }
  return out;
}

describe('project YARA rules', () => {
  it('compile without errors', () => {
    assert.deepEqual(rules.errors, []);
    assert.ok(rules.ruleCount >= 20, `rule count ${rules.ruleCount}`);
    assert.deepEqual(rules.stats().ungatedRules, [], 'every project rule is gated by the pre-filter');
  });

  for (const f of fixtures) {
    it(`fixture ${f.name}`, () => {
      const hit = new Set(rules.scan(f.bytes).map((m) => m.rule));
      for (const r of f.expect) assert.ok(hit.has(r), `${r} should match ${f.name} (got ${[...hit].join(', ') || 'nothing'})`);
      for (const r of f.forbid) assert.ok(!hit.has(r), `${r} must not match ${f.name}`);
    });
  }

  it('meta-test: unique names, complete meta, a positive and a negative fixture per rule', () => {
    const rs = declared();
    assert.equal(new Set(rs.map((r) => r.name)).size, rs.length, 'rule names are unique');
    assert.equal(rs.length, rules.ruleCount - 1, 'all public rules found (one private helper)');
    for (const r of rs) {
      for (const k of ['description', 'technique', 'severity', 'reference']) assert.match(r.meta, new RegExp(`\\b${k}\\s*=`), `${r.name}: meta ${k}`);
      assert.match(r.meta, /severity\s*=\s*"(medium|high|critical)"/, `${r.name}: severity`);
      assert.match(r.meta, /reference\s*=\s*"https:\/\//, `${r.name}: reference URL`);
      assert.ok(fixtures.some((f) => f.expect.includes(r.name)), `${r.name} has a positive fixture`);
      assert.ok(fixtures.some((f) => f.forbid.includes(r.name)), `${r.name} has a negative fixture`);
    }
  });

  it('fixtures are stored encoded only', () => {
    for (const n of readdirSync(FIXTURE_DIR)) assert.match(n, /\.b64$|^index\.json$/);
  });
});
