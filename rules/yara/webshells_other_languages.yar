/*
  tourniquet rule pack: webshells in the other languages a PHP store's server may still run
  (classic ASP / VBScript, ASP.NET, JSP), found planted beside PHP ones under any extension.
  Written by the tourniquet team from the techniques: request input evaluated or passed to
  a shell object, and file-system objects driven by the request.
*/

rule WebShell_ASP_RequestToExec
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "ASP/ASP.NET code that evaluates or executes request input"
  strings:
    $a = /\b(eval|execute|executeglobal)\s*\(?\s*request\s*(\.(form|querystring|item))?\s*[(\[]/ nocase
    $b = /\beval\s*\(\s*request\.item\s*\[/ nocase
    $c = /Process\.Start\s*\([^;]{0,200}Request(\.Form|\.QueryString|\.Params)?\s*\[/ nocase
  condition:
    filesize < 3MB and any of them
}

rule WebShell_ASP_ShellAndFiles
{
  meta:
    family = "webshell"
    severity = "high"
    description = "ASP page that drives a command shell or the file system from request input"
  strings:
    $req = /\brequest\s*(\.(form|querystring|item))?\s*\(/ nocase
    $fso = /(Scripting\.FileSystemObject|Shell\.Application|WScript\.Shell|Wscript\.Network)/ nocase
    $op1 = /\.(CreateTextFile|DeleteFile|DeleteFolder|CopyFile|MoveFile|OpenTextFile|GetFolder)\s*\(/ nocase
    $op2 = /\.(Exec|Run|ShellExecute)\s*\(/ nocase
    $op3 = /ADODB\.Stream/ nocase
  condition:
    filesize < 3MB and $req and $fso and 2 of ($op*)
}

rule WebShell_JSP_RequestToExec
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "JSP that runs a command taken from the request"
  strings:
    $exec = /(Runtime\.getRuntime\(\)\.exec|new\s+ProcessBuilder)\s*\(/
    $req = /request\.getParameter\s*\(/
    $jsp = /<%@?\s*page|<%=|<jsp:/
  condition:
    filesize < 3MB and $exec and $req and $jsp
}

rule WebShell_ASP_EncodedScript
{
  meta:
    family = "webshell"
    severity = "high"
    description = "Classic ASP encoded with the Script Encoder: no PHP store runs ASP, and encoding is how ASP shells hide"
  strings:
    $lang = /<%@\s*LANGUAGE\s*=\s*["']?(VBScript|JScript)\.Encode/ nocase
    $enc = /#@~\^[A-Za-z0-9+\/]{6}==/
  condition:
    filesize < 5MB and ($lang or (#enc > 0 and uint16(0) != 0x5a4d))
}

rule WebShell_JSP_FileManager
{
  meta:
    family = "webshell"
    severity = "high"
    description = "JSP file manager: request parameters name files to list, write, rename or delete"
  strings:
    $jsp = /<%@?\s*page|<%=/
    $req = /request\.getParameter\s*\(/
    $file = /new\s+(java\.io\.)?File\s*\(/
    $op1 = /\.(delete|renameTo|mkdirs?|listFiles)\s*\(\s*\)?/
    $op2 = /new\s+(java\.io\.)?(FileOutputStream|FileWriter|RandomAccessFile)\s*\(/
    $op3 = /(java\.sql\.|DriverManager\.getConnection)/
  condition:
    filesize < 3MB and $jsp and $req and $file and 2 of ($op*)
}

rule WebShell_Perl_CGI_Command
{
  meta:
    family = "webshell"
    severity = "high"
    description = "Perl CGI script that runs commands taken from the request (dropped beside PHP under any name)"
  strings:
    // Perl markers JavaScript does not share ("use strict" and .exec() are JS too).
    $perl = /^#!\s*\S*perl|\buse\s+CGI\b|\bpackage\s+[\w:]+;|\bmy\s+\$\w+\s*=/
    $req1 = /\$ENV\s*\{\s*['"]?(QUERY_STRING|CONTENT_LENGTH|REQUEST_METHOD)/
    $req2 = /->param\s*\(/
    $req3 = /\bread\s*\(\s*STDIN\b/
    $run1 = /\bsystem\s*\(/
    $run2 = /`[^`\n]{0,200}\$\w+[^`\n]{0,200}`|\bqx\s*[\/({]/
    $run3 = /\bopen\s*\(\s*\w+\s*,\s*["'][^"'\n]{0,200}\|\s*["']/
    // An interactive shell behind pipes (IPC::Open2/Open3) or exec'd in place.
    $run4 = /\b(open[23]|exec)\s*\([^;]{0,200}["'](\/bin\/(ba|z|da)?sh|cmd(\.exe)?)["']/
  condition:
    filesize < 3MB and $perl and any of ($req*) and any of ($run*)
}

rule WebShell_ASP_FileManager
{
  meta:
    family = "webshell"
    severity = "high"
    description = "ASP file manager: request input and the FileSystemObject with three or more kinds of file operation"
  strings:
    $req = /\brequest\s*(\.(form|querystring|item))?\s*\(/ nocase
    $fso = /Scripting\.FileSystemObject/ nocase
    $f1 = /\.CreateTextFile\s*\(/ nocase
    $f2 = /\.DeleteFile\s*[( ]/ nocase
    $f3 = /\.DeleteFolder\s*[( ]/ nocase
    $f4 = /\.CopyFile\s*[( ]/ nocase
    $f5 = /\.MoveFile\s*[( ]/ nocase
    $f6 = /\.OpenTextFile\s*\(/ nocase
    $f7 = /\.GetFolder\s*\(/ nocase
    $f8 = /\.CreateFolder\s*[( ]/ nocase
  condition:
    filesize < 3MB and $req and $fso and 3 of ($f*)
}

rule WebShell_ASPX_ShellProcess
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "ASP.NET page that starts a command shell (cmd.exe, powershell, /bin/sh) as a process"
  strings:
    $page = /<%@\s*(Page|WebHandler|Control)\b/ nocase
    $proc = /(Process\.Start\s*\(|new\s+(System\.Diagnostics\.)?ProcessStartInfo\b)/
    $shell = /["'](cmd(\.exe)?|powershell(\.exe)?|\/bin\/(ba)?sh)["']/ nocase
  condition:
    filesize < 3MB and $page and $proc and $shell
}

rule WebShell_JSP_ReflectionExec
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "JSP/JSF page whose expressions load java.lang.Runtime or ProcessBuilder by reflection and run a command, with request input in reach"
  strings:
    $cls = /(loadClass|forName)\s*\(\s*["']java\.lang\.(Runtime|ProcessBuilder)["']\s*\)/
    $run = /getMethod\s*\(\s*["'](exec|start|getRuntime)["']/
    $req = /(request\.getParameter\s*\(|\bparam\s*\.\s*\w+|\bparam\s*\[)/
    $el = /[$#]\{/
  condition:
    filesize < 3MB and $cls and $run and $req and $el
}
