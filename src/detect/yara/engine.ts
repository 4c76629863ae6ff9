/**
 * The one door to YARA: compile rule sources once (per worker thread), then scan byte buffers. Everything
 * else in exhunt codes against this interface, so the engine behind it can change.
 *
 * Engine: `@virustotal/yara-x` (the official YARA-X WebAssembly build; pure wasm, so it runs on Windows and
 * Linux without a compiler). Two properties of its 1.20 JavaScript backend shape this file (measured, see
 * docs/webshells.md):
 *
 * 1. Every scan creates a WebAssembly `Memory` and `Instance` for the compiled rules and the module never
 *    releases them (its externref table keeps growing; `free()` on Scanner/Rules, fresh Scanners and GC do
 *    not help). V8 reserves ~10 GB of address space per wasm memory, so a process dies with
 *    `RuntimeError: unreachable` after ~13,000 scans (all threads together). Hence `recycleAfter`: the whole
 *    yara-x module is re-instantiated (a fresh copy of its JS glue over the shared compiled wasm module)
 *    and the rules recompiled every N scans; the old instance is then garbage.
 * 2. A scan costs a fixed ~10–80 ms (it rebuilds its linker and instance, growing with the rule count),
 *    whatever the buffer size. So a sound atom pre-filter (prefilter.ts) runs first: a buffer that cannot
 *    satisfy any rule is answered "no match" without entering yara-x at all; the others are scanned by
 *    yara-x with every rule, so results are yara-x's.
 */
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { assetPath } from '../../assets.js';
import { buildPrefilter, type Prefilter } from './prefilter.js';

/** One rule file's text. `name` is its namespace and the label in errors (a relative path, say). */
export interface YaraSource {
  name: string;
  text: string;
}

export interface YaraStringMatch {
  /** Pattern identifier with its `$`, e.g. `$a`. */
  id: string;
  offset: number;
  length: number;
}

export type YaraMetaValue = string | number | boolean;

export interface YaraMatch {
  rule: string;
  /** The source's name (one namespace per source, so equal rule names in two packs do not clash). */
  namespace: string;
  tags: string[];
  meta: Record<string, YaraMetaValue>;
  /** Matched patterns; at most `MAX_OFFSETS_PER_STRING` offsets each (hits are evidence pointers, not a dump). */
  strings: YaraStringMatch[];
}

export interface CompileOptions {
  /** Re-instantiate yara-x after this many real scans (see point 1 above). Default 2,000. */
  recycleAfter?: number;
  /** Use the atom pre-filter (default true; false = every buffer goes through yara-x). */
  prefilter?: boolean;
  /** Per-scan timeout of yara-x, in milliseconds (default 10,000): hostile input cannot stall a worker. */
  timeoutMs?: number;
  /**
   * The sources are known to compile (the project's own, proven by its tests): yara-x builds them only
   * when a buffer first passes the pre-filter, so a tree with no candidate never pays the build (~1 s of
   * WebAssembly). Compile errors and warnings are then not reported. Ignored without the pre-filter.
   */
  deferBuild?: boolean;
}

export interface YaraStats {
  /** Buffers handed to `scan`. */
  scans: number;
  /** Of those, buffers that went through yara-x (the rest were cleared by the pre-filter). */
  engineScans: number;
  /** Times yara-x was re-instantiated. */
  recycles: number;
  /** Rules the pre-filter cannot gate (each forces a yara-x scan of every buffer). */
  ungatedRules: string[];
  /** yara-x built the rules (false: every buffer was cleared by the pre-filter under `deferBuild`). */
  built: boolean;
}

export interface YaraRules {
  /** Rules compiled (from the sources that compiled). */
  readonly ruleCount: number;
  /** Compiler warnings, `source: message`. */
  readonly warnings: string[];
  /** Sources that failed to compile and were skipped, `source: message` (the others are loaded). */
  readonly errors: string[];
  /** Names of the sources in use. */
  readonly loaded: string[];
  /** Matches of every non-private rule on these bytes. Throws only on an engine failure for this buffer. */
  scan(bytes: Uint8Array): YaraMatch[];
  stats(): YaraStats;
  /** Frees the WebAssembly objects. The object must not be used afterwards. */
  dispose(): void;
}

export const MAX_OFFSETS_PER_STRING = 8;
/** A source bigger than this is not a rule file a person wrote (yara-x would still take it, slowly). */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/* ---------------------------------------------------------------- yara-x instances */

