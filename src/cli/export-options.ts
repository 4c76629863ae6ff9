import { UsageError } from '../model/errors.js';
import { parseTlp } from '../report/tlp.js';

/** The export options of `scan` and `report` (--html, --stix, --ecs, --tlp, --redact). */
export interface ExportOptions {
  html?: string;
  stix?: string;
  tlp?: string;
  ecs?: string;
  redact?: boolean;
}

/** Check the export options before any long work, so a typo in --tlp fails at once. */
export function checkExportOptions(o: ExportOptions): void {
  if (o.tlp !== undefined) parseTlp(o.tlp);
  if (o.tlp !== undefined && !o.stix && !o.html) throw new UsageError('--tlp needs --stix or --html');
  if (o.redact && !o.stix && !o.html && !o.ecs) throw new UsageError('--redact applies to --html, --stix and --ecs: give at least one');
}
