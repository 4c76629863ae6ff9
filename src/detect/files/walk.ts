import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A folder to scan: where it is on disk, and how Windows named it (for places and output). */
export interface WebRoot {
  /** Path relative to the evidence root, `/`-separated. */
  rel: string;
  /** The folder as Windows names it (`C:\inetpub\wwwroot`). */
  windowsPrefix: string;
  /** Why it is scanned (`IIS virtual directory /owa`, `Temporary ASP.NET Files`). */
  why: string;
  /** A folder with no Windows layout: only files that can be web pages or their artefacts are read. */
  bare?: boolean;
}

export interface WalkedFile {
  /** Absolute path as bytes: names that are not valid UTF-8 still open. */
  abs: Buffer;
  /** Display path relative to the evidence root (invalid bytes shown as `\xNN`). */
  rel: string;
  windowsPath: string;
  name: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  /** The name's bytes were not valid UTF-8. */
  badName?: boolean;
}

export interface WalkSkip {
  path: string;
  reason: string;
  kind: 'symlink' | 'special' | 'unreadable' | 'limit';
}

export interface WalkOptions {
  maxDepth?: number;
  maxFiles?: number;
}

const SEP = Buffer.from('/');
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A name for people: UTF-8 when valid, else printable ASCII with every other byte as `\xNN`. */
export function displayName(name: Buffer): { text: string; bad: boolean } {
  try {
    return { text: decoder.decode(name), bad: false };
  } catch {
    let s = '';
    for (const b of name) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return { text: s, bad: true };
  }
}

/**
 * Walk the roots depth-first, yielding regular files. Symlinks and junctions are never followed (no loops,
 * no escape from the evidence); FIFOs, sockets and devices are skipped; a folder reached twice (nested roots,
 * bind mounts) is walked once. Every skip is reported. Bounded in depth and file count.
 */
export function* walkRoots(evidenceRoot: string, roots: WebRoot[], onSkip: (s: WalkSkip) => void, opts: WalkOptions = {}): Generator<WalkedFile & { root: WebRoot }> {
  const maxDepth = opts.maxDepth ?? 40;
  const maxFiles = opts.maxFiles ?? 2_000_000;
  const seenDirs = new Set<string>();
  let files = 0;
  for (const root of roots) {
    const rootAbs = Buffer.from(root.rel ? join(evidenceRoot, ...root.rel.split('/')) : evidenceRoot);
    const stack: Array<{ abs: Buffer; rel: string; win: string; depth: number }> = [{ abs: rootAbs, rel: root.rel, win: root.windowsPrefix, depth: 0 }];
    while (stack.length) {
      const dir = stack.pop()!;
      let st;
      try {
        st = lstatSync(dir.abs);
      } catch {
        onSkip({ path: dir.rel, reason: 'folder cannot be read', kind: 'unreadable' });
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (seenDirs.has(key)) continue;
      seenDirs.add(key);
      let entries;
      try {
        entries = readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' });
      } catch (err) {
        onSkip({ path: dir.rel, reason: `folder cannot be listed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, kind: 'unreadable' });
        continue;
      }
      // Sorted by bytes: the same tree gives the same order (and the same findings) on every run.
      entries.sort((a, b) => Buffer.compare(a.name, b.name));
      const subdirs: typeof stack = [];
      for (const e of entries) {
        const abs = Buffer.concat([dir.abs, SEP, e.name]);
        const { text, bad } = displayName(e.name);
        const rel = dir.rel ? `${dir.rel}/${text}` : text;
        const win = dir.win ? `${dir.win}\\${text}` : text;
        let s;
        try {
          s = lstatSync(abs);
        } catch (err) {
          onSkip({ path: rel, reason: `cannot stat: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, kind: 'unreadable' });
          continue;
        }
        if (s.isSymbolicLink()) {
          onSkip({ path: rel, reason: 'symlink or junction (not followed)', kind: 'symlink' });
        } else if (s.isDirectory()) {
          if (dir.depth + 1 > maxDepth) onSkip({ path: rel, reason: `deeper than ${maxDepth} levels (not walked)`, kind: 'limit' });
          else subdirs.push({ abs, rel, win, depth: dir.depth + 1 });
        } else if (s.isFile()) {
          if (++files > maxFiles) {
            onSkip({ path: rel, reason: `file scan stopped after ${maxFiles} files`, kind: 'limit' });
            return;
          }
          yield {
            abs, rel, windowsPath: win, name: text, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, birthtimeMs: s.birthtimeMs,
            ...(bad ? { badName: true } : {}), root,
          };
        } else {
          const what = s.isFIFO() ? 'named pipe (FIFO)' : s.isSocket() ? 'socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'device file' : 'special file';
          onSkip({ path: rel, reason: `${what} (skipped)`, kind: 'special' });
        }
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }
}
