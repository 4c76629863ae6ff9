/**
 * Sigma value modifiers: parsing `Field|mod1|mod2` keys, checking the combination, and the value
 * transformations (`wide`, `base64`, `base64offset`, `windash`) that run before matching.
 */
import { RuleProblem } from './problem.js';

/** Every modifier the engine knows. `expand` is recognised only to report it as unsupported. */
export const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'cased', 'exists',
  're', 'i', 'm', 's',
  'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'windash',
  'cidr', 'gt', 'gte', 'lt', 'lte', 'fieldref', 'expand',
]);

export type MatchKind =
  | 'equals' | 'contains' | 'startswith' | 'endswith'
  | 're' | 'cidr' | 'exists' | 'gt' | 'gte' | 'lt' | 'lte' | 'fieldref';

/** What a field key asks for, after checking the modifier combination. */
export interface FieldSpec {
  /** Sigma field name; '' for keyword selections keyed by modifiers only (`'|all'`). */
  field: string;
  modifiers: string[];
  kind: MatchKind;
  /** For `fieldref`: the string comparison applied between the two fields. */
  refMode: 'equals' | 'contains' | 'startswith' | 'endswith';
  all: boolean;
  cased: boolean;
  /** Byte/string transforms in the order written (applied left to right to each value). */
  transforms: Array<'base64' | 'base64offset' | 'utf16le' | 'utf16be' | 'utf16' | 'windash'>;
  /** Regex sub-flags. */
  reFlags: { i: boolean; m: boolean; s: boolean };
}

const STRING_KINDS = new Set(['contains', 'startswith', 'endswith']);
const COMPARE = new Set(['gt', 'gte', 'lt', 'lte']);

/** Parse and validate `Field|mod|mod`. Throws RuleProblem with a clear message. */
export function parseFieldKey(key: string): FieldSpec {
  const parts = key.split('|');
  const field = parts[0]!.trim();
  const modifiers = parts.slice(1).map((m) => m.trim());
  const spec: FieldSpec = {
    field, modifiers, kind: 'equals', refMode: 'equals', all: false, cased: false, transforms: [],
    reFlags: { i: false, m: false, s: false },
  };
  const kinds: string[] = [];
  for (const m of modifiers) {
    if (!KNOWN_MODIFIERS.has(m)) throw new RuleProblem(`unknown modifier '${m}' in '${key}'`, 'invalid');
    switch (m) {
      case 'expand':
        throw new RuleProblem(`modifier 'expand' (placeholders) in '${key}'`, 'unsupported');
      case 'all': spec.all = true; break;
      case 'cased': spec.cased = true; break;
      case 'i': case 'm': case 's':
        spec.reFlags[m] = true;
        break;
      case 'wide': spec.transforms.push('utf16le'); break;
      case 'base64': case 'base64offset': case 'utf16le': case 'utf16be': case 'utf16': case 'windash':
        spec.transforms.push(m);
        break;
      default:
        kinds.push(m);
    }
  }
  // fieldref may combine with one string kind (`fieldref|startswith`); otherwise one kind at most.
  const isRef = kinds.includes('fieldref');
  const rest = kinds.filter((k) => k !== 'fieldref');
  if (rest.length > 1) throw new RuleProblem(`conflicting modifiers ${rest.join(', ')} in '${key}'`, 'invalid');
  const k = rest[0];
  if (isRef) {
    if (k !== undefined && !STRING_KINDS.has(k)) {
      throw new RuleProblem(`'fieldref' cannot combine with '${k}' in '${key}'`, 'invalid');
    }
    spec.kind = 'fieldref';
    spec.refMode = (k ?? 'equals') as FieldSpec['refMode'];
  } else if (k !== undefined) {
    spec.kind = k as MatchKind;
  }
  // base64offset only makes sense on a fragment: it implies contains (pySigma requires the pair).
  if (spec.transforms.includes('base64offset') && spec.kind === 'equals') spec.kind = 'contains';

  if ((spec.reFlags.i || spec.reFlags.m || spec.reFlags.s) && spec.kind !== 're') {
    throw new RuleProblem(`regex flags i/m/s need 're' in '${key}'`, 'invalid');
  }
  const strict = spec.kind === 're' || spec.kind === 'cidr' || spec.kind === 'exists' || COMPARE.has(spec.kind);
  if (strict && spec.transforms.length) {
    throw new RuleProblem(`'${spec.kind}' cannot combine with ${spec.transforms.join(', ')} in '${key}'`, 'invalid');
  }
  if ((spec.kind === 'exists' || spec.kind === 'cidr' || COMPARE.has(spec.kind)) && spec.cased) {
    throw new RuleProblem(`'cased' has no meaning with '${spec.kind}' in '${key}'`, 'invalid');
  }
  const bytes = spec.transforms.filter((t) => t !== 'windash');
  const b64 = bytes.filter((t) => t === 'base64' || t === 'base64offset');
  if (b64.length > 1) throw new RuleProblem(`more than one base64 modifier in '${key}'`, 'invalid');
  if (bytes.some((t) => t.startsWith('utf16')) && b64.length && bytes.indexOf(b64[0]!) < bytes.findIndex((t) => t.startsWith('utf16'))) {
    throw new RuleProblem(`utf16/wide must come before base64 in '${key}'`, 'invalid');
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------------
// Transforms. Byte strings are carried as "binary" JS strings (one char per byte, 0–255), so a
// `wide` value without base64 becomes `a\0b\0` — what a UTF-16 field read as Latin-1 would contain.

function toBytes(s: string, binary: boolean): Uint8Array {
  return binary ? Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff) : new TextEncoder().encode(s);
}

function utf16(s: string, be: boolean, bom: boolean): string {
  let out = bom ? (be ? '\xfe\xff' : '\xff\xfe') : '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lo = String.fromCharCode(c & 0xff);
    const hi = String.fromCharCode(c >> 8);
    out += be ? hi + lo : lo + hi;
  }
  return out;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * The three base64 renderings of `bytes` at byte offsets 0, 1, 2 inside a longer encoded blob, with
 * the characters that depend on the unknown neighbours cut off (the classic base64offset algorithm
 * from the Sigma specification).
 */
export function base64OffsetVariants(bytes: Uint8Array): string[] {
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2]; // chars to drop at the end, indexed by (len + offset) % 3
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const padded = new Uint8Array(i + bytes.length);
    padded.fill(0x20, 0, i);
    padded.set(bytes, i);
    const enc = b64(padded);
    const end = endCut[(bytes.length + i) % 3]!;
    const piece = enc.slice(startCut[i]!, enc.length - end);
    if (piece) out.push(piece);
  }
  return out;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_VARIANTS = 625;

