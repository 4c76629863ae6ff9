import { SEVERITIES, type EvidenceWeight, type Severity } from '../../model/finding.js';
import { getFamily } from '../build/index.js';
import type { HashDb } from './hash-db.js';
import { looksRandom } from './names.js';
import { placeOf, VERSION_FOLDER, type Place } from './place.js';
import { pageLocation } from './compiled.js';
import type { ContentHit, FileContentResult } from './read-file.js';
import { webKnowledge } from './web-knowledge.js';

/** One reason a file is suspicious, from one detector. */
export interface Reason {
  /** Detector id: the finding's rule id when it is the strongest reason. */
  ruleId: string;
  severity: Severity;
  text: string;
  family?: string | null;
  cves?: string[];
}

export const RULE = {
  hash: 'exhunt.files.known-bad-hash',
  yara: 'exhunt.files.yara',
  campaignName: 'exhunt.files.campaign-name',
  aspnetClientPage: 'exhunt.files.aspnet-client-page',
  unshippedPage: 'exhunt.files.unshipped-page',
  compiled: 'exhunt.files.compiled-shell-page',
  window: 'exhunt.files.written-in-window',
} as const;

export function rank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** On equal severity, content evidence names the finding before place evidence. */
const PRIORITY: string[] = [RULE.hash, RULE.yara, RULE.compiled, RULE.campaignName, RULE.aspnetClientPage, RULE.unshippedPage];

/** Strongest reason first. */
export function byStrength(a: Reason, b: Reason): number {
  return rank(b.severity) - rank(a.severity) || PRIORITY.indexOf(a.ruleId) - PRIORITY.indexOf(b.ruleId);
}