interface YxCompiler {
  addSource(s: string): void;
  newNamespace(ns: string): void;
  build(): YxRules;
  free(): void;
  readonly errors: string[];
  readonly warnings: string[];
}
interface YxRules {
  scanner(): YxScanner;
  free(): void;
  readonly warnings: string[];
}
interface YxScanner {
  scan(b: Uint8Array): unknown;
  setTimeoutMs(ms: number): void;
  free(): void;
}
interface YxModule {
  Compiler: new () => YxCompiler;
  initSync(m: { module: object }): unknown;
}

const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;

let glue: { factory: (url: string) => YxModule; wasm: object; url: string } | undefined;

/** Where the package lives (an asset like any other data file, so a packaged build can serve it). */
function yaraXFiles(): { js: string; wasm: string } {
  let js: string;
  try {
    js = createRequire(assetPath('package.json')).resolve('@virustotal/yara-x');
  } catch {
    js = join(assetPath('node_modules'), '@virustotal', 'yara-x', 'pkg', 'yara_x_js.js');
  }
  return { js, wasm: join(dirname(js), 'yara_x_js_bg.wasm') };
}

/**
 * A factory that gives a fresh copy of the yara-x JS glue (its module-level state holds the wasm instance,
 * so an ES `import` could never be released). The glue is the package's own code, not evidence; the
 * transformation only turns its `export`s into a returned object, and is checked.
 */
function loadGlue(): NonNullable<typeof glue> {
  if (glue) return glue;
  const files = yaraXFiles();
  const src = readFileSync(files.js, 'utf8');
  const body = src
    .replace(/^export (class|function|async function) /gm, '$1 ')
    .replace(/^export \{[^}]*\};?[ \t]*$/m, '')
    .replace(/import\.meta\.url/g, '__moduleUrl');
  if (/^export /m.test(body) || !/\bclass Compiler\b/.test(body) || !/\bfunction initSync\b/.test(body)) {
    throw new Error(`unexpected layout of ${files.js}: the yara-x glue changed, update src/detect/yara/engine.ts`);
  }
  const factory = new Function('__moduleUrl', `"use strict";\n${body}\nreturn { Compiler, initSync };`) as (url: string) => YxModule;
  const wasm = new WA.Module(readFileSync(files.wasm));
  glue = { factory, wasm, url: `file://${files.js}` };
  return glue;
}

function newInstance(): YxModule {
  const g = loadGlue();
  const m = g.factory(g.url);
  m.initSync({ module: g.wasm });
  return m;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim())?.trim() ?? s;
}

/** The full message with the file name in place of yara-x's `line:` placeholder. */
function tidy(name: string, msg: string): string {
  return `${name}: ${msg.replace(/--> line:/g, `--> ${name}:`)}`;
}

interface Built {
  rules: YxRules;
  scanner: YxScanner;
  ruleCount: number;
}

/** Compiles the sources into one instance; returns which failed. */
function build(m: YxModule, sources: YaraSource[], timeoutMs: number): { built: Built | null; failed: Map<string, string>; warnings: string[] } {
  const failed = new Map<string, string>();
  let good = sources;
  for (let attempt = 0; attempt < 2; attempt++) {
    const c = new m.Compiler();
    try {
      for (const s of good) {
        c.newNamespace(s.name);
        try {
          c.addSource(s.text);
        } catch (err) {
          failed.set(s.name, String((err as Error)?.message ?? err));
        }
      }
      if (failed.size && attempt === 0) {
        // yara-x refuses to build after any error: start again with the sources that compiled.
        good = sources.filter((s) => !failed.has(s.name));
        continue;
      }
      const warnings = c.warnings.map(String);
      if (!good.length) return { built: null, failed, warnings };
      const rules = c.build();
      const scanner = rules.scanner();
      scanner.setTimeoutMs(timeoutMs);
      return { built: { rules, scanner, ruleCount: 0 }, failed, warnings };
    } finally {
      c.free();
    }
  }
  return { built: null, failed, warnings: [] };
}

/* ---------------------------------------------------------------- results */

type Raw = Record<string, unknown>;

function toMatch(r: Raw): YaraMatch {
  const meta: Record<string, YaraMetaValue> = {};
  for (const e of (r['metadata'] as Raw[] | undefined) ?? []) {
    const v = e['value'];
    const k = String(e['identifier']);
    // Repeated keys (several `reference` lines): the first wins, as in most YARA front ends.
    if (!(k in meta) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) meta[k] = v;
  }
  const strings: YaraStringMatch[] = [];
  for (const p of (r['patterns'] as Raw[] | undefined) ?? []) {
    const ms = (p['matches'] as Raw[] | undefined) ?? [];
    for (const m of ms.slice(0, MAX_OFFSETS_PER_STRING)) strings.push({ id: String(p['identifier']), offset: Number(m['offset']), length: Number(m['length']) });
  }
  return {
    rule: String(r['identifier']),
    namespace: String(r['namespace'] ?? 'default'),
    tags: ((r['tags'] as unknown[] | undefined) ?? []).map(String),
    meta,
    strings,
  };
}

