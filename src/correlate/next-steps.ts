import type { ScanResult } from '../scan.js';

/**
 * What to do next, in CISA's order (image, IOC check, update, mitigate, respond), chosen from the
 * verdicts and the findings. Plain sentences: this text reaches administrators and counsel.
 */
export function nextSteps(r: ScanResult): string[] {
  const steps: string[] = [];
  const statuses = Object.values(r.verdicts).map((v) => v.status);
  const compromised = statuses.includes('compromised');
  const attempted = statuses.includes('attempted');
  const inconclusive = statuses.includes('inconclusive');
  const has = (id: string) => r.findings.some((f) => f.ruleId === id);
  const paths = new Set(r.findings.flatMap((f) => (f.evidence === 'success' ? f.entities.paths : [])));

  if (compromised || attempted) {
    steps.push('Preserve the evidence before changing anything: image the server or collect its logs and web folders with hashes.');
  }
  if (compromised) {
    steps.push('Treat the server as compromised: isolate it from the internet, and look for the attacker in the rest of the network (the server ran code as SYSTEM).');
    if (paths.size) steps.push(`Examine, then remove the files the attacker wrote or used: ${[...paths].slice(0, 5).join(', ')}${paths.size > 5 ? ' …' : ''}.`);
    if (has('exhunt.files.lsass-dump')) steps.push('LSASS memory was dumped: reset the passwords of every account that logged on to the server, including service and domain admin accounts, and the krbtgt account twice.');
    else steps.push('Reset the credentials of accounts that used the server; look for LSASS dumps and new accounts.');
  }
  if (attempted && !compromised) {
    steps.push('Exploitation was attempted: check the web folders for shells (aspnet_client, owa\\auth, ecp\\auth, OAB) and the event logs for w3wp.exe starting cmd.exe or powershell.exe.');
  }
  if (inconclusive) {
    steps.push('Some verdicts are inconclusive because logs do not cover the exploitation window: gather older IIS logs (they are kept unless purged), backups or SIEM copies, and scan again.');
  }
  const builds = r.host.exchange.builds;
  if (builds.length) {
    steps.push(`Update: the logs show build ${builds[builds.length - 1]!.build}; install the latest Cumulative Update and Security Update (exhunt build <version> tells which fixes a build has).`);
  } else {
    steps.push('Update Exchange to the latest Cumulative Update and Security Update; until then apply Microsoft\'s interim mitigations (EOMT).');
  }
  if (!compromised && !attempted && !inconclusive) steps.push('No exploitation seen in the logs that cover the exploitation windows; keep the logs, and keep the server updated.');
  return steps;
}
