import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urlDecode, percentVariants, rpsCatIdentity, base64Bytes, DECODERS } from './decode.js';
import { makeRecord as rec, ruleFromDetection as det } from './testing.js';
import { prefilterAccepts } from './prefilter.js';
import { rng } from '../../test/support/rng.js';

/** A token laid out as the ProxyShell write-ups describe it (V, T, C, A, L, U, G, E). */
function token(logon: string, sid: string): string {
  const str = (tag: string, v: string) => Buffer.concat([Buffer.from(tag), Buffer.from([Buffer.byteLength(v)]), Buffer.from(v)]);
  return Buffer.concat([
    Buffer.from([0x56, 1, 0]), str('T', 'Windows'), Buffer.from([0x43, 0]), str('A', 'Kerberos'), str('L', logon), str('U', sid),
    Buffer.from([0x47, 1, 0, 0, 0, 7, 0, 0, 0]), Buffer.from([12]), Buffer.from('S-1-5-32-544'), Buffer.from([0x45, 0, 0, 0, 0]),
  ]).toString('base64');
}

test('urlDecode: one pass, %XX as UTF-8 bytes, %uXXXX, malformed escapes kept, + kept', () => {
  assert.equal(urlDecode('/autodiscover/autodiscover.json%3F%40evil.example/%70ower%53hell'), '/autodiscover/autodiscover.json?@evil.example/powerShell');
  assert.equal(urlDecode('%2570owershell'), '%70owershell');
  assert.equal(urlDecode('%u0070ower'), 'power');
  assert.equal(urlDecode('100%+sure%zz%4'), '100%+sure%zz%4');
  assert.equal(urlDecode('caf%C3%A9'), 'café');
  assert.equal(urlDecode('plain'), 'plain');
});

test('percentVariants: the literal and the escapes of each character in both cases', () => {
  const v = percentVariants('Ps1');
  for (const x of ['ps1', '%70', '%50', '%73', '%53', '%31', '%u00']) assert.ok(v.includes(x), x);
});

test('rpsCatIdentity: logon name from an X-Rps-CAT token (URL-encoded or not), SID as fallback, junk → undefined', () => {
  const t = token('administrator@contoso.com', 'S-1-5-21-1-2-3-500');
  assert.equal(rpsCatIdentity(t), 'administrator@contoso.com');
  assert.equal(rpsCatIdentity(encodeURIComponent(t)), 'administrator@contoso.com');
  assert.equal(rpsCatIdentity(token('', 'S-1-5-21-1-2-3-1106')), 'S-1-5-21-1-2-3-1106');
  assert.equal(rpsCatIdentity('not base64!'), undefined);
  assert.equal(rpsCatIdentity(Buffer.from('Xhello').toString('base64')), undefined);
  // Truncated after the logon name's length byte: nothing invented.
  assert.equal(rpsCatIdentity(Buffer.from([0x56, 1, 0, 0x4c, 200, 0x41]).toString('base64')), undefined);
  assert.equal(base64Bytes('A'.repeat(20_000)), undefined);
  assert.equal(DECODERS.base64('aGVsbG8='), 'hello');
});

test('rule engine: extract with decode: rps-cat puts the token identity into a derived field', () => {
  const r = det(
    { s: { 'cs-uri-decoded|contains': 'x-rps-cat=' }, condition: 's' },
    {
      logsource: { category: 'webserver' },
      exhunt: {
        extract: [
          { field: 'cs-uri-decoded', regex: '(?i)X-Rps-CAT=(?P<RpsCat>[A-Za-z0-9+/=_-]{1,1000})' },
          { field: 'RpsCat', decode: 'rps-cat', regex: '(?P<RpsCatUser>.{1,256})' },
        ],
      },
    },
  );
  const q = `@x/powershell/?X-Rps-CAT=${encodeURIComponent(token('admin@contoso.com', 'S-1-5-21-9'))}&Email=a`;
  const m = r.match(rec({ 'cs-uri-stem': '/autodiscover/autodiscover.json', 'cs-uri-query': q }));
  assert.equal(m?.derived['RpsCatUser'], 'admin@contoso.com');
  assert.throws(() => det({ s: { a: 'b' }, condition: 's' }, { exhunt: { extract: [{ field: 'a', decode: 'rot13', regex: '(?P<X>.)' }] } }), /decode 'rot13'/);
});

test('decoded fields: matches escaped spellings, and the pre-filter accepts every raw line the rule matches', () => {
  const r = det({ a: { 'cs-uri-decoded|contains': 'autodiscover' }, b: { 'cs-uri-decoded|contains': 'powershell' }, condition: 'a and b' }, { logsource: { category: 'webserver' } });
  assert.ok(r.prefilter && r.prefilter.literals.includes('powershell'));
  const R = rng(6);
  const word = 'autodiscover.json?@x/powershell';
  let matched = 0;
  for (let i = 0; i < 2000; i++) {
    // Escape a random subset of characters, in random hex case, some as %u00XX.
    let q = '';
    for (const ch of word) {
      const p = R();
      const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
      q += p < 0.1 ? `%${hex.toUpperCase()}` : p < 0.2 ? `%${hex}` : p < 0.23 ? `%u00${hex}` : R() < 0.2 ? ch.toUpperCase() : ch;
    }
    const record = rec({ 'cs-uri-stem': '/x', 'cs-uri-query': q });
    if (r.match(record)) {
      matched++;
      assert.ok(prefilterAccepts(r.prefilter, record.raw), `pre-filter rejects a matching line: ${record.raw}`);
    }
  }
  assert.ok(matched > 1000, `most spellings match (${matched})`);
});
