import { DAY } from './format.js';
import type { Rng } from './prng.js';
import { CU19, type World } from './world.js';

/**
 * The OAB virtual directory's settings as a reset writes them to its file (what the ProxyLogon
 * CVE-2021-27065 drop looks like on disk), with the attacker's `externalUrl` inside.
 */
export function oabSettingsText(world: World, externalUrl: string, vdirGuid: string, t: number, rng: Rng): string {
  const h = world.host;
  const created = new Date(t - rng.range(200, 400) * DAY);
  const fmt = (d: Date): string => {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${d.getUTCHours() % 12 || 12}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
  };
  const props: [string, string][] = [
    ['Name', 'OAB (Default Web Site)'],
    ['PollInterval', '480'],
    ['OfflineAddressBooks', ''],
    ['RequireSSL', 'False'],
    ['BasicAuthentication', 'False'],
    ['WindowsAuthentication', 'True'],
    ['OAuthAuthentication', 'True'],
    ['MetabasePath', `IIS://${h.fqdn}/W3SVC/1/ROOT/OAB`],
    ['Path', `${h.installPath}FrontEnd\\HttpProxy\\OAB`],
    ['ExtendedProtectionTokenChecking', 'None'],
    ['ExtendedProtectionFlags', ''],
    ['ExtendedProtectionSPNList', ''],
    ['AdminDisplayVersion', `Version ${CU19.major}.${CU19.minor} (Build ${CU19.build}.${CU19.revision})`],
    ['Server', h.name],
    ['InternalUrl', `https://${h.fqdn}/OAB`],
    ['InternalAuthenticationMethods', '{WindowsIntegrated, OAuth}'],
    ['ExternalUrl', externalUrl],
    ['ExternalAuthenticationMethods', '{WindowsIntegrated, OAuth}'],
    ['AdminDisplayName', ''],
    ['ExchangeVersion', '0.10 (14.0.100.0)'],
    ['DistinguishedName', `CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN=${h.name},CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local`],
    ['Identity', `${h.name}\\OAB (Default Web Site)`],
    ['Guid', vdirGuid],
    ['ObjectCategory', `${h.domain}/Configuration/Schema/ms-Exch-OAB-Virtual-Directory`],
    ['ObjectClass', '{top, msExchVirtualDirectory, msExchOABVirtualDirectory}'],
    ['WhenChanged', fmt(new Date(t - 30_000))],
    ['WhenCreated', fmt(created)],
    ['WhenChangedUTC', fmt(new Date(t - 30_000))],
    ['WhenCreatedUTC', fmt(created)],
    ['OrganizationId', ''],
    ['Id', `${h.name}\\OAB (Default Web Site)`],
    ['OriginatingServer', `DC01.${h.domain}`],
    ['IsValid', 'True'],
    ['ObjectState', 'Unchanged'],
  ];
  const width = 32;
  return props.map(([k, v]) => `${k.padEnd(width)}: ${v}`.trimEnd()).join('\r\n') + '\r\n';
}
