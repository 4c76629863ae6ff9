import type { ScanResult } from '../../scan.js';
import { esc, fmtTime, safeId } from './escape.js';
import type { IncidentView } from './loose.js';

/**
 * Inline SVG charts: drawn from numbers we compute; the only evidence text in them is escaped, inside
 * <title> (the hover text) and <text> labels. Colours are presentation attributes, not style
 * attributes, so the page's CSP needs no 'unsafe-inline'.
 */

const W = 1000;
const LEFT = 170;
const RIGHT = 16;
const COLORS: Record<string, string> = { success: '#b71c1c', attempt: '#e65100', probe: '#1565c0', context: '#78909c' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

interface Scale {
  x: (t: number) => number;
  lo: number;
  hi: number;
}

function scale(lo: number, hi: number): Scale {
  if (hi <= lo) {
    lo -= HOUR;
    hi += HOUR;
  }
  const pad = (hi - lo) * 0.02;
  lo -= pad;
  hi += pad;
  return { lo, hi, x: (t) => LEFT + ((t - lo) / (hi - lo)) * (W - LEFT - RIGHT) };
}

/** Axis ticks at whole days (or hours for short spans), at most ~10 labels. */
function axis(s: Scale, top: number, bottom: number): string {
  const span = s.hi - s.lo;
  const steps = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
  const step = steps.find((st) => span / st <= 10) ?? 365 * DAY;
  const out: string[] = [];
  for (let t = Math.ceil(s.lo / step) * step; t <= s.hi; t += step) {
    const x = s.x(t).toFixed(1);
    const label = step >= DAY ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString().slice(5, 16).replace('T', ' ');
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#eceff1"/><text x="${x}" y="${bottom + 14}" text-anchor="middle">${esc(label)}</text>`);
  }
  return out.join('');
}

function label(s: string, max = 26): string {
  return esc(s.length > max ? `${s.slice(0, max - 1)}…` : s);
}

/**
 * The incident timeline: one lane per family (post-exploitation evidence has its own), a dot per
 * finding at its first hit, a line to its last, coloured by what it proves; incidents as bands.
 */
export function timelineSvg(r: ScanResult, incidents: IncidentView[], familyName: (id: string) => string): string {
  const dated = r.findings.filter((f) => ms(f.time) !== undefined);
  if (!dated.length) return '';
  // Bounded: a flood of low findings must not make a 50 MB page; the most severe are kept.
  const rank: Record<string, number> = { success: 0, attempt: 1, probe: 2, context: 3 };
  const shown = dated.length > 1500 ? [...dated].sort((a, b) => (rank[a.evidence] ?? 4) - (rank[b.evidence] ?? 4)).slice(0, 1500) : dated;
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of shown) {
    lo = Math.min(lo, ms(f.time)!);
    hi = Math.max(hi, ms(f.lastTime) ?? ms(f.time)!);
  }
  for (const i of incidents) {
    const a = ms(i.start);
    const b = ms(i.end);
    if (a !== undefined && b !== undefined && b - a < 400 * DAY) {
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
  }
  const s = scale(lo, hi);
  const lanes = [...new Set(shown.map((f) => f.family ?? ''))].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const laneH = 34;
  const top = 24;
  const bottom = top + lanes.length * laneH;
  const parts: string[] = [];
  parts.push(axis(s, top - 6, bottom));
  incidents.forEach((inc) => {
    const a = ms(inc.start);
    const b = ms(inc.end) ?? a;
    if (a === undefined || b === undefined) return;
    const x1 = Math.max(LEFT, s.x(a));
    const x2 = Math.min(W - RIGHT, Math.max(x1 + 2, s.x(b)));
    parts.push(
      `<rect x="${x1.toFixed(1)}" y="${top - 6}" width="${(x2 - x1).toFixed(1)}" height="${bottom - top + 6}" fill="#ffebee" stroke="#ef9a9a"><title>${esc(`Incident ${inc.id}: ${fmtTime(inc.start)} → ${fmtTime(inc.end)}`)}</title></rect>` +
        `<text x="${(x1 + 2).toFixed(1)}" y="${top - 10}" fill="#b71c1c">${label(`Incident ${inc.id}`, 20)}</text>`,
    );
  });
  lanes.forEach((lane, i) => {
    const y = top + i * laneH + laneH / 2;
    parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y}" y2="${y}" stroke="#cfd8dc" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${y + 4}" text-anchor="end">${label(lane ? familyName(lane) : 'post-exploitation')}</text>`);
  });
  for (const f of shown) {
    const i = lanes.indexOf(f.family ?? '');
    const y = top + i * laneH + laneH / 2 + (((f.id.charCodeAt(f.id.length - 1) || 0) % 3) - 1) * 6;
    const x1 = s.x(ms(f.time)!);
    const x2 = s.x(ms(f.lastTime) ?? ms(f.time)!);
    const c = COLORS[f.evidence] ?? COLORS['context']!;
    const rad = Math.min(8, 3 + Math.log10(Math.max(1, f.count)) * 2);
    const title = `${f.id} · ${fmtTime(f.time)}${f.lastTime && f.lastTime !== f.time ? ` → ${fmtTime(f.lastTime)}` : ''} · ${f.severity} · ${f.evidence}${f.count > 1 ? ` · ×${f.count}` : ''}\n${f.summary}`;
    const id = safeId(f.id);
    const mark =
      (x2 - x1 > 1 ? `<line x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="2"/>` : '') +
      `<circle cx="${x1.toFixed(1)}" cy="${y}" r="${rad.toFixed(1)}" fill="${c}" fill-opacity="0.85"><title>${esc(title, 600)}</title></circle>`;
    parts.push(id ? `<a href="#${id}">${mark}</a>` : mark);
  }
  const h = bottom + 24;
  return `<svg class="chart" viewBox="0 0 ${W} ${h}" role="img" aria-label="Timeline of findings" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/**
 * Log coverage: per source, the span its records cover (green) with gaps (red), against the
 * exploitation windows of the families judged (yellow band), so "no logs from then" is visible.
 */
export function coverageSvg(r: ScanResult, maxSources = 40): string {
  const sources = r.coverage.sources.filter((x) => ms(x.firstTime) !== undefined);
  if (!sources.length) return '';
  const shown = sources.length > maxSources ? [...sources].sort((a, b) => b.bytes - a.bytes).slice(0, maxSources).sort((a, b) => a.id.localeCompare(b.id)) : sources;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of shown) {
    lo = Math.min(lo, ms(x.firstTime)!);
    hi = Math.max(hi, ms(x.lastTime) ?? ms(x.firstTime)!);
  }
  const windows = Object.values(r.verdicts)
    .filter((v) => v.status !== 'not-applicable')
    .map((v) => [ms(v.window.start), ms(v.window.end)] as const)
    .filter((w): w is readonly [number, number] => w[0] !== undefined && w[1] !== undefined && w[1] >= w[0]);
  for (const [a, b] of windows) {
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  const s = scale(lo, hi);
  const rowH = 18;
  const top = 10;
  const bottom = top + shown.length * rowH;
  const parts: string[] = [];
  for (const [a, b] of windows) {
    parts.push(`<rect x="${s.x(a).toFixed(1)}" y="${top}" width="${Math.max(1, s.x(b) - s.x(a)).toFixed(1)}" height="${bottom - top}" fill="#fff3cd" fill-opacity="0.6"/>`);
  }
  parts.push(axis(s, top, bottom));
  shown.forEach((x, i) => {
    const y = top + i * rowH + rowH / 2;
    const a = ms(x.firstTime)!;
    const b = ms(x.lastTime) ?? a;
    parts.push(`<text x="${LEFT - 8}" y="${y + 4}" text-anchor="end">${label(x.id)}</text>`);
    parts.push(
      `<rect x="${s.x(a).toFixed(1)}" y="${y - 4}" width="${Math.max(1.5, s.x(b) - s.x(a)).toFixed(1)}" height="8" fill="#2e7d32"><title>${esc(`${x.id}: ${fmtTime(x.firstTime)} → ${fmtTime(x.lastTime)}, ${x.records} records`)}</title></rect>`,
    );
    for (const g of x.gaps.slice(0, 200)) {
      const ga = ms(g.start);
      const gb = ms(g.end);
      if (ga === undefined || gb === undefined) continue;
      parts.push(`<rect x="${s.x(ga).toFixed(1)}" y="${y - 5}" width="${Math.max(1.5, s.x(gb) - s.x(ga)).toFixed(1)}" height="10" fill="#b71c1c"><title>${esc(`gap ${fmtTime(g.start)} → ${fmtTime(g.end)} (${g.hours} h)`)}</title></rect>`);
    }
  });
  const h = bottom + 24;
  return `<svg class="chart" viewBox="0 0 ${W} ${h}" role="img" aria-label="Log coverage per source" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
