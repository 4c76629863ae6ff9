import { writeFile } from 'node:fs/promises';
import type { ScanResult } from '../scan.js';

/** The JSON result is the output contract (docs/output.md); `schema` names its version. */
export const RESULT_SCHEMA = 'exhunt.scan-result/1';

export function resultJson(r: ScanResult): string {
  return `${JSON.stringify({ schema: RESULT_SCHEMA, ...r }, null, 2)}\n`;
}

export async function writeResultJson(r: ScanResult, file: string): Promise<void> {
  await writeFile(file, resultJson(r), 'utf8');
}
