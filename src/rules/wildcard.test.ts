import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWildcards, compileWildcard, STAR, QMARK, type MatchMode } from './wildcard.js';

const m = (pattern: string, value: string, mode: MatchMode = 'equals', cased = false): boolean => {
  const w = compileWildcard(parseWildcards(pattern), mode, cased);
  return w.test(cased ? value : value.toLowerCase());
};

test('parse: escapes follow the Sigma specification', () => {
  assert.deepEqual(parseWildcards('a*b?c'), ['a', STAR, 'b', QMARK, 'c']);
  assert.deepEqual(parseWildcards('a\\*b'), ['a*b']);
  assert.deepEqual(parseWildcards('a\\?b'), ['a?b']);
  assert.deepEqual(parseWildcards('a\\\\*'), ['a\\', STAR]); // escaped backslash, then a real wildcard
  assert.deepEqual(parseWildcards('C:\\Windows\\'), ['C:\\Windows\\']); // backslash before a letter / at end is literal
  assert.deepEqual(parseWildcards('**a***'), [STAR, 'a', STAR]); // runs of * collapse
  assert.deepEqual(parseWildcards(''), []);
});

test('equals / contains / startswith / endswith fast paths, case-insensitive', () => {
  assert.ok(m('PowerShell', 'powershell'));
  assert.ok(!m('PowerShell', 'powershell.exe'));
  assert.ok(m('shell', 'PowerShell.exe', 'contains'));
  assert.ok(m('power', 'PowerShell.exe', 'startswith'));
  assert.ok(!m('shell', 'PowerShell.exe', 'startswith'));
  assert.ok(m('.EXE', 'PowerShell.exe', 'endswith'));
  assert.ok(!m('PowerShell', 'powershell', 'equals', true));
  assert.ok(m('Power', 'PowerShell', 'startswith', true));
});

test('wildcards: * at ends, inside, ? and escapes', () => {
  assert.ok(m('*.aspx', '/owa/auth/x.aspx'));
  assert.ok(m('/owa/*', '/owa/auth/x.aspx'));
  assert.ok(m('/owa/*.aspx', '/owa/auth/x.aspx'));
  assert.ok(!m('/owa/*.aspx', '/owa/auth/x.aspx.bak'));
  assert.ok(m('a*b*c', 'abc'));
  assert.ok(m('a*b*c', 'a_b_b_c'));
  assert.ok(!m('a*b*c', 'acb'));
  assert.ok(m('ab*ab', 'ab'.repeat(1)) === false); // 'ab' cannot be both prefix and suffix without overlap
  assert.ok(m('ab*ab', 'abab'));
  assert.ok(m('ab*ba', 'aba') === false);
  assert.ok(m('x?z', 'xyz'));
  assert.ok(!m('x?z', 'xz'));
  assert.ok(!m('x?z', 'xyyz'));
  assert.ok(m('?', 'a'));
  assert.ok(!m('?', ''));
  assert.ok(m('*?x?*', '-axb-'));
  assert.ok(m('a\\*b', 'a*b'));
  assert.ok(!m('a\\*b', 'axb'));
  assert.ok(m('what\\?', 'what?'));
  assert.ok(!m('what\\?', 'whatx'));
  // `\*` escapes the star (Sigma's gotcha): a wildcard after a backslash needs `\\*`.
  assert.ok(!m('C:\\Windows\\*', 'c:\\windows\\temp\\x.exe'));
  assert.ok(m('C:\\Windows\\*', 'c:\\windows*'));
  assert.ok(m('C:\\Windows\\\\*', 'c:\\windows\\temp\\x.exe'));
});

test('empty and star-only patterns', () => {
  assert.ok(m('', ''));
  assert.ok(!m('', 'a'));
  assert.ok(m('', 'anything', 'contains'));
  assert.ok(m('*', ''));
  assert.ok(m('*', 'abc'));
});

test('worst-case patterns stay fast on long attacker input', () => {
  const value = 'a'.repeat(200_000);
  const t0 = Date.now();
  assert.ok(!m('*a*a*a*a*a*a*a*a*b', value));
  assert.ok(!m('a?a?a?a?a?a?a?a?a?b', value, 'contains'));
  assert.ok(Date.now() - t0 < 2000);
});

test('differential: the segment matcher agrees with a reference regex on random patterns', () => {
  // The reference uses a JS RegExp on tiny inputs only (test oracle; the engine never does this).
  const toRegex = (tokens: ReturnType<typeof parseWildcards>, mode: MatchMode): RegExp => {
    const body = tokens.map((t) => (t === STAR ? '[\\s\\S]*' : t === QMARK ? '[\\s\\S]' : t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
    const pre = mode === 'contains' || mode === 'endswith' ? '[\\s\\S]*' : '';
    const post = mode === 'contains' || mode === 'startswith' ? '[\\s\\S]*' : '';
    return new RegExp(`^${pre}${body}${post}$`);
  };
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const modes: MatchMode[] = ['equals', 'contains', 'startswith', 'endswith'];
  let agree = 0;
  for (let i = 0; i < 3000; i++) {
    const pattern = Array.from({ length: rnd(7) }, () => 'ab*?\\'[rnd(5)]).join('');
    const tokens = parseWildcards(pattern);
    const mode = modes[rnd(4)]!;
    const w = compileWildcard(tokens, mode, true);
    const ref = toRegex(tokens, mode);
    for (let j = 0; j < 8; j++) {
      const value = Array.from({ length: rnd(8) }, () => 'ab*?\\'[rnd(5)]).join('');
      assert.equal(w.test(value), ref.test(value), `pattern ${JSON.stringify(pattern)} ${mode} value ${JSON.stringify(value)}`);
      agree++;
    }
  }
  assert.equal(agree, 24000);
});
