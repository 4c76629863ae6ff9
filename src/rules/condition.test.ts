import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from './condition.js';
import { RuleProblem } from './problem.js';
import { makeRecord as rec, ruleFromDetection as det } from './testing.js';

const names = ['a', 'b', 'c', 'sel_1', 'sel_2', 'filter_x', '_helper'];

/** Evaluate a condition over truth values for selections a, b, c (each tests field a/b/c == '1'). */
function evalCond(cond: string, a: boolean, b: boolean, c: boolean): boolean {
  const rule = det({ a: { fa: '1' }, b: { fb: '1' }, c: { fc: '1' }, condition: cond });
  return rule.match(rec({ fa: a ? '1' : '0', fb: b ? '1' : '0', fc: c ? '1' : '0' })) !== null;
}

test('precedence: not > and > or', () => {
  assert.deepEqual(parseCondition('a or b and c', names), {
    t: 'or', items: [{ t: 'id', name: 'a' }, { t: 'and', items: [{ t: 'id', name: 'b' }, { t: 'id', name: 'c' }] }],
  });
  assert.deepEqual(parseCondition('not a and b', names), {
    t: 'and', items: [{ t: 'not', item: { t: 'id', name: 'a' } }, { t: 'id', name: 'b' }],
  });
  for (const [a, b, c] of [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]] as const) {
    const A = !!a, B = !!b, C = !!c;
    assert.equal(evalCond('a or b and c', A, B, C), A || (B && C));
    assert.equal(evalCond('not a and b', A, B, C), !A && B);
    assert.equal(evalCond('not (a and b) or c', A, B, C), !(A && B) || C);
    assert.equal(evalCond('a and not b or not c', A, B, C), (A && !B) || !C);
    assert.equal(evalCond('not not a', A, B, C), A);
    assert.equal(evalCond('(a or b) and c', A, B, C), (A || B) && C);
    assert.equal(evalCond('a AND (b OR NOT c)', A, B, C), A && (B || !C));
  }
});

test('quantifiers: 1 of / any of / all of / N of, with patterns and them', () => {
  assert.deepEqual(parseCondition('1 of sel_*', names), { t: 'of', n: 1, names: ['sel_1', 'sel_2'], pattern: 'sel_*' });
  assert.deepEqual(parseCondition('all of sel*', names), { t: 'of', n: 'all', names: ['sel_1', 'sel_2'], pattern: 'sel*' });
  assert.deepEqual(parseCondition('any of them', names), { t: 'of', n: 1, names: ['a', 'b', 'c', 'sel_1', 'sel_2', 'filter_x'], pattern: 'them' });
  for (const [a, b, c] of [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 1, 1]] as const) {
    const n = a + b + c;
    assert.equal(evalCond('1 of them', !!a, !!b, !!c), n >= 1);
    assert.equal(evalCond('all of them', !!a, !!b, !!c), n === 3);
    assert.equal(evalCond('2 of them', !!a, !!b, !!c), n >= 2);
    assert.equal(evalCond('a and not 1 of b*', !!a, !!b, !!c), !!a && !b);
  }
});

test('them ignores _-prefixed helper selections', () => {
  const rule = det({ sel: { x: '1' }, _helper: { y: '1' }, condition: 'all of them' });
  assert.ok(rule.match(rec({ x: '1', y: '0' })));
});

test('condition lists are OR-ed', () => {
  const rule = det({ a: { x: '1' }, b: { y: '1' }, condition: ['a', 'b'] });
  assert.ok(rule.match(rec({ x: '0', y: '1' })));
  assert.ok(!rule.match(rec({ x: '0', y: '0' })));
});

test('errors: unknown names, bad syntax, aggregations', () => {
  const bad = (c: string, re: RegExp, kind: 'invalid' | 'unsupported' = 'invalid'): void => {
    assert.throws(() => parseCondition(c, names), (e: unknown) => e instanceof RuleProblem && e.kind === kind && re.test(e.message), c);
  };
  bad('nope', /unknown selection 'nope'/);
  bad('a and', /unexpected end/);
  bad('a b', /unexpected 'b'/);
  bad('(a or b', /expected '\)'/);
  bad('a or )', /unexpected '\)'/);
  bad('1 of zz*', /matches no selection/);
  bad('', /empty condition/);
  bad('0 of them', /at least 1/);
  bad('a | count() > 5', /aggregation/, 'unsupported');
  bad('a near b', /near|unexpected/, 'invalid');
});
