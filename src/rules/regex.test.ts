import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRe2, deferRegexCompilation } from './regex.js';

const PATTERNS: Array<[string, { i?: boolean }]> = [
  ['(?P<Ip>\\d+\\.\\d+\\.\\d+\\.\\d+)', {}],
  ['^(?:GET|POST) (?P<Path>[^ ?]+)(\\?(?P<Query>\\S*))?', {}],
  ['[(](?P<Inner>[^)]*)[)]|\\((?P<Esc>x)', { i: true }],
  ['(a)(?:b)(?P<C>c)(?i:d)(?P<E>e)', {}],
  ['[\\](?P<NotAGroup>x)]', {}],
];

test('regexes compiled on first use answer and name groups exactly like eagerly compiled ones', () => {
  const inputs = ['GET /owa/auth/x.aspx?a=1 10.1.2.3', '(inner) (x', 'abcDe', 'x', ']P<NotAGroup>x)', ''];
  for (const [p, f] of PATTERNS) {
    const eager = compileRe2(p, f);
    deferRegexCompilation(true);
    try {
      const lazy = compileRe2(p, f);
      assert.deepEqual({ ...lazy.namedGroups() }, { ...eager.namedGroups() }, p);
      for (const s of inputs) {
        assert.equal(lazy.test(s), eager.test(s), `${p} on ${s}`);
        const a = eager.matcher(s);
        const b = lazy.matcher(s);
        assert.equal(b.find(), a.find());
      }
    } finally {
      deferRegexCompilation(false);
    }
  }
});
