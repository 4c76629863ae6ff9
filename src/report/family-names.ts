/** Short display names of the exploitation families (reports); ids not listed print as they are. */
const FAMILY_NAMES: Record<string, string> = {
  proxylogon: 'ProxyLogon',
  proxyshell: 'ProxyShell',
  proxynotshell: 'ProxyNotShell',
  owassrf: 'OWASSRF',
  proxytoken: 'ProxyToken',
  'ecp-viewstate': 'ECP ViewState',
};

export function familyName(id: string): string {
  return FAMILY_NAMES[id] ?? id;
}