/* ---------------------------------------------------------------- public API */

/**
 * Compiles rule sources (each in its own namespace, named after the source). A source that fails to
 * compile is listed in `errors` and skipped; the others load. Never throws for bad rules; throws only
 * when the engine itself cannot start. Compile once per worker thread and scan many buffers.
 */
export function compileYara(sources: YaraSource[], options: CompileOptions = {}): YaraRules {
  const recycleAfter = Math.max(1, options.recycleAfter ?? 2000);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const errors: string[] = [];
  // Names must be unique namespaces.
  const seen = new Map<string, number>();
  const input: YaraSource[] = [];
  for (const s of sources) {
    if (s.text.length > MAX_SOURCE_BYTES) {
      errors.push(`${s.name}: skipped, larger than ${MAX_SOURCE_BYTES} bytes`);
      continue;
    }
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    input.push(n === 1 ? s : { name: `${s.name}#${n}`, text: s.text });
  }
  const defer = options.deferBuild === true && options.prefilter !== false;
  let mod: YxModule | null = null;
  let built: Built | null = null;
  let good = input;
  let warnings: string[] = [];
  /** Whether the build was attempted (deferred: on the first buffer the pre-filter passes). */
  let tried = false;
  const buildNow = (): void => {
    tried = true;
    mod = newInstance();
    const first = build(mod, input, timeoutMs);
    for (const [name, msg] of first.failed) errors.push(tidy(name, msg));
    good = input.filter((s) => !first.failed.has(s.name));
    warnings = first.warnings.map((w) => firstLine(w));
    built = first.built;
  };
  if (!defer) buildNow();
  const pf: Prefilter | null = options.prefilter === false ? null : buildPrefilter(good);
  const ruleCount = pf ? pf.ruleCount : countRules(good);
  const stats: YaraStats = { scans: 0, engineScans: 0, recycles: 0, ungatedRules: pf ? pf.ungated : [], built: false };
  let sinceRecycle = 0;
  let disposed = false;

  const release = (): void => {
    if (!built) return;
    built.scanner.free();
    built.rules.free();
    built = null;
  };

  return {
    ruleCount,
    warnings,
    errors,
    loaded: good.map((s) => s.name),
    scan(bytes: Uint8Array): YaraMatch[] {
      if (disposed) throw new Error('YARA rules used after dispose()');
      stats.scans++;
      if (tried && !built) return [];
      if (pf && !pf.mayMatch(bytes)) return [];
      if (!tried) buildNow();
      if (!built) return [];
      if (sinceRecycle >= recycleAfter) {
        release();
        mod = newInstance();
        built = build(mod, good, timeoutMs).built;
        sinceRecycle = 0;
        stats.recycles++;
        if (!built) return [];
      }
      sinceRecycle++;
      stats.engineScans++;
      const res = (built as Built).scanner.scan(bytes) as Raw;
      return ((res['matches'] as Raw[] | undefined) ?? []).filter((m) => !m['isPrivate']).map(toMatch);
    },
    stats: () => ({ ...stats, ungatedRules: [...stats.ungatedRules], built: built !== null }),
    dispose(): void {
      release();
      mod = null;
      disposed = true;
    },
  };
}

/** Rule count by declaration (used when the pre-filter is off). */
function countRules(sources: YaraSource[]): number {
  let n = 0;
  for (const s of sources) n += buildPrefilter([s]).ruleCount;
  return n;
}

const RULE_FILE = /\.(yar|yara)$/i;

/**
 * Reads every `*.yar` / `*.yara` under `dir` (recursively; symlinks are not followed, so no loops), sorted,
 * named by their path relative to `dir` with `/` separators. Unreadable entries are skipped. Throws only
 * if `dir` itself cannot be listed.
 */
export function loadYaraDir(dir: string): YaraSource[] {
  const out: YaraSource[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 32) return;
    const names = readdirSync(d).sort();
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && RULE_FILE.test(n) && st.size <= MAX_SOURCE_BYTES) {
        try {
          out.push({ name: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
        } catch {
          /* unreadable: skipped */
        }
      }
    }
  };
  walk(dir, 0);
  return out;
}

/** The project's own rules (rules/yara), named `exhunt/<file>`. */
export function loadProjectYara(): YaraSource[] {
  return loadYaraDir(assetPath('rules/yara')).map((s) => ({ name: `exhunt/${s.name}`, text: s.text }));
}
