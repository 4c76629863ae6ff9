import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord as rec, ruleFromDetection as det } from './testing.js';
import { mappingFor, readField, resolveField, MAPPINGS } from './mappings.js';

const web = { logsource: { category: 'webserver' } };
const hitWeb = (selection: Record<string, unknown>, fields: Record<string, string>): boolean =>
  det({ selection, condition: 'selection' }, web).match(rec(fields)) !== null;

test('mapping choice by logsource', () => {
  assert.equal(mappingFor({ category: 'webserver' }).id, 'iis-w3c');
  assert.equal(mappingFor({ category: 'WebServer', product: 'windows' }).id, 'iis-w3c');
  assert.equal(mappingFor({ product: 'exchange', service: 'httpproxy' }).id, 'exchange');
  assert.equal(mappingFor({ product: 'windows', service: 'security' }).id, 'windows');
  assert.equal(mappingFor({ product: 'exhunt', category: 'file' }).id, 'identity');
  assert.deepEqual(resolveField(mappingFor({ product: 'exchange' }), 'ClientIpAddress'), { names: ['ClientIpAddress'] });
  assert.ok(MAPPINGS.every((m) => m.id && m.description));
});

test('IIS W3C names answer to Sigma webserver names', () => {
  assert.ok(hitWeb({ 'cs-user-agent|contains': 'python' }, { 'cs(User-Agent)': 'python-requests/2.25.1' }));
  assert.ok(hitWeb({ 'cs-user-agent|contains': 'python' }, { 'cs-user-agent': 'python-requests/2.25.1' }));
  assert.ok(hitWeb({ 'cs-referer': 'https://x/' }, { 'cs(Referer)': 'https://x/' }));
  assert.ok(hitWeb({ 'cs-referrer': 'https://x/' }, { 'cs(Referer)': 'https://x/' }));
  assert.ok(hitWeb({ 'cs-cookie|contains': 'X-AnonResource' }, { 'cs(Cookie)': 'X-AnonResource=true' }));
  assert.ok(hitWeb({ 'cs-host': 'mail.example.com' }, { 'cs(Host)': 'mail.example.com' }));
  assert.ok(hitWeb({ 'cs-host': 'mail.example.com' }, { 'cs-host': 'mail.example.com' }));
  assert.ok(hitWeb({ 'c-ip': '203.0.113.24', 'sc-status': 200, 's-port': 443 }, { 'c-ip': '203.0.113.24', 'sc-status': '200', 's-port': '443' }));
});

test('cs-uri: the log field when present, else stem?query', () => {
  assert.ok(hitWeb({ 'cs-uri': '/ecp/y.js?x=1' }, { 'cs-uri-stem': '/ecp/y.js', 'cs-uri-query': 'x=1' }));
  assert.ok(hitWeb({ 'cs-uri': '/ecp/y.js' }, { 'cs-uri-stem': '/ecp/y.js', 'cs-uri-query': '-' }));
  assert.ok(hitWeb({ 'cs-uri': '/ecp/y.js?x=1' }, { 'cs-uri': '/ecp/y.js?x=1' }));
  assert.equal(readField(rec({ 'cs-uri-stem': '/a', 'cs-uri-query': 'b=1' }), { category: 'webserver' }, 'cs-uri'), '/a?b=1');
  assert.equal(readField(rec({ 'cs(User-Agent)': 'UA' }), { category: 'webserver' }, 'cs-user-agent'), 'UA');
  assert.equal(readField(rec({}), { category: 'webserver' }, 'cs-uri'), undefined);
});

test('cs-uri-query: query column, plus the full URI for string tests (SigmaHQ usage)', () => {
  const f = { 'cs-uri-stem': '/owa/auth/Current/themes/resources/x.css', 'cs-uri-query': '-' };
  assert.ok(hitWeb({ 'cs-uri-query|contains': '/owa/auth/Current/' }, f));
  assert.ok(hitWeb({ 'cs-uri-query|contains': 'a=1' }, { 'cs-uri-stem': '/x', 'cs-uri-query': 'a=1' }));
  assert.ok(hitWeb({ 'cs-uri-query|re': '^/owa/auth/' }, f));
  // Null checks read the query column alone.
  assert.ok(hitWeb({ 'cs-uri-query': null }, f));
  assert.ok(!hitWeb({ 'cs-uri-query': null }, { 'cs-uri-stem': '/x', 'cs-uri-query': 'a=1' }));
});

test('Exchange and other sources: identity, case-insensitive through the record', () => {
  const r = det({ s: { clientipaddress: '203.0.113.24' }, condition: 's' }, { logsource: { product: 'exchange', service: 'httpproxy' } });
  assert.ok(r.match(rec({ ClientIpAddress: '203.0.113.24' })));
  assert.deepEqual(r.fields, ['clientipaddress']);
});
