/*
 * exhunt — generic ASP / ASP.NET web-shell techniques, written from public descriptions (MITRE T1505.003,
 * vendor write-ups). Each rule names a technique, never a sample. Plain text on purpose (docs/webshells.md).
 */

private rule EXHUNT_Server_Page
{
    strings:
        $a1 = "<%" ascii wide
        $a2 = /<script[^>]{0,120}runat\s*=\s*["']?server/ nocase ascii wide
        $a3 = "WebHandler" nocase ascii wide
        $a4 = "WebService" nocase ascii wide
    condition:
        any of them
}

rule EXHUNT_ChinaChopper_Eval_Request
{
    meta:
        description = "China Chopper style one-liner: request data evaluated by JScript.NET eval (often with \"unsafe\")"
        technique = "T1505.003 eval of request parameter"
        severity = "critical"
        family = "china-chopper"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
    strings:
        $e1 = /eval\s*\(\s*(System\.Text\.Encoding\.[A-Za-z0-9]{1,10}\.GetString\s*\(\s*)?(System\.)?(Convert\.FromBase64String\s*\(\s*)?Request(\.Item)?\s*[\[\(]/ nocase ascii wide
        $e2 = /eval\s*\([^)]{0,80}Request[^)]{0,80},\s*["']unsafe["']/ nocase ascii wide
        $e4 = /eval\s*\(\s*(System\.)?Text\.Encoding\.[^;]{0,60}FromBase64String/ nocase ascii wide
        $e3 = /Page_Load[^}]{0,100}eval\s*\(/ nocase ascii wide
    condition:
        // Server-side code only: a server page, or a snippet too small to be anything but an injected
        // payload. Client scripts that eval (OWA's JSON fallback) are not shells and never reach yara-x.
        filesize < 1MB and (EXHUNT_Server_Page or filesize < 256) and any of them
}

rule EXHUNT_ASP_Eval_Execute_Request
{
    meta:
        description = "Classic ASP / VBScript executing request data (eval, Execute, ExecuteGlobal of Request)"
        technique = "T1505.003 dynamic code execution of request parameter"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $x0 = /\b(eval|execute|executeglobal)\s*\(?\s*(\(\s*)?session\s*[\(\[]/ nocase ascii wide
        $x1 = /\b(eval|eval_r|execute|executeglobal)\s*\(?\s*(\(\s*)?request\s*(\.(form|querystring|item|cookies))?\s*[\(\[]/ nocase ascii wide
        $x2 = /\b(eval|execute|executeglobal)\s*\(?\s*(\(\s*)?request\s*\.\s*(form|querystring|item|cookies)\b/ nocase ascii wide
        $x4 = /\bexecute(global)?\s*\(?\s*\(?\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*\(\s*(["'][^"'\r\n]{16,}["']|[A-Za-z_][A-Za-z0-9_]{0,30})\s*[,)]/ nocase ascii wide
        $x5 = /\.\s*(ExecuteStatement|AddCode)\s*[\( ]/ nocase ascii wide
        $x6 = /\bexecute(global)?\b[^\r\n]{0,60}=\s*request\s*\./ nocase ascii wide
        $x3 = /\b(eval|execute|executeglobal)\s*\(?\s*\(?\s*(unescape|decode|base64decode|strreverse)\s*\(\s*request/ nocase ascii wide
    condition:
        // Server-side code only: a server page, or a snippet too small to be anything but an injected
        // payload. Client scripts that eval (OWA's JSON fallback) are not shells and never reach yara-x.
        filesize < 2MB and (EXHUNT_Server_Page or filesize < 256) and any of them
}

rule EXHUNT_ASP_Indirect_Execute_Of_Request_Variable
{
    meta:
        description = "Request data stored in a variable, then handed to eval/Execute (split China Chopper / VBScript stagers)"
        technique = "T1505.003 dynamic code execution of request parameter"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $r2 = /\b([A-Za-z_][A-Za-z0-9_]{0,30})\s*=\s*session\s*[\(\[]/ nocase ascii wide
        $r = /\b([A-Za-z_][A-Za-z0-9_]{0,30})\s*=\s*request\s*(\.\s*(form|querystring|item))?\s*[\(\[]/ nocase ascii wide
        $x = /\b(eval|execute|executeglobal)\s*[\( ]\s*\(?\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*\)?\s*(%>|\r|\n|:|;|,|'|\)|\s+end\b)/ nocase ascii wide
    condition:
        filesize < 200KB and EXHUNT_Server_Page and ($r or $r2) and $x
}

rule EXHUNT_ASPX_Process_Start_Command
{
    meta:
        description = "ASP.NET page starting a process (cmd.exe / powershell / ProcessStartInfo) — command execution shell"
        technique = "T1505.003 web shell command execution (T1059)"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $p1 = "ProcessStartInfo" ascii wide
        $p2 = /Process\s*\.\s*Start\s*\(/ ascii wide
        $p3 = /new\s+(System\.Diagnostics\.)?Process\s*\(\s*\)/ ascii wide
        $c1 = "cmd.exe" nocase ascii wide
        $c2 = "powershell" nocase ascii wide
        $c3 = /FileName\s*=/ ascii wide
        $c4 = "RedirectStandardOutput" ascii wide
        $c5 = /\/c\s*["']?\s*\+/ nocase ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and any of ($p*) and any of ($c*)
}

rule EXHUNT_ASP_WScript_Shell_Exec
{
    meta:
        description = "Classic ASP creating WScript.Shell / Shell.Application to run commands"
        technique = "T1505.003 web shell command execution (T1059.003)"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $o1 = /wscript\s*\.\s*shell/ nocase ascii wide
        $o2 = /shell\s*\.\s*application/ nocase ascii wide
        $o3 = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase ascii wide
        $o4 = "13709620-C279-11CE-A49E-444553540000" nocase ascii wide
        $o5 = "F935DC22-1CF0-11D0-ADB9-00C04FD58A0B" nocase ascii wide
        $m1 = /\.\s*(exec|run|shellexecute)\b/ nocase ascii wide
        $m2 = "cmd.exe" nocase ascii wide
        $m3 = "command.com" nocase ascii wide
        $m4 = /\.\s*stdout\b/ nocase ascii wide
    condition:
        filesize < 2MB and any of ($o*) and any of ($m*)
}

rule EXHUNT_ASP_FileSystem_Manager
{
    meta:
        description = "Web file manager: lists drives/folders and reads, writes, uploads or deletes files named by the request"
        technique = "T1505.003 web shell file management (T1083, T1105)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $f1 = "Scripting.FileSystemObject" nocase ascii wide
        $f2 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase ascii wide
        $f3 = "DirectoryInfo" ascii wide
        $f4 = /Directory\s*\.\s*GetFiles/ ascii wide
        $f5 = /DriveInfo\s*\.\s*GetDrives|GetLogicalDrives/ ascii wide
        $f6 = /\.\s*GetDirectories\s*\(/ ascii wide
        $a1 = /\.\s*(DeleteFile|DeleteFolder|CopyFile|MoveFile|CreateTextFile|OpenTextFile)\b/ nocase ascii wide
        $a2 = /File\s*\.\s*(Delete|Copy|Move|WriteAllText|WriteAllBytes|ReadAllText|ReadAllBytes)\s*\(/ ascii wide
        $a3 = /\.\s*(SaveAs|SaveToFile)\s*\(/ nocase ascii wide
        $a4 = /\.\s*Drives\b/ nocase ascii wide
        $a5 = /ADODB\s*\.\s*Stream/ nocase ascii wide
        $a6 = /Response\s*\.\s*(WriteFile|TransmitFile)\s*\(/ ascii wide
        $q = /request\s*(\.\s*(form|querystring|item|files|params))?\s*[\(\[]/ nocase ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and any of ($f*) and any of ($a*) and $q
}

rule EXHUNT_ASPX_Reflective_Assembly_Load
{
    meta:
        description = "ASP.NET loading an assembly from request or embedded bytes (Assembly.Load of a byte array) — in-memory payload loader"
        technique = "T1505.003 reflective code loading (T1620)"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1620/"
    strings:
        $l1 = /Assembly\s*\.\s*Load\s*\(/ ascii wide
        $l2 = /\[\s*System\.Reflection\.Assembly\s*\]\s*::\s*Load/ nocase ascii wide
        $l3 = "CreateInstance" ascii wide
        $l4 = /GetMethod\s*\(\s*"Load"/ ascii wide
        $s1 = /Request\s*\.\s*(BinaryRead|InputStream|Form|Item|Params)\b/ ascii wide
        $s2 = /Request\s*\[/ ascii wide
        $s3 = "FromBase64String" ascii wide
        $s4 = "TransformFinalBlock" ascii wide
    condition:
        filesize < 5MB and EXHUNT_Server_Page and ($l1 or $l2 or $l4) and ($l3 or $s4) and any of ($s*)
}

rule EXHUNT_ASPX_Encrypted_Client_Payload
{
    meta:
        description = "AntSword / Godzilla / Behinder style: request body decrypted (AES/XOR) and the result loaded or evaluated, key in the session"
        technique = "T1505.003 encrypted web-shell channel (T1573)"
        severity = "critical"
        reference = "https://unit42.paloaltonetworks.com/"
    strings:
        $c1 = "RijndaelManaged" ascii wide
        $c2 = "CreateDecryptor" ascii wide
        $c3 = /AesManaged|Aes\s*\.\s*Create/ ascii wide
        $c5 = "TransformFinalBlock" ascii wide
        $c4 = /\^\s*[A-Za-z_]{1,20}\s*\[\s*[A-Za-z_]{1,10}\s*\+\s*1\s*&\s*15\s*\]/ ascii wide
        $i1 = /Request\s*\.\s*(BinaryRead|InputStream)/ ascii wide
        $i2 = /Request\s*\.\s*Form\s*\[/ ascii wide
        $i3 = /Request\s*\[\s*["']/ ascii wide
        $k1 = /Session\s*\[\s*["'][^"']{1,40}["']\s*\]\s*=/ ascii wide
        $k2 = "Assembly" ascii wide
        $k3 = /\beval\s*\(/ ascii wide
        $k4 = "MD5CryptoServiceProvider" ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and any of ($c*) and any of ($i*) and any of ($k*)
}

rule EXHUNT_ASP_Encoded_Payload_Eval
{
    meta:
        description = "Encoded payload (base64 / hex / char codes / reversed string) decoded and run with eval or Execute"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $d1 = /(eval|execute|executeglobal)\s*\(?\s*(\(\s*)?[A-Za-z_][A-Za-z0-9_.]{0,40}\s*\(\s*["'][A-Za-z0-9+\/=]{40,}/ nocase ascii wide
        $d2 = /(eval|execute|executeglobal)\s*\(?\s*(\(\s*)?(StrReverse|Unescape|Chr(W|B)?)\s*\(/ nocase ascii wide
        $d3 = /(eval|execute|executeglobal)\s*\(?\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*\(\s*["'][0-9A-Fa-f]{60,}/ nocase ascii wide
        $d4 = /FromBase64String[^;]{0,100}\)\s*[,)][^;]{0,40}["']unsafe["']/ nocase ascii wide
        $d6 = /execute\s*\(?\s*[A-Za-z_]\w{0,10}\s*\(\s*\d{1,3}\s*\)\s*&\s*[A-Za-z_]\w{0,10}\s*\(\s*\d{1,3}\s*\)\s*&/ nocase ascii wide
        $d5 = /(execute|eval)\s*\(?\s*\(?\s*(chr\s*\(\s*\d{2,3}\s*\)\s*&\s*){6}/ nocase ascii wide
    condition:
        // Server-side code only: a server page, or a snippet too small to be anything but an injected
        // payload. Client scripts that eval (OWA's JSON fallback) are not shells and never reach yara-x.
        filesize < 2MB and (EXHUNT_Server_Page or filesize < 256) and any of them
}

rule EXHUNT_ASPX_Tunnel_Socket_Proxy
{
    meta:
        description = "reGeorg / Neo-reGeorg style HTTP tunnel: opens sockets for the client and relays data through request/response"
        technique = "T1505.003 web shell tunnelling (T1090, T1572)"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1572/"
    strings:
        $s1 = /new\s+Socket\s*\(\s*AddressFamily/ ascii wide
        $s2 = "TcpClient" ascii wide
        $s3 = /\.\s*Connect\s*\(/ ascii wide
        $h1 = /Request\s*\.\s*Headers\s*(\.Get\s*\(|\[)/ ascii wide
        $h2 = /Request\s*\.\s*(InputStream|BinaryRead)/ ascii wide
        $h3 = /Session\s*\[\s*["'][^"']{1,30}["']\s*\]\s*=\s*[A-Za-z_]{1,30}\s*;/ ascii wide
        $v1 = "X-STATUS" nocase ascii wide
        $v2 = "X-CMD" nocase ascii wide
        $v3 = /["'](CONNECT|DISCONNECT|FORWARD|READ)["']/ ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and ($s1 or $s2) and $s3 and any of ($h*) and any of ($v*)
}

rule EXHUNT_ASP_SQL_Command_Shell
{
    meta:
        description = "Web page running operator SQL from the request, including xp_cmdshell / OLE automation command execution"
        technique = "T1505.003 database command execution (T1059)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $x1 = "xp_cmdshell" nocase ascii wide
        $x2 = "sp_oacreate" nocase ascii wide
        $x3 = "sp_makewebtask" nocase ascii wide
        $q = /request\s*(\.\s*(form|querystring|item))?\s*[\(\[]/ nocase ascii wide
        $db1 = /ADODB\s*\.\s*Connection/ nocase ascii wide
        $db2 = "SqlConnection" ascii wide
        $db3 = "OleDbConnection" ascii wide
        $db4 = /\.\s*Execute\s*\(/ nocase ascii wide
    condition:
        filesize < 2MB and any of ($x*) and $q and any of ($db*)
}

rule EXHUNT_ASP_Upload_To_Request_Path
{
    meta:
        description = "Minimal uploader: saves a posted file or request bytes to a path taken from the request"
        technique = "T1505.003 web shell file upload (T1105)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $u1 = /Request\s*\.\s*Files\s*[\[\(]\s*[^\]\)]{0,20}[\]\)]\s*\.\s*SaveAs\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request/ nocase ascii wide
        $u2 = /File\s*\.\s*WriteAll(Bytes|Text)\s*\(\s*(Server\s*\.\s*MapPath\s*\(\s*)?Request/ nocase ascii wide
        $u3 = /CreateTextFile\s*\(\s*(server\s*\.\s*mappath\s*\(\s*)?request/ nocase ascii wide
        $u5 = /streamwriter\s*\(\s*(server\s*\.\s*mappath\s*\(\s*)?request/ nocase ascii wide
        $u6 = /[^e]\.\s*write(text)?\s*\(?\s*request\s*(\.\s*(form|item|querystring))?\s*[\(\[]/ nocase ascii wide
        $u7 = /StreamWriter\s*\(\s*(this\s*\.\s*)?[A-Za-z_][A-Za-z0-9_]{0,40}\s*\.\s*Text\s*[,)]/ ascii wide
        $u4 = /\.\s*write(line)?\s*\(?\s*request\s*(\.\s*(form|item))?\s*[\(\[][^\r\n]{0,200}(createtextfile|opentextfile)/ nocase ascii wide
    condition:
        filesize < 1MB and any of them
}

rule EXHUNT_ASP_Script_Encoder_Block
{
    meta:
        description = "Server script hidden with the Microsoft Script Encoder (VBScript.Encode / JScript.Encode, #@~^ ... ^#~@ blocks)"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $l = /language\s*=\s*["']?(vbscript|jscript)\.encode/ nocase ascii wide
        $b = /#@~\^[A-Za-z0-9+\/]{6}==/ ascii wide
        $d = /CreateObject\s*\(\s*"ASPEncodeDLL\./ nocase ascii wide
    condition:
        filesize < 5MB and (($b and ($l or #b > 1 or EXHUNT_Server_Page)) or $d)
}

rule EXHUNT_ASP_UTF7_Codepage_Obfuscation
{
    meta:
        description = "Classic ASP page declared in the UTF-7 code page (65000) so its script is written in +...- encoded form"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $c = /<%@\s*codepage\s*=\s*["']?65000/ nocase ascii wide
        $e = /\+A[A-Za-z0-9+\/]{8,}-/ ascii wide
        $e2 = /\+[A-Za-z0-9+\/]{1,20}-/ ascii wide
    condition:
        filesize < 2MB and $c and ($e or #e2 > 3)
}

rule EXHUNT_ASP_Keyword_Reversal_Or_Splitting
{
    meta:
        description = "Dangerous keywords hidden by reversal (tseuqer, lave) or split into one-letter concatenations (\"e\"&\"v\"&\"a\"&\"l\")"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $r1 = "tseuqer" nocase ascii wide
        $r2 = "etucexe" nocase ascii wide
        $r3 = ")tseuqer" nocase ascii wide
        $s1 = /"e"\s*(\/\*[^*]{0,12}\*\/\s*)*[&+]\s*(\/\*[^*]{0,12}\*\/\s*)*"v"\s*(\/\*[^*]{0,12}\*\/\s*)*[&+]\s*(\/\*[^*]{0,12}\*\/\s*)*"a"/ nocase ascii wide
        $s2 = /"r"\s*(\/\*[^*]{0,12}\*\/\s*)*[&+]\s*(\/\*[^*]{0,12}\*\/\s*)*"e"\s*(\/\*[^*]{0,12}\*\/\s*)*[&+]\s*(\/\*[^*]{0,12}\*\/\s*)*"q"/ nocase ascii wide
        $s3 = /"u"\s*[&+]\s*"n"\s*[&+]\s*"s"/ nocase ascii wide
        $s4 = /"ex"\s*[&+]\s*"ec"|"ev"\s*[&+]\s*"al"|"ex"\s*[&+]\s*"ecute"/ nocase ascii wide
    condition:
        filesize < 2MB and any of them
}

rule EXHUNT_JScript_Server_Eval_Unsafe
{
    meta:
        description = "Server-side JScript.NET eval with a second argument (the \"unsafe\" trust level China Chopper relies on), however the value is built"
        technique = "T1505.003 eval of attacker-supplied code"
        severity = "critical"
        family = "china-chopper"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
    strings:
        $j1 = /language\s*=\s*["']?(jscript|javascript|js)["']?/ nocase ascii wide
        $srv1 = /runat\s*=\s*["']?server/ nocase ascii wide
        $srv2 = /<%@\s*(Page|WebHandler|WebService)/ nocase ascii wide
        $e = /\beval\s*\(\s*[^,()]{1,60}(\([^()]{0,60}\))?[^,()]{0,20},\s*[A-Za-z_"'][^)]{0,20}\)/ ascii wide
        $e1 = /\beval\s*\(\s*[A-Za-z_][A-Za-z0-9_.]{0,40}\s*\)/ ascii wide
        $r = "Request" ascii wide
    condition:
        filesize < 1MB and $j1 and any of ($srv*) and ($e or ($e1 and $r))
}

rule EXHUNT_ASP_Remote_Payload_Fetch_And_Save
{
    meta:
        description = "Server page downloading content over HTTP and writing it to disk (XMLHTTP / WinHttp + ADODB.Stream SaveToFile): dropper"
        technique = "T1105 ingress tool transfer from a web page"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $h = /(Microsoft|MSXML2)\s*\.\s*(Server)?XMLHTTP|WinHttp\s*\.\s*WinHttpRequest/ nocase ascii wide
        $s = /ADODB\s*\.\s*Stream|Scripting\s*\.\s*FileSystemObject/ nocase ascii wide
        $w = /SaveToFile|CreateTextFile|\.\s*Write\s*\(?\s*[A-Za-z_]{1,20}\s*\.\s*ResponseBody/ nocase ascii wide
    condition:
        filesize < 2MB and all of them
}

rule EXHUNT_ASPX_Raw_Socket_Sniffer
{
    meta:
        description = "ASP.NET page opening a raw IP socket in promiscuous mode (IOControl ReceiveAll): credential sniffer"
        technique = "T1040 network sniffing from a web page"
        severity = "critical"
        reference = "https://attack.mitre.org/techniques/T1040/"
    strings:
        $r1 = "SocketType.Raw" ascii wide
        $r2 = "ProtocolType.IP" ascii wide
        $r3 = "IOControl" ascii wide
        $r4 = "ReceiveAll" ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and $r1 and ($r3 or $r4 or $r2)
}

rule EXHUNT_ASPX_Database_Dump_Console
{
    meta:
        description = "Web SQL console: runs request-supplied SQL over a connection string taken from the request and dumps the result (data theft)"
        technique = "T1505.003 database access from a web page (T1213)"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1213/"
    strings:
        $c1 = /new\s+(Sql|OleDb|Odbc|MySql)Connection\s*\(\s*[^)]{0,60}(Request|TextBox|\.Text\b)/ ascii wide
        $c2 = /ConnectionString\s*=\s*[^;]{0,60}(Request|\.Text\b)/ ascii wide
        $q1 = /(Sql|OleDb|Odbc|MySql)Command\s*\(\s*[^)]{0,60}(Request|\.Text\b)/ ascii wide
        $q2 = /CommandText\s*=\s*[^;]{0,60}(Request|\.Text\b)/ ascii wide
        $q3 = /\.\s*Execute(Reader|NonQuery|Scalar)?\s*\(\s*[^)]{0,40}(Request|\.Text\b)/ ascii wide
        $q4 = /(Sql|OleDb|Odbc|MySql)Command\s*\(\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*\.\s*SelectedItem/ ascii wide
        $c3 = /string\s+[A-Za-z_][A-Za-z0-9_]{0,30}\s*=\s*Request\s*\.\s*(QueryString|Form)\s*\[[^\]]{1,30}\]\s*;[^}]{0,200}new\s+(Sql|OleDb|Odbc|MySql)Connection\s*\(/ ascii wide
        $q5 = /(Sql|OleDb|Odbc|MySql)Command\s*\(\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*,/ ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and any of ($c*) and any of ($q*)
}

rule EXHUNT_Server_Script_Behind_Image_Header
{
    meta:
        description = "Server page that starts with an image header (GIF89a / PNG / JPEG) to pass upload filters and viewers"
        technique = "T1505.003 web shell disguised as an image (T1036)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1036/"
    strings:
        $gif = "GIF8" nocase
        $png = { 89 50 4E 47 }
        $jpg = { FF D8 FF }
        $s1 = /<%@\s*(Page|WebHandler|WebService|Language)/ nocase
        $s2 = /<script[^>]{0,120}runat\s*=\s*["']?server/ nocase
        $s3 = /<%\s*(eval|execute|response\.|set |dim )/ nocase
    condition:
        filesize < 1MB and ($gif at 0 or $png at 0 or $jpg at 0) and any of ($s*)
}

rule EXHUNT_ASP_Obfuscated_ProgID
{
    meta:
        description = "COM object created from a ProgID assembled out of string pieces (\"scr\"&\"ipt\"&\"ing...\") to hide FileSystemObject / WScript.Shell"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $c = /CreateObject\s*\(\s*"[^"\r\n]{1,8}"\s*&\s*("[^"\r\n]{1,8}"|chr\s*\(\s*\d{1,3}\s*\))\s*&/ nocase ascii wide
    condition:
        filesize < 2MB and $c
}

rule EXHUNT_ASP_Eval_Of_Computed_Variable
{
    meta:
        description = "Classic ASP eval/Execute statement on a variable computed by string surgery (Replace, Mid, Chr, StrReverse): hidden code"
        technique = "T1505.003 obfuscated web shell (T1027)"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $ev = /(^|[\s:%>])(eval|execute|executeglobal)\s+[A-Za-z_][A-Za-z0-9_]{0,30}\s*(%>|\r|\n|:|')/ nocase ascii wide
        $m1 = /=\s*replace\s*\(/ nocase ascii wide
        $m2 = /=\s*strreverse\s*\(/ nocase ascii wide
        $m3 = /&\s*chrw?\s*\(/ nocase ascii wide
        $m4 = /=\s*[A-Za-z_]{1,20}\s*&\s*mid\s*\(/ nocase ascii wide
    condition:
        filesize < 2MB and $ev and any of ($m*)
}

rule EXHUNT_Web_Writable_Directory_Probe
{
    meta:
        description = "Page that walks folders and tests each for write access by creating and deleting a file (finds where to drop the next shell)"
        technique = "T1083 file and directory discovery from a web page"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1083/"
    strings:
        $w1 = /\.\s*CreateTextFile\s*\(/ nocase ascii wide
        $w2 = /File\s*\.\s*Create(Text)?\s*\(/ ascii wide
        $d1 = /\.\s*DeleteFile\s*[\( ]/ nocase ascii wide
        $d2 = /File\s*\.\s*Delete\s*\(/ ascii wide
        $l1 = /\.\s*(GetFolder|SubFolders)\b/ nocase ascii wide
        $l2 = /\.\s*GetDirectories\s*\(/ ascii wide
    condition:
        filesize < 1MB and EXHUNT_Server_Page and (($w1 and $d1 and $l1) or ($w2 and $d2 and $l2))
}

rule EXHUNT_ASPX_Database_Dump_To_File
{
    meta:
        description = "Page that runs operator SQL (from form fields) and writes the rows to a file on the server: bulk data theft staging"
        technique = "T1005 / T1074 data staged from a database through a web page"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1074/"
    strings:
        $c = /(Sql|OleDb|Odbc|MySql)Connection\b/ ascii wide
        $q = /(Sql|OleDb|Odbc|MySql)Command\s*\(\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*,/ ascii wide
        $t = /=\s*[^;]{0,80}\.Text\b/ ascii wide
        $f1 = /(StreamWriter|File\s*\.\s*CreateText|File\s*\.\s*AppendText)/ ascii wide
        $f2 = /\.\s*Write(Line)?\s*\(/ ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and $c and $q and #t > 2 and $f1 and #f2 > 3
}

rule EXHUNT_ASP_Request_Relay_Proxy
{
    meta:
        description = "Server page relaying the caller's request to a URL the caller chooses (XMLHTTP Open with a request-supplied URL, posted data forwarded): web-shell redirector / pivot"
        technique = "T1090 proxy through a web page"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1090/"
    strings:
        $h = /(Microsoft|MSXML2)\s*\.\s*(Server)?XMLHTTP/ nocase ascii wide
        $o = /\.\s*open\s*\(?\s*"(post|get)"\s*,\s*[A-Za-z_][A-Za-z0-9_]{0,30}\s*,/ nocase ascii wide
        $u = /=\s*(String\s*\(\s*)?request\s*(\.\s*(querystring|form|item))?\s*\(\s*"[^"]{1,20}"\s*\)/ nocase ascii wide
        $f = /\.\s*send\s*\(?\s*(request\s*\.\s*form|[A-Za-z_][A-Za-z0-9_]{0,30})/ nocase ascii wide
    condition:
        filesize < 1MB and EXHUNT_Server_Page and $h and $o and $u and $f
}

rule EXHUNT_ServU_Admin_Port_Privilege_Escalation
{
    meta:
        description = "Web page driving the Serv-U FTP local administration port to create a user with command execution (SITE EXEC) as SYSTEM"
        technique = "T1068 privilege escalation from a web shell through a local service"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1068/"
    strings:
        $a = "-SETUSERSETUP" nocase ascii wide
        $b = "site exec" nocase ascii wide
        $c = "MAINTENANCE" nocase ascii wide
        $d = "-DELETEUSER" nocase ascii wide
    condition:
        filesize < 2MB and ($a or ($b and ($c or $d)))
}

rule EXHUNT_Page_Writes_Server_Page
{
    meta:
        description = "Server code that creates another server-executable page (.aspx/.asp/.ashx/.asmx/.asa/.cer) in the web tree: dropper / persistence"
        technique = "T1505.003 web shell installation by a web page"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $w = /(CreateText|AppendText|StreamWriter|WriteAllText|WriteAllBytes|CreateTextFile|OpenTextFile|SaveToFile)\s*\(\s*[^)]{0,80}\.(aspx|asp|ashx|asmx|asa|cer)["']/ nocase ascii wide
    condition:
        filesize < 2MB and EXHUNT_Server_Page and $w
}

rule EXHUNT_ASPX_Backdoor_Assembly_Stub
{
    meta:
        description = "Tiny server page whose only code instantiates a type from a custom assembly with a hard-coded hex key: stub for a backdoor DLL in bin/"
        technique = "T1505.003 web shell split into a stub page and a compiled assembly"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $s = /<script[^>]{0,80}language\s*=\s*["']?C#/ nocase ascii wide
        $n = /=\s*new\s+[A-Za-z_][A-Za-z0-9_]{0,40}(\.[A-Za-z_][A-Za-z0-9_]{0,40}){1,5}\s*\(\s*"[0-9a-f]{16,64}"\s*\)\s*;/ ascii wide
    condition:
        filesize < 2KB and $s and $n
}
