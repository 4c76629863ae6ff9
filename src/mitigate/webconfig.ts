import { MITIGATIONS, type MitigatableFamily } from './rules.js';

/** XML attribute value escaping (the rule texts are ours, but escaping keeps the fragment valid whatever they hold). */
export function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The `web.config` fragment the apply script produces in the Default Web Site's web.config
 * (`%SystemDrive%\inetpub\wwwroot\web.config`), for admins who edit the file or compare it by eye.
 */
export function webConfigFragment(family: MitigatableFamily): string {
  const m = MITIGATIONS[family];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- exhunt: ${m.name} (${m.cve}) URL Rewrite ${m.rules.length > 1 ? 'rules' : 'rule'} exactly as Microsoft's mitigation scripts write ${m.rules.length > 1 ? 'them' : 'it'} -->`,
    `<!-- into the "${m.site}" site's web.config (%SystemDrive%\\inetpub\\wwwroot\\web.config). Merge the <rule> elements into -->`,
    '<!-- an existing <rules> element; keep them ahead of any rule that could stop processing first. Not a fix. -->',
    '<configuration>',
    '  <system.webServer>',
    '    <rewrite>',
    '      <rules>',
  ];
  for (const r of m.rules) {
    out.push(`        <rule name="${xmlAttr(r.name)}" patternSyntax="${r.patternSyntax}" stopProcessing="${r.stopProcessing}">`);
    out.push(`          <match url="${xmlAttr(r.matchUrl)}" />`);
    out.push('          <conditions>');
    for (const c of r.conditions) {
      out.push(`            <add input="${xmlAttr(c.input)}" matchType="${c.matchType}" pattern="${xmlAttr(c.pattern)}" ignoreCase="${c.ignoreCase}" negate="${c.negate}" />`);
    }
    out.push('          </conditions>');
    out.push(`          <action type="${r.action}" />`);
    out.push('        </rule>');
  }
  out.push('      </rules>', '    </rewrite>', '  </system.webServer>', '</configuration>');
  return out.join('\n') + '\n';
}
