/**
 * Per-rule evaluation scratch space.
 *
 * A compiled rule reads each distinct record field ("slot") at most once per `match()` call and
 * lower-cases it at most once, however many selections test it. The cache is a generation counter
 * per slot, so starting a new record costs one increment and no allocation. `match()` is synchronous
 * and never re-entered, so one state object per compiled rule is safe (worker threads have their own
 * module instances).
 */
import type { EventRecord, FieldValue } from '../model/record.js';
import { readName } from './mappings.js';

export class SlotTable {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  /** Slot for a record field name (case-insensitive), `@virtual` field or `_raw`. */
  slot(name: string): number {
    const key = name.toLowerCase();
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(key, i);
    }
    return i;
  }
}

export class EvalState {
  record: EventRecord | undefined;
  private gen = 0;
  private readonly names: readonly string[];
  private readonly valGen: number[];
  private readonly lowGen: number[];
  private readonly vals: FieldValue[];
  private readonly strs: Array<string | undefined>;
  private readonly lows: Array<string | undefined>;

  constructor(table: SlotTable) {
    this.names = table.names;
    const n = table.names.length;
    this.valGen = new Array<number>(n).fill(0);
    this.lowGen = new Array<number>(n).fill(0);
    this.vals = new Array<FieldValue>(n).fill(undefined);
    this.strs = new Array<string | undefined>(n).fill(undefined);
    this.lows = new Array<string | undefined>(n).fill(undefined);
  }

  begin(record: EventRecord): void {
    this.record = record;
    this.gen++;
  }

  /** Release the record reference after a match so the state does not keep it alive. */
  end(): void {
    this.record = undefined;
  }

  value(i: number): FieldValue {
    if (this.valGen[i] !== this.gen) {
      const v = readName(this.record!, this.names[i]!);
      this.vals[i] = v;
      this.strs[i] = v === undefined || v === null ? undefined : typeof v === 'string' ? v : String(v);
      this.valGen[i] = this.gen;
    }
    return this.vals[i];
  }

  /** The value as a string; undefined when absent or null. */
  str(i: number): string | undefined {
    if (this.valGen[i] !== this.gen) this.value(i);
    return this.strs[i];
  }

  lower(i: number): string | undefined {
    if (this.lowGen[i] !== this.gen) {
      const s = this.str(i);
      this.lows[i] = s === undefined ? undefined : s.toLowerCase();
      this.lowGen[i] = this.gen;
    }
    return this.lows[i];
  }
}
