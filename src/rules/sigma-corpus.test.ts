/**
 * Runs the engine over SigmaHQ's rule packs, when the shared corpus is present next to the project
 * (`../shared/corpora/sigma`). Nothing from the corpus is copied here: records are built by hand from
 * what the named rules look for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRuleSet, type RuleSet } from './ruleset.js';
import { makeRecord } from './testing.js';
import { prefilterAccepts } from './prefilter.js';
import type { EventRecord } from '../model/record.js';
import type { CompiledRule } from './types.js';

const CORPUS = resolve(process.cwd(), '..', 'shared', 'corpora', 'sigma');
const present = existsSync(CORPUS);

/** An IIS W3C line (default field set) as a record; raw is the space-joined line as IIS writes it. */
function iis(f: { method: string; stem: string; query?: string; status?: number; ua?: string; user?: string }): EventRecord {
  const fields = {
    date: '2021-03-03',
    time: '01:02:03',
    's-ip': '10.0.0.5',
    'cs-method': f.method,
    'cs-uri-stem': f.stem,
    'cs-uri-query': f.query ?? '-',
    's-port': '443',
    'cs-username': f.user ?? '-',
    'c-ip': '203.0.113.24',
    'cs(User-Agent)': f.ua ?? 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36',
    'cs(Referer)': '-',
    'sc-status': String(f.status ?? 200),
    'sc-substatus': '0',
    'sc-win32-status': '0',
    'time-taken': '15',
  };
  return makeRecord(fields);
}

const BENIGN_OWA = [
  iis({ method: 'GET', stem: '/owa/', status: 302 }),
  iis({ method: 'POST', stem: '/owa/auth.owa', status: 302 }),
  iis({ method: 'GET', stem: '/owa/auth/15.2.792/themes/resources/favicon.ico', status: 200 }),
  iis({ method: 'POST', stem: '/owa/service.svc', query: 'action=GetFolder&app=Mail', status: 200, user: 'user@example.com' }),
  iis({ method: 'GET', stem: '/ecp/default.aspx', status: 200, user: 'EXAMPLE\\admin' }),
];

type Loaded = { sets: Array<{ dir: string; rs: RuleSet }>; byFile: Map<string, CompiledRule> };
let loaded: Promise<Loaded> | undefined;
/** Both tests share one load of the corpus. */
function loadAll(): Promise<Loaded> {
  loaded ??= loadCorpus();
  return loaded;
}

async function loadCorpus(): Promise<Loaded> {
  const sets: Array<{ dir: string; rs: RuleSet }> = [];
  const byFile = new Map<string, CompiledRule>();
  for (const dir of readdirSync(CORPUS).filter((d) => d.startsWith('rules')).sort()) {
    const rs = await loadRuleSet(join(CORPUS, dir));
    sets.push({ dir, rs });
    for (const r of rs.rules) byFile.set(`${dir}/${r.file}`, r);
  }
  return { sets, byFile };
}

test('SigmaHQ corpus: at least 95% of the rules compile; the rest are reported with reasons', async (t) => {
  if (!present) {
    t.skip('corpus ../shared/corpora/sigma not present');
    return;
  }
  const { sets } = await loadAll();
  let ok = 0;
  let bad = 0;
  let noPrefilter = 0;
  const reasons = new Map<string, number>();
  for (const { dir, rs } of sets) {
    ok += rs.rules.length;
    bad += rs.issues.length;
    noPrefilter += rs.rules.filter((r) => r.prefilter === null).length;
    t.diagnostic(`${dir}: ${rs.rules.length} compiled, ${rs.issues.length} issues`);
    for (const i of rs.issues) {
      t.diagnostic(`  ${dir}/${i.file}${i.ruleId ? ` [${i.ruleId}]` : ''}: ${i.message}`);
      const key = i.message.replace(/'[^']*'/g, "'…'").replace(/\/.*\//, '/…/').slice(0, 80);
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
  }
  const total = ok + bad;
  t.diagnostic(`total: ${ok}/${total} compiled (${((100 * ok) / total).toFixed(1)}%), ${noPrefilter} without a literal pre-filter`);
  for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1])) t.diagnostic(`  ${n} × ${k}`);
  assert.ok(total > 0, 'no rules found in the corpus');
  assert.ok(ok / total >= 0.95, `only ${ok}/${total} rules compiled`);
});

test('SigmaHQ Exchange webserver rules match hand-built attack records and not benign OWA traffic', async (t) => {
  if (!present) {
    t.skip('corpus ../shared/corpora/sigma not present');
    return;
  }
  const { byFile } = await loadAll();
  const cases: Array<{ file: string; attack: EventRecord[] }> = [
    {
      // HAFNIUM: POSTs to OWA theme resources; POSTs to ECP JavaScript.
      file: 'rules-emerging-threats/2021/TA/HAFNIUM/web_exchange_exploitation_hafnium.yml',
      attack: [
        iis({ method: 'POST', stem: '/owa/auth/Current/themes/resources/logon.css', status: 200 }),
        iis({ method: 'POST', stem: '/ecp/y.js', status: 200 }),
      ],
    },
    {
      // ProxyShell: autodiscover.json with an email-address path confusion, answered 401.
      file: 'rules-emerging-threats/2021/Exploits/ProxyShell-Exploit/web_exchange_proxyshell.yml',
      attack: [
        iis({ method: 'GET', stem: '/autodiscover/autodiscover.json', query: '@foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@foo.com', status: 401 }),
        iis({ method: 'POST', stem: '/autodiscover/autodiscover.json', query: '@evil.com/powershell/?X-Rps-CAT=VgEA', status: 401 }),
      ],
    },
    {
      // OWASSRF: POST to OWA reaching the PowerShell endpoint with an email address, 200.
      file: 'rules-emerging-threats/2022/Exploits/CVE-2022-41082/web_cve_2022_36804_exchange_owassrf_exploitation.yml',
      attack: [
        iis({ method: 'POST', stem: '/owa/mastermailbox@outlook.com/powershell', query: 'X-Rps-CAT=VgEA', status: 200, ua: 'python-requests/2.28.1' }),
      ],
    },
    {
      // ProxyToken: ECP inbox-rule creation with a SecurityToken, answered 500.
      file: 'rules-emerging-threats/2021/Exploits/CVE-2021-33766/web_cve_2021_33766_msexchange_proxytoken.yml',
      attack: [
        iis({ method: 'POST', stem: '/ecp/victim@example.com/RulesEditor/InboxRules.svc/NewObject', query: 'msExchEcpCanary=x&SecurityToken=abc', status: 500 }),
      ],
    },
  ];
  for (const c of cases) {
    const rule = byFile.get(c.file);
    if (!rule) {
      t.diagnostic(`rule file ${c.file} not in this corpus copy; case skipped`);
      continue;
    }
    assert.deepEqual(rule.logsource, { category: 'webserver' }, c.file);
    for (const rec of c.attack) {
      assert.ok(rule.match(rec), `${c.file} should match ${rec.raw}`);
      assert.ok(prefilterAccepts(rule.prefilter, rec.raw), `${c.file}: pre-filter rejects a matching record`);
    }
    for (const rec of BENIGN_OWA) assert.equal(rule.match(rec), null, `${c.file} should not match benign ${rec.raw}`);
  }
});
