import type { Finding } from '../model/finding.js';
import type { Verdict } from './verdicts.js';

/**
 * Post-exploitation evidence carries no CVE (a shell request, an LSASS dump). It proves compromise of
 * whichever family was being exploited before it: a family with exploit attempts whose first attempt
 * precedes the artefact becomes `compromised`, and the reason says the link is by time order.
 */
export function attributeUnclaimed(findings: Finding[], verdicts: Record<string, Verdict>): void {
  const unclaimed = findings.filter((f) => !f.family && f.evidence === 'success');
  if (!unclaimed.length) return;
  for (const [family, v] of Object.entries(verdicts)) {
    if (v.status !== 'attempted') continue;
    const attempts = findings.filter((f) => f.family === family && f.evidence === 'attempt' && f.time);
    const firstAttempt = attempts.map((f) => f.time!).sort()[0];
    if (!firstAttempt) continue;
    // Files without a time (inventory) are linked as well: their presence after attempts is the point.
    const after = unclaimed.filter((f) => !f.time || f.time >= firstAttempt);
    if (!after.length) continue;
    v.status = 'compromised';
    // The attempt-only sentence no longer holds once a shell or dump is linked.
    v.reasons = v.reasons.filter((r) => !r.startsWith('no file write, shell use'));
    v.reasons.unshift(
      `post-exploitation evidence after the first ${family} exploit request (${firstAttempt}): ${after
        .map((f) => `${f.title}${f.count > 1 ? ` (×${f.count})` : ''}`)
        .join('; ')} — linked by time order`,
    );
    v.findingIds = [...new Set([...after.map((f) => f.id), ...v.findingIds])];
  }
}

/** Context findings with `raiseWith: <family>` become high when that family shows exploitation. */
export function applyRaises(findings: Finding[], verdicts: Record<string, Verdict>): void {
  for (const f of findings) {
    const fam = f.raiseWith;
    if (!fam) continue;
    const v = verdicts[fam];
    if (v && (v.status === 'compromised' || v.status === 'attempted')) {
      f.severity = 'high';
      f.summary = `${f.summary} — raised: ${fam} ${v.status}`;
      if (!v.findingIds.includes(f.id)) v.findingIds.push(f.id);
    }
  }
}
