/**
 * The URL Rewrite rules Microsoft's mitigation scripts write, as data (exchange-facts.md §1b.2, §1b.5). The generator
 * and the verifier (`src/detect/config/`) both read these, so what we write is what we check.
 */

export interface RewriteCondition {
  input: string;
  pattern: string;
  /** 0 = Pattern (the only kind the scripts use). */
  matchType: 'Pattern';
  ignoreCase: boolean;
  negate: boolean;
}

export interface RewriteRule {
  name: string;
  /** IIS UI name "Regular Expressions" = config value `ECMAScript`. */
  patternSyntax: 'ECMAScript';
  stopProcessing: boolean;
  matchUrl: string;
  conditions: RewriteCondition[];
  action: 'AbortRequest';
}

export type MitigatableFamily = 'proxylogon' | 'proxynotshell';

export interface FamilyMitigation {
  family: MitigatableFamily;
  name: string;
  /** The CVE the rewrite rule blocks (the one the new EOMT's `-CVE` names). */
  cve: string;
  cves: string[];
  /** Where the scripts apply the rules: `IIS:\Sites\<site>`, section system.webServer/rewrite/rules. */
  site: string;
  rules: RewriteRule[];
  /** Which Microsoft scripts write these (for the script header). */
  origin: string;
  /** Action types HealthChecker accepts as valid for this rule (§1b.7 accepts CustomResponse for ProxyNotShell). */
  acceptedActions: string[];
}

const cookie = (pattern: string): RewriteCondition => ({ input: '{HTTP_COOKIE}', pattern, matchType: 'Pattern', ignoreCase: true, negate: false });

export const MITIGATIONS: Record<MitigatableFamily, FamilyMitigation> = {
  proxylogon: {
    family: 'proxylogon',
    name: 'ProxyLogon',
    cve: 'CVE-2021-26855',
    cves: ['CVE-2021-26855', 'CVE-2021-26857', 'CVE-2021-26858', 'CVE-2021-27065'],
    site: 'Default Web Site',
    origin: "Microsoft's ExchangeMitigations.ps1 (BackendCookieMitigation, UnifiedMessagingMitigation, ECPAppPoolMitigation, OABAppPoolMitigation) and EOMT.ps1 (the two rules)",
    acceptedActions: ['AbortRequest'],
    rules: [
      {
        name: 'X-AnonResource-Backend Abort - inbound',
        patternSyntax: 'ECMAScript',
        stopProcessing: false,
        matchUrl: '.*',
        conditions: [cookie('(.*)X-AnonResource-Backend(.*)')],
        action: 'AbortRequest',
      },
      {
        name: 'X-BEResource Abort - inbound',
        patternSyntax: 'ECMAScript',
        stopProcessing: true,
        matchUrl: '.*',
        conditions: [cookie('(.*)X-BEResource=(.+)/(.+)~(.+)')],
        action: 'AbortRequest',
      },
    ],
  },
  proxynotshell: {
    family: 'proxynotshell',
    name: 'ProxyNotShell',
    cve: 'CVE-2022-41040',
    cves: ['CVE-2022-41040', 'CVE-2022-41082'],
    site: 'Default Web Site',
    origin: "Microsoft's EOMTv2.ps1 and the new EOMT.ps1 -CVE CVE-2022-41040 (the same rule Exchange's Emergency Mitigation service applies)",
    acceptedActions: ['AbortRequest', 'CustomResponse'],
    rules: [
      {
        name: 'PowerShell - inbound',
        patternSyntax: 'ECMAScript',
        stopProcessing: true,
        matchUrl: '.*',
        conditions: [{ input: '{UrlDecode:{REQUEST_URI}}', pattern: '(?=.*autodiscover)(?=.*powershell)', matchType: 'Pattern', ignoreCase: true, negate: false }],
        action: 'AbortRequest',
      },
    ],
  },
};

/** Why a family has no URL Rewrite mitigation, and what to do instead (exchange-facts.md §1b.9). */
export const NO_REWRITE_MITIGATION: Record<'proxyshell' | 'owassrf', string[]> = {
  proxyshell: [
    'ProxyShell (CVE-2021-34473, CVE-2021-34523, CVE-2021-31207) has no URL Rewrite mitigation: Microsoft published no rule and no script, and EOMT (March 2021) does not protect against it.',
    'Instead: install the May 2021 security update (KB5003435) or later on a supported CU (2013 CU23, 2016 CU19/CU20, 2019 CU8/CU9), or move to 2016 CU21 / 2019 CU10 or later, which include the fixes.',
    'Until then: do not expose the server to the internet (publish it only through a pre-authenticating reverse proxy or VPN), then hunt for web shells and autodiscover.json@ requests (exhunt scan).',
  ],
  owassrf: [
    'OWASSRF (CVE-2022-41080 with CVE-2022-41082) has no URL Rewrite mitigation: it reaches PowerShell through OWA (/owa/mastermail), which the ProxyNotShell autodiscover rule does not match — OWASSRF was the bypass of that rule.',
    'Instead: install the November 2022 security update (KB5019758) or later (2013 CU23, 2016 CU22/CU23, 2019 CU11/CU12), or a later CU that includes it.',
    'Until then: if OWA is not needed from the internet, stop publishing it; restricting remote PowerShell to administrators (Microsoft\'s advice for ProxyNotShell) also limits CVE-2022-41082.',
  ],
};
