import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, nameReplacer } from './redact.js';
import { emptyEntities, type Finding } from '../model/finding.js';
import type { ScanResult } from '../scan.js';

function result(summary: string, accounts: string[]): ScanResult {
  const f: Finding = {
    id: 'F0001', ruleId: 'r', title: 't', severity: 'high', family: null, cves: [], evidence: 'success', count: 1, summary,
    source: { path: 'x', kind: 'text' }, fields: {}, samples: [], tags: [], entities: { ...emptyEntities(), accounts },
  };
  return { findings: [f], nextSteps: [] } as unknown as ScanResult;
}

test('5,000 names, prefixes of each other and full of regex syntax: whole tokens only, the longest name first', () => {
  const meta = ['a.b*c', '(x|y)', '[z]+', '$^{2}', 'q?.*', 'user1.+'];
  const accounts = [...Array.from({ length: 5000 }, (_, i) => `user${i}`), ...meta];
  const red = createRedactor(Buffer.from('k'));
  const p = (n: string) => red.pseudonym(n, 'account');
  const summary = [
    'user1 user10 user100 USER1000 user10000', // user10000 is no name, and no shorter name ends at a boundary inside it
    'user42.txt user42. user42@x -user42 user42-a .user42 a.user42 (user42)',
    '(a.b*c) a.b*c.d (x|y) x|y [z]+ [z] $^{2} q?.* user1.+ user1.x',
    'user4999/user5000\\user4998',
  ].join('\n');
  const out = red.redact(result(summary, accounts)).findings[0]!.summary;
  assert.equal(out, [
    `${p('user1')} ${p('user10')} ${p('user100')} ${p('user1000')} user10000`,
    `user42.txt ${p('user42')}. user42@x -user42 user42-a .user42 a.user42 (${p('user42')})`,
    `(${p('a.b*c')}) a.b*c.d ${p('(x|y)')} x|y ${p('[z]+')} [z] ${p('$^{2}')} ${p('q?.*')} ${p('user1.+')} user1.x`,
    `${p('user4999')}/user5000\\${p('user4998')}`,
  ].join('\n'));
});

test('the replacer gives what the longest-first alternation regex gave, on random names and texts', () => {
  // The former implementation, as the reference.
  const reference = (names: Map<string, string>, s: string): string => {
    const alternatives = [...names.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const re = new RegExp(`(?<![\\w.@-])(?:${alternatives.join('|')})(?![\\w@-]|\\.\\w)`, 'giu');
    return s.replace(re, (m) => names.get(m.toLowerCase()) ?? m);
  };
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  // Case-folding oddities (Kelvin sign, long s, final sigma, dotless and dotted i, an astral letter) included.
  const alphabet = ['a', 'A', 'b', 's', 'S', 'k', '.', '-', '@', ' ', '\u212A', '\u017F', 'σ', 'ς', 'Σ', 'ı', 'İ', 'I', 'i', '𐐀', '𐐨', '*', '('];
  const word = (min: number, max: number) => Array.from({ length: min + rnd(max - min + 1) }, () => alphabet[rnd(alphabet.length)]).join('');
  for (let round = 0; round < 200; round++) {
    const names = new Map<string, string>();
    for (let i = 0; i < 1 + rnd(12); i++) {
      const n = word(2, 5).toLowerCase();
      names.set(n, `<${n.length}:${i}>`);
    }
    const replace = nameReplacer(names);
    for (let k = 0; k < 20; k++) {
      const s = k % 2 ? word(0, 40) : [...names.keys()].map((n) => (rnd(2) ? n.toUpperCase() : n) + alphabet[rnd(alphabet.length)]).join('');
      assert.equal(replace(s), reference(names, s), JSON.stringify({ names: [...names.keys()], s }));
    }
  }
});
