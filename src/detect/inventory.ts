import type { EventRecord } from '../model/record.js';
import type { EvidenceSource, EntryInfo } from '../evidence/source.js';

/**
 * Files in the places where attackers leave artefacts (`C:\root`, `Windows\Temp`, `ProgramData`) become
 * records of log source `product: exhunt, category: file`, so the same rule engine judges them.
 */
export class FileRecord implements EventRecord {
  private readonly values: Map<string, string>;
  readonly raw: string;

  constructor(readonly entry: EntryInfo, windowsPath: string) {
    const name = entry.name;
    const dot = name.lastIndexOf('.');
    const dir = windowsPath.slice(0, windowsPath.lastIndexOf('\\'));
    const fields: Array<[string, string]> = [
      ['TargetFilename', windowsPath],
      ['FileName', name],
      ['Extension', dot > 0 ? name.slice(dot).toLowerCase() : ''],
      ['Directory', dir],
      ['Size', String(entry.size)],
      ['Modified', new Date(entry.mtimeMs).toISOString()],
      ['Created', entry.birthtimeMs > 0 ? new Date(entry.birthtimeMs).toISOString() : ''],
    ];
    this.values = new Map(fields.map(([k, v]) => [k.toLowerCase(), v]));
    this._names = fields.map(([k]) => k);
    this.raw = windowsPath;
  }

  private readonly _names: string[];

  get(field: string): string | undefined {
    return this.values.get(field.toLowerCase());
  }

  fieldNames(): readonly string[] {
    return this._names;
  }
}

export interface InventoryRoot {
  rel: string;
  windowsPrefix: string;
}

/** Walk the inventory roots (bounded; symlinks never followed) and yield one record per file. */
export async function* inventory(
  src: EvidenceSource,
  roots: InventoryRoot[],
  onSkip: (rel: string, reason: string) => void,
  maxEntries = 500_000,
): AsyncGenerator<FileRecord> {
  for (const root of roots) {
    for await (const e of src.walk(root.rel, { maxDepth: 24, maxEntries, onSkip })) {
      const tail = e.rel.slice(root.rel.length).split('/').filter(Boolean).join('\\');
      yield new FileRecord(e, tail ? `${root.windowsPrefix}\\${tail}` : root.windowsPrefix);
    }
  }
}
