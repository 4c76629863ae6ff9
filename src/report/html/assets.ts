import { createHash } from 'node:crypto';

/**
 * The report's only style sheet and script. Both are constants, allowed by their hash in the page's
 * Content-Security-Policy: nothing from the evidence is ever placed inside them, and no inline style
 * attribute or event handler is used anywhere (CSP would block them, which is the point).
 */
export const CSS = `
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d8dee4;--bg:#fff;--panel:#f6f8fa;--red:#b71c1c;--orange:#e65100;--amber:#f9a825;--green:#2e7d32;--purple:#6a1b9a;--blue:#1565c0;--grey:#78909c}
*{box-sizing:border-box}
html{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0 auto;max-width:1280px;padding:16px 24px 48px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted)}
.mono,code,td.ev{font-family:ui-monospace,SFMono-Regular,Consolas,"Liberation Mono",monospace;font-size:12.5px}
td.ev,.ev{overflow-wrap:anywhere;word-break:break-word;unicode-bidi:isolate}
td.ev{min-width:16ch;max-width:44ch}
.tlp{display:inline-block;font-weight:700;padding:2px 8px;border-radius:3px;background:#000;margin-left:8px;font-size:13px;vertical-align:middle}
.tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber,.tlp-amber-strict{color:#ffc000}.tlp-red{color:#ff2b2b}
.banner{padding:8px 12px;border-radius:4px;margin:8px 0;background:var(--panel);border-left:4px solid var(--grey)}
.banner.warn{border-left-color:var(--orange)}.banner.bad{border-left-color:var(--red)}
.verdicts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--panel)}
.card h3{margin:0 0 4px;display:flex;justify-content:space-between;align-items:center;gap:8px}
.card ul{margin:4px 0 0 18px;padding:0}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;background:var(--grey);white-space:nowrap}
.s-compromised{background:var(--red)}.s-attempted{background:var(--orange)}.s-inconclusive{background:var(--purple)}.s-clean{background:var(--green)}.s-not-applicable{background:var(--grey)}
.x-vulnerable{background:var(--orange)}.x-fixed,.x-not-affected,.x-done,.x-applied,.x-enabled,.x-present{background:var(--green)}.x-unknown,.x-not-checked{background:var(--grey)}.x-not-done,.x-missing,.x-absent,.x-disabled{background:var(--red)}.x-partial{background:var(--amber);color:#000}
.x-mitigated{background:var(--green)}.x-not-mitigated{background:var(--red)}.x-conflicting-or-disabled{background:var(--amber);color:#000}.x-not-applicable{background:var(--grey)}
.card{overflow-wrap:anywhere}
.sev{font-weight:700;font-size:12px}.sev-critical{color:#7f0000}.sev-high{color:var(--red)}.sev-medium{color:var(--orange)}.sev-low{color:var(--blue)}.sev-info{color:var(--grey)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;position:sticky;top:0}
td.n,th.n{text-align:right;white-space:nowrap}
td.t{white-space:nowrap}
details summary{cursor:pointer;color:var(--blue)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
ol.steps li{margin:4px 0}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0;padding:8px;background:var(--panel);border-radius:4px}
.filters label{display:flex;gap:6px;align-items:center}
.filters input[type=search]{min-width:260px}
svg.chart{width:100%;height:auto;border:1px solid var(--line);border-radius:4px;background:#fff}
svg.chart text{font:11px system-ui,sans-serif;fill:#37474f}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
.l-success{background:var(--red)}.l-attempt{background:var(--orange)}.l-probe{background:var(--blue)}.l-context{background:var(--grey)}.l-gap{background:var(--red);border-radius:0}.l-cover{background:var(--green);border-radius:0}.l-window{background:#fff3cd;border:1px solid var(--amber);border-radius:0}
tr:target{background:#fff8e1}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{.filters{display:none}th{position:static}body{max-width:none}}
`;

export const JS = `(function () {
  var d = document;
  d.documentElement.setAttribute('data-js', 'on');
  var box = d.getElementById('filters');
  var table = d.getElementById('findings');
  if (!box || !table) return;
  box.hidden = false;
  box.addEventListener('submit', function (e) { e.preventDefault(); });
  var sev = d.getElementById('f-sev'), fam = d.getElementById('f-fam'), txt = d.getElementById('f-text'), cnt = d.getElementById('f-count');
  var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
  function apply() {
    var min = Number(sev.value || 0), f = fam.value, q = txt.value.toLowerCase(), n = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = Number(r.getAttribute('data-sevn')) >= min && (!f || r.getAttribute('data-fam') === f) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    }
    cnt.textContent = n + ' of ' + rows.length + ' shown';
  }
  sev.addEventListener('change', apply);
  fam.addEventListener('change', apply);
  txt.addEventListener('input', apply);
  apply();
})();
`;

export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load: no fetch, frame, font, form target or base URL. Only the two blocks above run or
 * apply, and images only from data: URLs (none are used; the chart is inline SVG).
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(CSS)}`,
    `script-src ${cspHash(JS)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
