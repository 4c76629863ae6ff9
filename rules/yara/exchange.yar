/*
 * exhunt — Exchange-specific web-shell drops (ProxyLogon, ProxyShell), written from public descriptions.
 * Plain text on purpose: rules are reviewed and diffed like code (see docs/webshells.md, "Encoding at rest").
 */

rule EXHUNT_ProxyLogon_OAB_VirtualDirectory_Drop
{
    meta:
        description = "OAB virtual directory settings written out as a file with a script in a URL property (CVE-2021-27065 file write)"
        technique = "T1505.003 web shell via Set/Reset-OabVirtualDirectory ExternalUrl export"
        severity = "critical"
        family = "proxylogon"
        cve = "CVE-2021-27065"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
    strings:
        $p1 = "InternalAuthenticationMethods" ascii wide
        $p2 = "ExternalAuthenticationMethods" ascii wide
        $p3 = "ExtendedProtectionTokenChecking" ascii wide
        $p4 = "ExtendedProtectionSPNList" ascii wide
        $p5 = "OfflineAddressBooks" ascii wide
        $p6 = "RequireSSL" ascii wide
        $p7 = "PollInterval" ascii wide
        $url = /(External|Internal)Url[^\r\n]{0,40}http/ nocase ascii wide
        $s1 = /<script[^>]{0,200}runat\s*=\s*["']?server/ nocase ascii wide
        $s2 = /<%[@=]?/ ascii
    condition:
        filesize < 2MB and 3 of ($p*) and $url and any of ($s*)
}

rule EXHUNT_ProxyShell_PST_Export_In_Web_Folder
{
    meta:
        description = "Outlook PST file (NDB header '!BDN' + 'SM') — ProxyShell wrote web shells as mailbox exports (New-MailboxExportRequest) with an .aspx name"
        technique = "T1505.003 web shell via mailbox export to a web-served path"
        severity = "high"
        family = "proxyshell"
        cve = "CVE-2021-34473 CVE-2021-34523 CVE-2021-31207"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell"
    strings:
        $magic = { 21 42 44 4E }
    condition:
        $magic at 0 and uint16(8) == 0x4D53
}

rule EXHUNT_ProxyShell_DER_Certificate_Request_With_Script
{
    meta:
        description = "DER-encoded certificate request or certificate carrying a server-side script (export written to a web folder)"
        technique = "T1505.003 web shell via certificate request export to a web-served path"
        severity = "critical"
        family = "proxyshell"
        reference = "https://www.mandiant.com/resources/blog/pst-want-shell-proxyshell-exploiting-microsoft-exchange-servers"
    strings:
        $s1 = /<script[^>]{0,200}runat\s*=\s*["']?server/ nocase
        $s2 = "<%@" ascii
        $s3 = /<%\s*(eval|execute)/ nocase
        $der = { 30 82 }
    condition:
        $der at 0 and filesize < 1MB and any of ($s*)
}
