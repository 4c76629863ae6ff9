import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { assetPath } from '../assets.js';
import { mitigationPackage, NoMitigationError, MITIGATIONS, RESTORE_CMDLETS } from './index.js';
import { runMitigate } from '../cli/commands/mitigate.js';

const GOLDEN = assetPath('test/golden/mitigate');
// UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing).
const update = process.env['UPDATE_GOLDEN'] === '1';

for (const family of ['proxylogon', 'proxynotshell']) {
  test(`${family}: generated files match the golden text`, () => {
    const p = mitigationPackage(family);
    assert.equal(p.files.length, 3);
    for (const f of p.files) {
      const path = join(GOLDEN, family, f.name);
      if (update) {
        mkdirSync(join(GOLDEN, family), { recursive: true });
        writeFileSync(path, f.content);
      }
      assert.ok(existsSync(path), `golden file missing: ${path} (run with UPDATE_GOLDEN=1)`);
      assert.equal(f.content, readFileSync(path, 'utf8'), `${f.name} differs from its golden file`);
    }
  });
}

/**
 * No PowerShell parser exists on npm: this lexes enough of the language (comments, block comments, single- and
 * double-quoted strings with their escapes) to prove every bracket, brace and parenthesis is balanced.
 */
function balanced(src: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  let line = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\n') line++;
    if (c === '<' && src[i + 1] === '#') {
      const end = src.indexOf('#>', i + 2);
      if (end < 0) return `unclosed block comment at line ${line}`;
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      i--;
    } else if (c === "'") {
      let j = i + 1;
      for (;;) {
        if (j >= src.length) return `unclosed ' string at line ${line}`;
        if (src[j] === "'" && src[j + 1] === "'") j += 2;
        else if (src[j] === "'") break;
        else j++;
      }
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let depth = 0;
      for (;;) {
        if (j >= src.length) return `unclosed " string at line ${line}`;
        if (src[j] === '`') j += 2;
        else if (src[j] === '$' && src[j + 1] === '(') {
          depth++;
          j += 2;
        } else if (src[j] === ')' && depth > 0) {
          depth--;
          j++;
        } else if (src[j] === '"' && depth === 0) break;
        else j++;
      }
      i = j;
    } else if (c === '(' || c === '{' || c === '[') stack.push(c);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== pairs[c]) return `unbalanced ${c} at line ${line}`;
    }
  }
  return stack.length ? `unclosed ${stack.join('')}` : undefined;
}

test('scripts are ASCII, balanced, name the exact rules, and the rollback allows only restore commands', () => {
  for (const family of ['proxylogon', 'proxynotshell'] as const) {
    const p = mitigationPackage(family);
    const [apply, rollback, xml] = p.files.map((f) => f.content) as [string, string, string];
    for (const s of [apply, rollback, xml]) assert.ok(/^[\x09\x0a\x20-\x7e]*$/.test(s), 'ASCII only (PowerShell 5.1 reads BOM-less files as ANSI)');
    // `"$name:"` is a drive-qualified variable to PowerShell (a parse error): `${name}:` is required.
    for (const script of [apply, rollback]) assert.deepEqual(script.match(/\$(?!env:|script:)[A-Za-z_]\w*:(?![A-Za-z_])/g), null);
    assert.equal(balanced(apply), undefined);
    assert.equal(balanced(rollback), undefined);
    for (const r of MITIGATIONS[family].rules) {
      assert.ok(apply.includes(`name = '${r.name}'`));
      assert.ok(apply.includes(`pattern = '${r.conditions[0]!.pattern}'`));
      assert.ok(apply.includes(`input = '${r.conditions[0]!.input}'`));
    }
    // Each rule is recorded for removal right after it is added: the saved state can always undo it.
    assert.ok(apply.indexOf("Add-RestoreStep 'Clear-WebConfiguration'") > apply.indexOf('Add-WebConfigurationProperty -PSPath $site -Filter $RulesFilter'));
    assert.ok(rollback.includes('-notcontains [string]$s.Cmdlet'));
    for (const c of RESTORE_CMDLETS) assert.ok(rollback.includes(`'${c}'`));
    assert.ok(!rollback.includes('Invoke-Expression'));
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'rule' }).parse(xml);
    const rules = doc.configuration['system.webServer'].rewrite.rules.rule as Array<Record<string, unknown>>;
    assert.deepEqual(rules.map((r) => r['@name']), MITIGATIONS[family].rules.map((r) => r.name));
  }
  assert.equal(balanced('if ($a) { "x $(1)" '), 'unclosed {', 'the checker itself catches an open brace');
});

test('ProxyLogon script covers the UM services, both app pools and health monitoring; ProxyNotShell only its rule', () => {
  const pl = mitigationPackage('proxylogon').files[0]!.content;
  for (const s of ['MSExchangeUM', 'MSExchangeUMCR', 'MSExchangeECPAppPool', 'MSExchangeOABAppPool', 'MSExchangeHM', 'MSExchangeHMRecovery', "startMode' -Value 'OnDemand'"]) assert.ok(pl.includes(s), s);
  const pns = mitigationPackage('ProxyNotShell').files[0]!.content;
  assert.ok(!pns.includes('MSExchangeUM'));
  assert.ok(pns.includes("'{UrlDecode:{REQUEST_URI}}'"));
});

test('ProxyShell and OWASSRF: no rewrite mitigation, advice instead; unknown ids refused', () => {
  for (const f of ['proxyshell', 'owassrf']) {
    assert.throws(
      () => mitigationPackage(f),
      (e: unknown) => e instanceof NoMitigationError && e.code === 'E_NO_MITIGATION' && e.advice.some((a) => /security update/i.test(a)),
    );
  }
  assert.throws(() => mitigationPackage('nope'), NoMitigationError);
});

test('CLI: --out writes three files, refuses to overwrite without --force, exit 2 for ProxyShell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-mitigate-'));
  try {
    let out = '';
    let err = '';
    const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
    assert.equal(runMitigate({ family: 'proxynotshell', out: dir }, io), 0);
    assert.deepEqual(readdirSync(dir).sort(), ['exhunt-mitigate-proxynotshell.ps1', 'exhunt-proxynotshell-web.config.xml', 'exhunt-rollback-proxynotshell.ps1']);
    assert.match(out, /not a fix/i);
    assert.equal(runMitigate({ family: 'proxynotshell', out: dir }, io), 2);
    assert.match(err, /--force/);
    assert.equal(runMitigate({ family: 'proxynotshell', out: dir, force: true }, io), 0);
    err = '';
    assert.equal(runMitigate({ family: 'proxyshell' }, io), 2);
    assert.match(err, /no URL Rewrite mitigation exists for ProxyShell/);
    assert.match(err, /KB5003435/);
    assert.equal(runMitigate({}, io), 2);
    out = '';
    assert.equal(runMitigate({ family: 'proxylogon' }, io), 0);
    assert.match(out, /===== exhunt-rollback-proxylogon\.ps1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
