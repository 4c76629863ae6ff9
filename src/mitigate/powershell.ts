import { MITIGATIONS, type FamilyMitigation, type MitigatableFamily, type RewriteRule } from './rules.js';

/**
 * Plain PowerShell (Windows PowerShell 5.1 compatible, ASCII only: 5.1 reads a BOM-less file as the ANSI code page)
 * that applies a family's interim mitigation and records, before each change, the command that undoes it — the new
 * EOMT's saved-state design (exchange-facts.md §1b.6). The rollback script replays that list backwards.
 */

/** PowerShell single-quoted literal (PowerShell also ends such strings at the typographic single quotes). */
export function psq(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** The saved-state file the apply script writes and the rollback script reads. */
export function statePathExpr(family: MitigatableFamily): string {
  return `(Join-Path $env:WINDIR ${psq(`System32\\inetsrv\\config\\exhunt-restore-${family}.json`)})`;
}

/** Commands the rollback script may run from the saved state; anything else in the file stops it before any change. */
export const RESTORE_CMDLETS = [
  'Clear-WebConfiguration',
  'Add-WebConfigurationProperty',
  'Set-WebConfigurationProperty',
  'Set-Service',
  'Start-Service',
  'Set-ItemProperty',
  'Start-WebAppPool',
] as const;

const PROXYLOGON_PARTS = ['BackendCookie', 'UnifiedMessaging', 'EcpAppPool', 'OabAppPool'] as const;

const COMMON_PRELUDE = String.raw`Set-StrictMode -Version 2
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script from an elevated PowerShell (Run as Administrator).'
}
Import-Module WebAdministration
$site = "IIS:\Sites\$WebSiteName"
if (-not (Test-Path -LiteralPath $site)) { throw "IIS site '$WebSiteName' not found." }`;

const STATE_FUNCTIONS = String.raw`# Saved state: before each change, the command that undoes it is appended to $StatePath (written after every
# step, so a run that stops half-way can still be rolled back). A second run keeps the first run's file: it holds
# the state from before any change.
$script:KeepOriginal = Test-Path -LiteralPath $StatePath
$script:Restore = New-Object System.Collections.ArrayList
if ($script:KeepOriginal) {
    Write-Warning "A saved state already exists at $StatePath; it is kept (it holds the state before the first run)."
}
function Add-RestoreStep {
    param([string]$Cmdlet, [hashtable]$Parameters)
    [void]$script:Restore.Add([ordered]@{ Cmdlet = $Cmdlet; Parameters = $Parameters })
    if (-not $script:KeepOriginal) {
        ConvertTo-Json -InputObject @($script:Restore) -Depth 6 | Set-Content -LiteralPath $StatePath -Encoding UTF8
    }
}`;

const RULE_FUNCTIONS = String.raw`$RulesFilter = 'system.webServer/rewrite/rules'
function Assert-UrlRewrite {
    if (-not (Get-WebGlobalModule -Name 'RewriteModule' -ErrorAction SilentlyContinue)) {
        throw 'The IIS URL Rewrite module is not installed. Install URL Rewrite 2.1 (7.2.1993 or later) from Microsoft, then run this script again.'
    }
}
function Get-RuleAttribute {
    param([string]$Filter, [string]$Name)
    $v = Get-WebConfigurationProperty -PSPath $site -Filter $Filter -Name $Name
    if ($null -ne $v -and $v.PSObject.Properties['Value']) { return $v.Value }
    return $v
}
# A rule with the same name is removed first (as Microsoft's scripts do); its definition is recorded so the rollback
# re-creates it. Recorded last-part-first: the rollback replays backwards, so the rule is added before its parts.
function Save-ExistingRule {
    param([string]$Name)
    $ruleFilter = "$RulesFilter/rule[@name='$Name']"
    if (-not (Get-WebConfiguration -PSPath $site -Filter $ruleFilter)) { return }
    Add-RestoreStep 'Set-WebConfigurationProperty' @{ PSPath = $site; Filter = "$ruleFilter/action"; Name = 'type'; Value = [string](Get-RuleAttribute "$ruleFilter/action" 'type') }
    foreach ($c in @(Get-WebConfiguration -PSPath $site -Filter "$ruleFilter/conditions/add")) {
        Add-RestoreStep 'Add-WebConfigurationProperty' @{ PSPath = $site; Filter = "$ruleFilter/conditions"; Name = '.'; Value = @{ input = [string]$c.input; pattern = [string]$c.pattern; matchType = [string]$c.matchType; ignoreCase = [bool]$c.ignoreCase; negate = [bool]$c.negate } }
    }
    Add-RestoreStep 'Set-WebConfigurationProperty' @{ PSPath = $site; Filter = "$ruleFilter/match"; Name = 'url'; Value = [string](Get-RuleAttribute "$ruleFilter/match" 'url') }
    Add-RestoreStep 'Add-WebConfigurationProperty' @{ PSPath = $site; Filter = $RulesFilter; Name = '.'; Value = @{ name = $Name; patternSyntax = [string](Get-RuleAttribute $ruleFilter 'patternSyntax'); stopProcessing = [bool](Get-RuleAttribute $ruleFilter 'stopProcessing'); enabled = [bool](Get-RuleAttribute $ruleFilter 'enabled') } }
    Clear-WebConfiguration -PSPath $site -Filter $ruleFilter
    Write-Host "Replaced the existing rule '$Name' (its definition is in the saved state)."
}`;

const SERVICE_FUNCTIONS = String.raw`$setupKey = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\ExchangeServer\v15\Setup' -ErrorAction SilentlyContinue
$owaVersion = if ($setupKey -and $setupKey.PSObject.Properties['OwaVersion']) { [string]$setupKey.OwaVersion } else { '' }
function Stop-AndDisableService {
    param([string]$Name)
    $svc = Get-CimInstance -ClassName Win32_Service -Filter "Name='$Name'"
    if (-not $svc) { Write-Warning "Service $Name not found; skipped."; return }
    $mode = switch ($svc.StartMode) { 'Auto' { 'Automatic' } 'Disabled' { 'Disabled' } default { 'Manual' } }
    if ($svc.State -eq 'Running') { Add-RestoreStep 'Start-Service' @{ Name = $Name } }
    Add-RestoreStep 'Set-Service' @{ Name = $Name; StartupType = $mode }
    Stop-Service -Name $Name -Force
    Set-Service -Name $Name -StartupType Disabled
    Write-Host "Stopped and disabled $Name (was $($svc.State), start mode $mode)."
}
# Health monitoring would restart what the mitigation stops: MSExchangeHM, and MSExchangeHMRecovery on 2016/2019.
$script:HmStopped = $false
function Stop-HealthMonitoring {
    if ($script:HmStopped) { return }
    Stop-AndDisableService 'MSExchangeHM'
    if ($owaVersion -notlike '15.0.*') { Stop-AndDisableService 'MSExchangeHMRecovery' }
    $script:HmStopped = $true
}
function Stop-ExchangeAppPool {
    param([string]$Pool)
    $path = "IIS:\AppPools\$Pool"
    if (-not (Test-Path -LiteralPath $path)) { Write-Warning "Application pool $Pool not found; skipped."; return }
    Stop-HealthMonitoring
    $item = Get-Item -LiteralPath $path
    $state = (Get-WebAppPoolState -Name $Pool).Value
    if ($state -eq 'Started') { Add-RestoreStep 'Start-WebAppPool' @{ Name = $Pool } }
    Add-RestoreStep 'Set-ItemProperty' @{ Path = $path; Name = 'autoStart'; Value = [bool]$item.autoStart }
    Add-RestoreStep 'Set-ItemProperty' @{ Path = $path; Name = 'startMode'; Value = [string]$item.startMode }
    Set-ItemProperty -LiteralPath $path -Name 'startMode' -Value 'OnDemand'
    Set-ItemProperty -LiteralPath $path -Name 'autoStart' -Value $false
    if ($state -ne 'Stopped') { Stop-WebAppPool -Name $Pool }
    Write-Host "Stopped $Pool (startMode OnDemand, autoStart off). Its virtual directory now answers HTTP 503: expected."
}`;

function ruleBlock(r: RewriteRule, i: number, n: number): string[] {
  const filter = `system.webServer/rewrite/rules/rule[@name='${r.name}']`;
  const c = r.conditions[0]!;
  const lines = [
    `# Rule ${i + 1} of ${n}: ${r.name}`,
    `Save-ExistingRule -Name ${psq(r.name)}`,
    `Add-WebConfigurationProperty -PSPath $site -Filter $RulesFilter -Name '.' -Value @{ name = ${psq(r.name)}; patternSyntax = 'Regular Expressions'; stopProcessing = ${r.stopProcessing ? '$true' : '$false'} }`,
    `Add-RestoreStep 'Clear-WebConfiguration' @{ PSPath = $site; Filter = ${psq(filter)} }`,
    `Set-WebConfigurationProperty -PSPath $site -Filter ${psq(`${filter}/match`)} -Name 'url' -Value ${psq(r.matchUrl)}`,
  ];
  for (const cond of r.conditions) {
    lines.push(
      `Add-WebConfigurationProperty -PSPath $site -Filter ${psq(`${filter}/conditions`)} -Name '.' -Value @{ input = ${psq(cond.input)}; matchType = '0'; pattern = ${psq(cond.pattern)}; ignoreCase = ${cond.ignoreCase ? '$true' : '$false'}; negate = ${cond.negate ? '$true' : '$false'} }`,
    );
  }
  lines.push(`Set-WebConfigurationProperty -PSPath $site -Filter ${psq(`${filter}/action`)} -Name 'type' -Value ${psq(r.action)}`);
  lines.push(`Write-Host ${psq(`Applied URL Rewrite rule '${r.name}' (${c.input} matches ${c.pattern} -> ${r.action}).`)}`);
  return lines;
}

function header(m: FamilyMitigation, kind: 'apply' | 'rollback', extra: string[]): string {
  const what = kind === 'apply' ? `Applies the interim ${m.name} mitigation` : `Rolls back the interim ${m.name} mitigation applied by exhunt-mitigate-${m.family}.ps1`;
  return [
    '#Requires -Version 3',
    '<#',
    '.SYNOPSIS',
    `    ${what} (${m.cves.join(', ')}).`,
    '.DESCRIPTION',
    `    Generated by exhunt. The changes are those of ${m.origin}.`,
    ...extra.map((l) => `    ${l}`),
    '    A mitigation is not a fix: install the security update that fixes these CVEs (exhunt build <version> names it),',
    '    then roll the mitigation back. Installing a cumulative update removes URL Rewrite rules: re-apply after a CU if',
    '    the server is still not on a fixed build.',
    `    Saved state: ${kind === 'apply' ? 'written to' : 'read from'} $StatePath (default %WINDIR%\\System32\\inetsrv\\config\\exhunt-restore-${m.family}.json).`,
    '#>',
  ].join('\n');
}

/** The apply script for a family. */
export function applyScript(family: MitigatableFamily): string {
  const m = MITIGATIONS[family];
  const isPl = family === 'proxylogon';
  const extra = isPl
    ? [
        '-Mitigations picks the changes (default BackendCookie, what EOMT applies):',
        '  BackendCookie     the two URL Rewrite rules on the site (CVE-2021-26855)',
        '  UnifiedMessaging  stop and disable MSExchangeUM and MSExchangeUMCR (CVE-2021-26857; Exchange 2013/2016 only)',
        '  EcpAppPool        stop MSExchangeECPAppPool (CVE-2021-27065; ECP then answers HTTP 503)',
        '  OabAppPool        stop MSExchangeOABAppPool (CVE-2021-26858; OAB downloads stop)',
        'The service and app-pool changes also stop and disable health monitoring (MSExchangeHM, MSExchangeHMRecovery).',
      ]
    : ['Adds one URL Rewrite rule on the site that aborts requests whose decoded URI names both autodiscover and powershell.', 'It does not stop OWASSRF (CVE-2022-41080), which reaches PowerShell through OWA.'];
  const params = [
    '[CmdletBinding()]',
    'param(',
    "    [string]$WebSiteName = 'Default Web Site',",
    ...(isPl ? [`    [ValidateSet(${PROXYLOGON_PARTS.map(psq).join(', ')})]`, "    [string[]]$Mitigations = @('BackendCookie'),"] : []),
    `    [string]$StatePath = ${statePathExpr(family)}`,
    ')',
  ];
  const body: string[] = [];
  const rules = m.rules.flatMap((r, i) => [...ruleBlock(r, i, m.rules.length), '']);
  if (isPl) {
    body.push("if ($Mitigations -contains 'BackendCookie') {", '    Assert-UrlRewrite', ...rules.map((l) => (l ? `    ${l}` : l)).slice(0, -1), '}', '');
    body.push(
      "if ($Mitigations -contains 'UnifiedMessaging') {",
      "    if ($owaVersion -notmatch '^15\\.[01]\\.') {",
      "        Write-Host 'Unified Messaging does not exist on this Exchange version: UnifiedMessaging skipped.'",
      '    } else {',
      '        Stop-HealthMonitoring',
      "        Stop-AndDisableService 'MSExchangeUM'",
      "        Stop-AndDisableService 'MSExchangeUMCR'",
      '    }',
      '}',
      "if ($Mitigations -contains 'EcpAppPool') { Stop-ExchangeAppPool 'MSExchangeECPAppPool' }",
      "if ($Mitigations -contains 'OabAppPool') { Stop-ExchangeAppPool 'MSExchangeOABAppPool' }",
      '',
    );
  } else {
    body.push('Assert-UrlRewrite', ...rules);
  }
  body.push(
    `Write-Host ${psq(`${m.name} mitigation applied. Saved state:`)} $StatePath`,
    `Write-Host ${psq(`Not a fix: install the security update, then run exhunt-rollback-${family}.ps1.`)}`,
  );
  return [header(m, 'apply', extra), ...params, COMMON_PRELUDE, '', STATE_FUNCTIONS, '', RULE_FUNCTIONS, '', ...(isPl ? [SERVICE_FUNCTIONS, ''] : []), ...body].join('\n') + '\n';
}

/** The rollback script: replays the saved restore commands backwards, each checked against an allow-list first. */
export function rollbackScript(family: MitigatableFamily): string {
  const m = MITIGATIONS[family];
  const params = ['[CmdletBinding()]', 'param(', "    [string]$WebSiteName = 'Default Web Site',", `    [string]$StatePath = ${statePathExpr(family)}`, ')'];
  const body = String.raw`if (-not (Test-Path -LiteralPath $StatePath)) {
    throw "No saved state at ${'$'}{StatePath}: nothing to roll back (after a rollback the file is renamed to .bak)."
}
$allowed = @(${RESTORE_CMDLETS.map(psq).join(', ')})
# Windows PowerShell 5.1 emits a parsed JSON array as one object: the foreach statement enumerates it either way.
$parsed = ConvertFrom-Json -InputObject (Get-Content -LiteralPath $StatePath -Raw)
$steps = @(foreach ($x in $parsed) { $x })
# Every step is checked before any runs: a damaged or edited file changes nothing.
foreach ($s in $steps) {
    if ($allowed -notcontains [string]$s.Cmdlet) { throw "The saved state holds '$($s.Cmdlet)', which is not a restore command; nothing was changed." }
}
function ConvertTo-Hashtable {
    param($Object)
    $h = @{}
    foreach ($p in $Object.PSObject.Properties) {
        $v = $p.Value
        if ($v -is [System.Management.Automation.PSCustomObject]) { $v = ConvertTo-Hashtable $v }
        $h[$p.Name] = $v
    }
    return $h
}
$failed = 0
for ($i = $steps.Count - 1; $i -ge 0; $i--) {
    $s = $steps[$i]
    $params = ConvertTo-Hashtable $s.Parameters
    try {
        & ([string]$s.Cmdlet) @params
        Write-Host "restored: $($s.Cmdlet) $($params['Filter']) $($params['Name'])"
    } catch {
        $failed++
        Write-Warning "step $($i + 1) ($($s.Cmdlet)) failed: $($_.Exception.Message)"
    }
}
# Microsoft's rollback also removes the rules section when no rule is left in it.
if (-not (Get-WebConfiguration -PSPath $site -Filter 'system.webServer/rewrite/rules/rule' -Recurse)) {
    try { Clear-WebConfiguration -PSPath $site -Filter 'system.webServer/rewrite/rules' } catch { Write-Verbose $_.Exception.Message }
}
if ($failed -eq 0) {
    Move-Item -LiteralPath $StatePath -Destination "$StatePath.bak" -Force
    Write-Host "${m.name} mitigation rolled back; the saved state is now $StatePath.bak"
} else {
    Write-Warning "$failed step(s) failed; the saved state is kept at $StatePath. Fix the cause and run this script again."
}`;
  const extra = ['Replays, last first, the restore commands the apply script recorded, after checking each against an allow-list.'];
  return [header(m, 'rollback', extra), ...params, COMMON_PRELUDE, '', body].join('\n') + '\n';
}
