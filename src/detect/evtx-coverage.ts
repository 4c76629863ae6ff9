/**
 * What the event logs read can and cannot show, beyond their time span (docs/output.md `coverage.processCreation`,
 * docs/verdicts.md):
 * - Process creation auditing is off by default (Security 4688 needs "Audit Process Creation", command
 *   lines a further policy; Sysmon is an add-on). With no 4688 / Sysmon 1 event in the logs read, the rules
 *   on started processes (web-shell commands, LSASS dumps by command line) could not fire: coverage says
 *   "not audited", never "clean".
 * - CVE-2021-26857 is in Unified Messaging, which Exchange 2019 (15.2.x) does not have: its event-log check
 *   does not apply there.
 */
import type { ReaderStats } from '../readers/types.js';

export interface ProcessCreationCoverage {
  /** `audited`: at least one 4688 / Sysmon 1 event; `not-audited`: event logs read, none of them. */
  status: 'audited' | 'not-audited';
  events: number;
  /** Event logs read (files). */
  eventLogs: number;
  firstTime?: string;
  lastTime?: string;
  note: string;
}

/** Collects the per-file event-log stats of one scan. */
export class EvtxCoverageTracker {
  private files = 0;
  private events = 0;
  private first?: number;
  private last?: number;
  private readonly channels = new Set<string>();

  add(stats: ReaderStats): void {
    const e = stats.evtx;
    if (!e) return;
    this.files++;
    if (e.channel) this.channels.add(e.channel.toLowerCase());
    this.events += e.processCreation;
    if (e.processFirst !== undefined && (this.first === undefined || e.processFirst < this.first)) this.first = e.processFirst;
    if (e.processLast !== undefined && (this.last === undefined || e.processLast > this.last)) this.last = e.processLast;
  }

  get eventLogs(): number {
    return this.files;
  }

  hasChannel(channel: string): boolean {
    return this.channels.has(channel.toLowerCase());
  }

  /** Undefined when no event log was read (nothing to say). */
  processCreation(): ProcessCreationCoverage | undefined {
    if (!this.files) return undefined;
    if (!this.events) {
      return {
        status: 'not-audited',
        events: 0,
        eventLogs: this.files,
        note:
          `process creation not audited: none of the ${this.files} event log(s) read has a process-creation event (Security 4688, Sysmon 1), ` +
          'so commands run by a web shell and LSASS dumps by command line cannot be seen — their absence is not "clean"',
      };
    }
    const out: ProcessCreationCoverage = { status: 'audited', events: this.events, eventLogs: this.files, note: '' };
    if (this.first !== undefined) out.firstTime = new Date(this.first).toISOString();
    if (this.last !== undefined) out.lastTime = new Date(this.last).toISOString();
    out.note = `process creation audited: ${this.events} process-creation event(s)${out.firstTime ? ` from ${out.firstTime} to ${out.lastTime}` : ''}`;
    return out;
  }
}

/** Exchange 2019 is major.minor 15.2. */
const isExchange2019 = (build: string): boolean => /^15\.0*2\./.test(build.trim());

/**
 * Reasons for the ProxyLogon verdict about the CVE-2021-26857 event-log check: not applicable on
 * Exchange 2019 (every build seen is 15.2.x: no Unified Messaging); could not run when event logs were
 * read but not the Application log. Empty when there is nothing to say.
 */
export function umCheckReasons(builds: ReadonlyArray<{ build: string }>, evtx: EvtxCoverageTracker): string[] {
  if (builds.length && builds.every((b) => isExchange2019(b.build))) {
    return [`CVE-2021-26857 check not applicable: Exchange 2019 (${builds[0]!.build}) has no Unified Messaging`];
  }
  if (evtx.eventLogs > 0 && !evtx.hasChannel('Application')) {
    return ['CVE-2021-26857 check could not run: the Application event log is not in the evidence'];
  }
  return [];
}