function ext(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * Name and place: script pages where Exchange ships none, or names it does not ship in the sign-in folders,
 * campaign names, random-looking names. Quiet on everything Exchange and IIS ship (data/exchange-web-files.json).
 */
export function judgePlace(windowsPath: string, place: Place = placeOf(windowsPath)): Reason[] {
  const k = webKnowledge();
  if (place.id === 'web' || place.id === 'temp-aspnet') return [];
  const name = place.below[place.below.length - 1] ?? '';
  const label = k.labels.get(place.id) ?? place.id;
  const shipped = k.shipped.get(place.id) ?? new Set<string>();
  const isScript = k.scriptExtensions.has(ext(name));
  const direct = place.below.length === 1;
  if (direct && shipped.has(name)) return [];
  const out: Reason[] = [];
  const random = looksRandom(name);
  const randomNote = random ? ', with a random-looking name' : '';
  if (k.campaignNames.has(name)) {
    const posing = k.posingAs.get(name);
    out.push({
      ruleId: RULE.campaignName,
      severity: 'high',
      text: `file name used by the 2021 Exchange web-shell campaigns${posing ? ` (posing as Exchange's own ${posing})` : ''}, in ${label}`,
    });
  }
  if (!isScript) return out;
  switch (place.id) {
    case 'aspnet_client':
      out.push({ ruleId: RULE.aspnetClientPage, severity: 'high', text: `script page in ${label}, where Exchange and IIS put no pages (the ProxyLogon and ProxyShell drop folder)${randomNote}` });
      break;
    case 'owa-auth': {
      const sub = place.below.length > 1 ? place.below[0]! : '';
      if (sub && (VERSION_FOLDER.test(sub) || sub === 'current')) {
        out.push({ ruleId: RULE.unshippedPage, severity: 'high', text: `script page in the static resource folder ${label}\\${sub}, which holds only themes, scripts and images${randomNote}` });
      } else {
        out.push({ ruleId: RULE.unshippedPage, severity: random ? 'high' : 'medium', text: `script page that Exchange does not ship in ${label}${randomNote}` });
      }
      break;
    }
    case 'ecp-auth':
      out.push({ ruleId: RULE.unshippedPage, severity: random ? 'high' : 'medium', text: `script page that Exchange does not ship in ${label} (only TimeoutLogout.aspx belongs there)${randomNote}` });
      break;
    case 'oab':
      out.push({ ruleId: RULE.unshippedPage, severity: 'high', text: `script page in ${label}, which holds address-book files only${randomNote}` });
      break;
    case 'wwwroot':
      out.push({ ruleId: RULE.unshippedPage, severity: random ? 'high' : 'medium', text: `script page at the root of the default web site, where IIS and Exchange put none${randomNote}` });
      break;
  }
  return out;
}

function metaText(m: ContentHit['meta'], key: string): string | undefined {
  const v = m[key];
  return typeof v === 'string' && v ? v.slice(0, 300) : undefined;
}

/** Severity of a YARA match: the rule's own `severity`, else its `score` (signature-base 0–100), else high. */
export function yaraSeverity(hit: ContentHit): Severity {
  const s = metaText(hit.meta, 'severity')?.toLowerCase();
  if (s && (SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  const score = hit.meta['score'];
  if (typeof score === 'number' || (typeof score === 'string' && /^\d{1,3}$/.test(score))) {
    const n = Number(score);
    return n >= 90 ? 'critical' : n >= 70 ? 'high' : n >= 50 ? 'medium' : 'low';
  }
  return 'high';
}

export function judgeContent(content: FileContentResult, db: HashDb): Reason[] {
  const out: Reason[] = [];
  if (content.hashes) {
    const v = db.lookup(content.hashes);
    if (v) {
      out.push({
        ruleId: RULE.hash,
        severity: 'critical',
        text: `${v.type.toUpperCase()} ${v.hash} is a known-bad file: ${v.note} — ${v.sources.map((s) => (s.url ? `${s.name} <${s.url}>` : s.name)).join('; ')}`,
        family: v.family,
      });
    }
  }
  for (const hit of content.hits) {
    const desc = metaText(hit.meta, 'description');
    // Only an exploitation family decides a verdict; a malware family (`china-chopper`) is not one: such a
    // shell stays unclaimed and is linked to the exploitation before it (correlate/attribution.ts).
    const metaFamily = metaText(hit.meta, 'family')?.toLowerCase();
    const family = metaFamily && getFamily(metaFamily) ? metaFamily : null;
    const cve = metaText(hit.meta, 'cve');
    out.push({
      ruleId: RULE.yara,
      severity: yaraSeverity(hit),
      text: `YARA ${hit.namespace ? `${hit.namespace}:` : ''}${hit.rule}${desc ? ` — ${desc}` : ''}`,
      family,
      ...(cve ? { cves: cve.split(/[ ,]+/).filter((c) => /^CVE-\d{4}-\d+$/i.test(c)).map((c) => c.toUpperCase()) } : {}),
    });
  }
  if (content.compiledFrom) {
    for (const ref of content.compiledFrom) {
      const loc = pageLocation(ref);
      if (!loc) continue;
      const page = judgePlace(loc);
      const worst = page.sort(byStrength)[0];
      if (!worst) continue;
      out.push({ ruleId: RULE.compiled, severity: worst.severity, text: `ASP.NET compiled this from ${ref}: ${worst.text}` });
      break;
    }
  }
  return out;
}

/** The reasons' combined verdict: the strongest reason names the finding; weight and family follow it. */
export function combine(reasons: Reason[]): { ruleId: string; severity: Severity; evidence: EvidenceWeight; family: string | null; cves: string[] } | undefined {
  if (!reasons.length) return undefined;
  const sorted = [...reasons].sort(byStrength);
  const top = sorted[0]!;
  let severity = top.severity;
  // Two independent medium reasons (place and content) together are a shell, not a curiosity.
  const distinct = new Set(reasons.filter((r) => rank(r.severity) >= rank('medium')).map((r) => (r.ruleId === RULE.yara || r.ruleId === RULE.hash ? 'content' : 'place')));
  if (severity === 'medium' && distinct.size > 1) severity = 'high';
  const family = sorted.find((r) => r.family)?.family ?? null;
  const cves = [...new Set(reasons.flatMap((r) => r.cves ?? []))];
  return { ruleId: top.ruleId, severity, evidence: rank(severity) >= rank('high') ? 'success' : 'context', family, cves };
}
