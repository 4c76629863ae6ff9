import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from './csv.js';
import { safe, shortPath } from './terminal.js';

test('CSV cells: RFC 4180 quoting, and attacker text never becomes a spreadsheet formula', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('line\r\nbreak'), '"line\r\nbreak"');
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const lead of ['+', '-', '@', '\t', '\r']) assert.ok(csvCell(`${lead}cmd`).replace(/^"/, '').startsWith(`'${lead}`));
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(241), '241');
});

test('terminal text: control characters from evidence are shown, not executed', () => {
  assert.equal(safe('ok'), 'ok');
  assert.equal(safe('\u001b[2J\u001b[Hfake clean'), '\\x1b[2J\\x1b[Hfake clean');
  assert.equal(safe('a\rb\nc'), 'a\\x0db\\x0ac');
  assert.equal(safe('\u202eevil'), '\\x202eevil');
  assert.equal(safe('x'.repeat(500), 10).length, 10);
});

test('evidence paths are shortened for the eye by plain substring search', () => {
  assert.equal(shortPath('Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/x.LOG'), 'Logging/HttpProxy/Ecp/x.LOG');
  assert.equal(shortPath('inetpub/logs/LogFiles/W3SVC1/u_ex210303.log'), 'W3SVC1/u_ex210303.log');
  assert.equal(shortPath('Windows/System32/LogFiles/HTTPERR/httperr1.log'), 'HTTPERR/httperr1.log');
  assert.equal(shortPath('case/notes.txt'), 'case/notes.txt');
  const hostile = `${'a/'.repeat(5000)}b`;
  assert.equal(shortPath(hostile), hostile);
});
