import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every data file (rules, knowledge bases) is read through here, so a packaged single executable can
 * later serve them from inside itself. The package root is found by walking up to package.json, which
 * works both from `src/` (ts) and `dist/src/` (js).
 */
let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('exhunt: cannot find the package root (package.json next to rules/)');
}

export function assetPath(rel: string): string {
  return resolve(packageRoot(), rel);
}

export function readAsset(rel: string): string {
  return readFileSync(assetPath(rel), 'utf8');
}
