import { compileYara, loadProjectYara, loadYaraDir, type YaraMatch, type YaraSource } from '../yara/engine.js';
import type { ContentHit, ContentScanner } from './read-file.js';

/** Which YARA rules to scan with: the project's own and users' packs (`--yara DIR`). Plain data for workers. */
export interface YaraSpec {
  project: boolean;
  dirs: string[];
}

export interface CompiledContent {
  scanner: ContentScanner | undefined;
  ruleCount: number;
  warnings: string[];
  errors: string[];
  dispose(): void;
}

function toHit(m: YaraMatch): ContentHit {
  // The project's rules speak for themselves; a user pack's rule is named with its file.
  return { rule: m.rule, ...(m.namespace.startsWith('exhunt/') ? {} : { namespace: m.namespace }), tags: m.tags, meta: m.meta };
}

/**
 * Load and compile the rules once (per worker thread). Never throws for bad rules: a folder that cannot be
 * read or a rule file that does not compile is an error line, and the rest is used.
 */
export function compileContent(spec: YaraSpec): CompiledContent {
  const sources: YaraSource[] = [];
  const errors: string[] = [];
  if (spec.project) {
    try {
      sources.push(...loadProjectYara());
    } catch (err) {
      errors.push(`the project's YARA rules cannot be read: ${(err as Error).message}`);
    }
  }
  for (const dir of spec.dirs) {
    try {
      const found = loadYaraDir(dir);
      if (!found.length) errors.push(`--yara ${dir}: no .yar or .yara files`);
      // One namespace per user folder and file: `pack/file.yar`.
      sources.push(...found.map((s) => ({ name: `${dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? dir}/${s.name}`, text: s.text })));
    } catch (err) {
      errors.push(`--yara ${dir}: cannot be read: ${(err as Error).message}`);
    }
  }
  if (!sources.length) return { scanner: undefined, ruleCount: 0, warnings: [], errors, dispose: () => {} };
  // Only the project's own rules (tested to compile): built on the first file that may match, so a clean tree skips it.
  const rules = compileYara(sources, { deferBuild: spec.dirs.length === 0 });
  return {
    scanner: { scan: (bytes) => rules.scan(bytes).map(toHit) },
    ruleCount: rules.ruleCount,
    warnings: rules.warnings,
    errors: [...errors, ...rules.errors.map((e) => `YARA rule file skipped: ${e.split('\n')[0]}`)],
    dispose: () => rules.dispose(),
  };
}