function isWord(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/**
 * `windash`: every `-` or `/` that starts an option (preceded by start or a non-word character and
 * followed by a word character, as pySigma reads it) may be written as `-`, `/`, en dash, em dash or
 * horizontal bar; all combinations are generated (bounded).
 */
export function windashVariants(s: string): string[] {
  const positions: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ((c === '-' || c === '/') && !isWord(s[i - 1]) && isWord(s[i + 1])) positions.push(i);
  }
  if (positions.length === 0) return [s];
  if (DASHES.length ** positions.length > MAX_WINDASH_VARIANTS) {
    throw new RuleProblem(`windash on '${s}' would create more than ${MAX_WINDASH_VARIANTS} variants`, 'unsupported');
  }
  let acc = [''];
  let prev = 0;
  for (const p of positions) {
    const mid = s.slice(prev, p);
    acc = acc.flatMap((a) => DASHES.map((d) => a + mid + d));
    prev = p + 1;
  }
  const tail = s.slice(prev);
  return acc.map((a) => a + tail);
}

/**
 * Apply the byte transforms (everything except windash) to a literal value. Returns the strings to
 * match (several for base64offset).
 */
export function applyByteTransforms(value: string, transforms: FieldSpec['transforms']): string[] {
  let cur = value;
  let binary = false;
  let outs: string[] | null = null;
  for (const t of transforms) {
    switch (t) {
      case 'windash': break;
      case 'utf16le': cur = utf16(cur, false, false); binary = true; break;
      case 'utf16be': cur = utf16(cur, true, false); binary = true; break;
      case 'utf16': cur = utf16(cur, false, true); binary = true; break;
      case 'base64': cur = b64(toBytes(cur, binary)); binary = false; break;
      case 'base64offset': outs = base64OffsetVariants(toBytes(cur, binary)); break;
    }
  }
  // Without base64 a utf16 value stays a binary string, matched as Latin-1 text.
  return outs ?? [cur];
}
