/**
 * The web-shell fixtures: hand-written from public descriptions, stored base64-encoded (`*.b64`) so that
 * antivirus on a developer's or user's machine does not quarantine them, and decoded in memory only.
 * Format: `test/webshells/fixtures/index.json` lists `{file, expect[], forbid[], note}`; each `file` holds
 * the base64 (RFC 2045 lines) of one fixture's bytes. `expect` rules must match, `forbid` rules must not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '../../src/assets.js';

export interface Fixture {
  /** File name without `.b64` (it keeps the extension the drop would have, e.g. `x.aspx`). */
  name: string;
  bytes: Uint8Array;
  expect: string[];
  forbid: string[];
  note: string;
}

export const FIXTURE_DIR = assetPath('test/webshells/fixtures');

/** Decodes one `.b64` fixture text (whitespace ignored). Throws on anything that is not base64. */
export function decodeFixture(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error('fixture is not base64');
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

export function loadFixtures(dir = FIXTURE_DIR): Fixture[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { fixtures: { file: string; expect: string[]; forbid: string[]; note?: string }[] };
  return index.fixtures.map((f) => ({
    name: f.file.replace(/\.b64$/, ''),
    bytes: decodeFixture(readFileSync(join(dir, f.file), 'latin1')),
    expect: f.expect,
    forbid: f.forbid,
    note: f.note ?? '',
  }));
}
