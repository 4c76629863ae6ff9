import { readFileSync, statSync } from 'node:fs';
import { readAsset } from '../../assets.js';
import { UsageError } from '../../model/errors.js';

export type HashType = 'md5' | 'sha1' | 'sha256';

/** Why a hash is known bad: its sources' names and URLs, and the family whose exploitation dropped the file. */
export interface HashVerdict {
  hash: string;
  type: HashType;
  note: string;
  sources: Array<{ name: string; url?: string }>;
  family: string | null;
}

interface ProjectFile {
  sources: Record<string, { name: string; url: string; family: string | null }>;
  hashes: Array<{ hash: string; type: HashType; sources: string[]; note: string }>;
}

const HEX = /^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$/;

/** Known-bad hashes: the project's list (data/known-bad-hashes.json) plus users' lists. Plain data, cloneable to workers. */
export class HashDb {
  readonly byHash = new Map<string, HashVerdict>();

  get size(): number {
    return this.byHash.size;
  }

  static project(): HashDb {
    const db = new HashDb();
    const f = JSON.parse(readAsset('data/known-bad-hashes.json')) as ProjectFile;
    for (const h of f.hashes) {
      const sources = h.sources.map((id) => f.sources[id]).filter((s): s is NonNullable<typeof s> => !!s);
      db.byHash.set(h.hash.toLowerCase(), {
        hash: h.hash.toLowerCase(),
        type: h.type,
        note: h.note,
        sources: sources.map((s) => ({ name: s.name, url: s.url })),
        family: sources.find((s) => s.family)?.family ?? null,
      });
    }
    return db;
  }

  /**
   * Add a user's list: one hash per line, or CSV/`;`-separated lines whose first hash-looking cell is the hash
   * and the next cell (if any) its description. `#` lines are comments. Returns how many were added and the
   * lines that held no hash (counted, not fatal: lists from other tools carry headers).
   */
  addList(text: string, listName: string): { added: number; ignored: number } {
    let added = 0;
    let ignored = 0;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      if (line.length > 4096) {
        ignored++;
        continue;
      }
      const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ''));
      const i = cells.findIndex((c) => HEX.test(c));
      if (i < 0) {
        ignored++;
        continue;
      }
      const hash = cells[i]!.toLowerCase();
      const note = cells.slice(i + 1).find((c) => c && !HEX.test(c)) ?? cells.slice(0, i).find((c) => c) ?? '';
      const type: HashType = hash.length === 32 ? 'md5' : hash.length === 40 ? 'sha1' : 'sha256';
      const cur = this.byHash.get(hash);
      const source = { name: `user list ${listName}` };
      if (cur) cur.sources.push(source);
      else this.byHash.set(hash, { hash, type, note: note.slice(0, 200), sources: [source], family: null });
      added++;
    }
    return { added, ignored };
  }

  addFile(path: string): { added: number; ignored: number } {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(`--hashes: cannot read ${path}: ${(err as Error).message}`);
    }
    const r = this.addList(text, path);
    if (!r.added) throw new UsageError(`--hashes: no MD5, SHA-1 or SHA-256 hash found in ${path}`);
    return r;
  }

  lookup(hashes: { md5?: string; sha1?: string; sha256?: string }): HashVerdict | undefined {
    for (const h of [hashes.sha256, hashes.sha1, hashes.md5]) {
      if (!h) continue;
      const v = this.byHash.get(h);
      if (v) return v;
    }
    return undefined;
  }
}

/**
 * Checked before the (long) log hunt: the project's known-bad hashes plus users' lists (`--hashes FILE`), and
 * users' YARA folders exist. Throws UsageError on an unreadable list or a missing folder.
 */
export function prepareFileScan(hashFiles: string[], yaraDirs: string[]): HashDb {
  for (const dir of yaraDirs) {
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--yara: not a folder: ${dir}`);
  }
  const db = HashDb.project();
  for (const f of hashFiles) db.addFile(f);
  return db;
}
