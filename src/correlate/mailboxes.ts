import type { Finding } from '../model/finding.js';
import { findingLastTime, findingTime, stageOf, type Stage } from './timeline.js';

/** One mailbox whose data the attacker reached, and how. */
export interface TouchedMailbox {
  mailbox: string;
  /** In words: "targeted in AnchorMailbox", "exported (New-MailboxExportRequest)", "read through EWS" … */
  how: string[];
  first?: string;
  last?: string;
  findingIds: string[];
}

const MAX_MAILBOX = 320;

/**
 * A mailbox identity as rules extract it (`SMTP:a@b`, `"a@b"`, `a@b:444`, an AnchorMailbox with a routing
 * prefix) → `a@b` lower-cased; undefined for values that are not a mailbox (ServerInfo~ anchors, paths).
 */
export function normaliseMailbox(raw: string): string | undefined {
  if (raw.length > MAX_MAILBOX + 16) return undefined;
  let s = raw.trim().replace(/^['"]+|['"]+$/g, '');
  if (!s || s.length > MAX_MAILBOX) return undefined;
  if (/^serverinfo~/i.test(s)) return undefined;
  s = s.replace(/^(smtp|smtpsid|sip|x500)[:~]/i, '');
  if (/^[a-z]+~/i.test(s)) s = s.slice(s.indexOf('~') + 1);
  // A trailing port or path (`a@host:444/…`) is a server, not a mailbox.
  if (/[/\\]/.test(s) || /:\d+$/.test(s)) return undefined;
  if (/[\s<>"]/.test(s)) return undefined;
  return s.toLowerCase();
}

function howFor(f: Finding, stage: Stage): string {
  if (stage === 'exfiltration' || stage === 'file-write') return `exported (${f.title})`;
  if (stage === 'mailbox-access') return `read by the attacker (${f.title})`;
  if (stage === 'exploit' || stage === 'probe') return `targeted by the exploit requests (${f.title})`;
  return f.title;
}

/** Every mailbox named by the findings of one incident, with how and when. */
export function touchedMailboxes(findings: Finding[]): TouchedMailbox[] {
  const byBox = new Map<string, TouchedMailbox>();
  for (const f of findings) {
    // Context findings here were tied to the incident by IP, shell or time: their mailboxes count too.
    const stage = stageOf(f);
    for (const raw of f.entities.mailboxes) {
      const m = normaliseMailbox(raw);
      if (!m) continue;
      let t = byBox.get(m);
      if (!t) byBox.set(m, (t = { mailbox: m, how: [], findingIds: [] }));
      const how = howFor(f, stage);
      if (!t.how.includes(how)) t.how.push(how);
      if (t.findingIds[t.findingIds.length - 1] !== f.id) t.findingIds.push(f.id); // findings come one at a time
      const a = findingTime(f);
      const b = findingLastTime(f);
      if (a && (!t.first || a < t.first)) t.first = a;
      if (b && (!t.last || b > t.last)) t.last = b;
    }
  }
  return [...byBox.values()].sort((a, b) => a.mailbox.localeCompare(b.mailbox));
}
