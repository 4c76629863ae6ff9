import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `root`, relative and `/`-separated, sorted. */
export async function walkTree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walkTree(root, r)));
    else out.push(r);
  }
  return out.sort();
}

/** SHA-256 over every file's path, bytes and mtime: equal hashes mean byte-identical trees. */
export async function hashTree(root: string): Promise<{ hash: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for (const f of await walkTree(root)) {
    const p = join(root, f);
    const data = await readFile(p);
    bytes += data.length;
    h.update(f).update('\0').update(data).update(String((await stat(p)).mtimeMs)).update('\0');
  }
  return { hash: h.digest('hex'), bytes };
}
