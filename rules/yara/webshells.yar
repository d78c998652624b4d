/*
  tourniquet rule pack: PHP webshells and backdoors (one-liners, obfuscated loaders,
  file managers, card-data capture inside platform code).
  Written by the tourniquet team from public descriptions of real webshells and Magento /
  WooCommerce backdoors. Rules key on code that runs request input, or on decode-and-run
  chains; legitimate vendor code that merely uses base64_decode or eval does not match.
*/

rule WebShell_PHP_RequestToExec
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "Runs request input as PHP code or as a shell command"
    // On normalised code only: a backtick pair around $_GET in a Markdown doc comment is
    // documentation, not a shell call.
    scope = "code"
  strings:
    $a = /\b(eval|assert|create_function|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s*\(\s*(@?\s*(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|stripslashes|urldecode|rawurldecode|hex2bin|trim)\s*\(\s*)*@?\s*\$_(POST|GET|REQUEST|COOKIE|SERVER\s*\[\s*["']HTTP_|FILES)/ nocase
    $b = /\b(eval|assert|system|passthru|shell_exec)\s*\(\s*(@?\s*(base64_decode|gzinflate|str_rot13|hex2bin|urldecode)\s*\(\s*)*@?\s*\$\{?\s*["']?_(POST|GET|REQUEST|COOKIE)/ nocase
    $c = /`\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $d = /\bpreg_replace\s*\(\s*["']([\/#~|!@]).{0,200}[\/#~|!@][imsxu]*e[imsxu]*["']\s*,\s*[^;]{0,80}\$_(POST|GET|REQUEST|COOKIE)/
  condition:
    filesize < 5MB and any of them
}

rule WebShell_PHP_RequestAsFunction
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "Calls a function whose name comes from the request"
  strings:
    $a = /@?\$_(POST|GET|REQUEST|COOKIE)\s*\[\s*["']?[\w-]{0,40}["']?\s*\]\s*\(\s*@?\$_(POST|GET|REQUEST|COOKIE)/
    $b = /\$\w{1,30}\s*=\s*@?\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*;\s*@?\$\w{1,30}\s*\(\s*@?\$_(POST|GET|REQUEST|COOKIE)/
    $c = /\b(array_map|call_user_func|call_user_func_array|array_filter|usort|register_shutdown_function)\s*\(\s*@?\$_(POST|GET|REQUEST|COOKIE)\s*\[/
  condition:
    filesize < 5MB and any of them
}

rule WebShell_PHP_DecodeAndRun
{
  meta:
    family = "webshell"
    severity = "high"
    description = "Decodes a hidden payload and runs it (eval of base64/gzinflate/rot13 layers)"
  strings:
    $a = /\beval\s*\(\s*@?\s*(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode|hex2bin|rawurldecode)\s*\(/ nocase
    $b = /\bassert\s*\(\s*@?\s*(gzinflate|gzuncompress|base64_decode|str_rot13)\s*\(/ nocase
    $c = /create_function\s*\(\s*["']["']\s*,\s*@?\s*(gzinflate|base64_decode|str_rot13)\s*\(/ nocase
    $d = /\beval\s*\(\s*\$\w{1,30}\s*\(\s*\$\w{1,30}\s*\(\s*["'][A-Za-z0-9+\/=]{200,}/
  condition:
    filesize < 5MB and any of them
}

rule WebShell_PHP_FileManager
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "Web file manager / command shell (WSO, b374k, Alfa-style traits)"
  strings:
    $f1 = "php_uname(" nocase
    $f2 = "posix_getpwuid(" nocase
    $f3 = "disk_free_space(" nocase
    $f4 = "move_uploaded_file(" nocase
    $f5 = /\b(shell_exec|passthru|proc_open|popen)\s*\(/ nocase
    $f6 = "safe_mode" nocase
    $f7 = /\$_(POST|GET|REQUEST)\s*\[\s*["'](cmd|command|c|p1|a|act|action|dir|path)["']\s*\]/
    $f8 = "getcwd()" nocase
    $f9 = "scandir(" nocase
    // Whole words: "FilesMan" inside PublicFilesManagerInterface is not the WSO marker.
    $n1 = /\bFilesMan\b/
    $n2 = "b374k"
    $n3 = "AlfaTeam" nocase
    $n4 = /WSO\s+[0-9]\.[0-9]/
  condition:
    filesize < 2MB and (any of ($n*) or ($f7 and 5 of ($f1,$f2,$f3,$f4,$f5,$f6,$f8,$f9)))
}

rule WebShell_PHP_InImageFile
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "PHP code hidden in a file that starts like an image"
  strings:
    $php = /<\?(php|=)[\s\S]{0,2000}(eval|assert|system|passthru|shell_exec|base64_decode|\$_(POST|GET|REQUEST|COOKIE))/ nocase
  condition:
    (uint32be(0) == 0x47494638 or uint32be(0) == 0x89504E47 or uint16be(0) == 0xFFD8 or uint32be(0) == 0x00000100)
    and $php
}

rule Backdoor_PHP_CardCapture
{
  meta:
    family = "backdoor"
    severity = "critical"
    description = "Server-side card capture: payment data encoded and written to a file or mailed"
  strings:
    $card1 = /getCc(Number|Cid|ExpMonth|ExpYear|Owner)\s*\(/
    $card2 = /\[\s*["'](cc_number|cc_cid|cc_exp_month|cc_owner|card_number|card-number|cardnumber|cvv|cvc)["']\s*\]/ nocase
    $card3 = /\$_POST\s*\[\s*["'][\w-]{0,40}(card[-_]?number|cc_?num|cvv|cvc|card[-_]?cvc|expiry)[\w-]{0,20}["']\s*\]/ nocase
    $enc = /\b(base64_encode|serialize|openssl_encrypt|gzdeflate|gzcompress|str_rot13|bin2hex)\s*\(/
    $w1 = /\b(file_put_contents|fwrite|fputs)\s*\(/
    $w2 = /\bmail\s*\(/
  condition:
    // A gateway posting the card to its own API does not match: the capture writes the
    // encoded data to a file or mails it.
    filesize < 2MB and any of ($card*) and $enc and ($w1 or $w2)
}

rule Backdoor_PHP_HiddenAdminCreation
{
  meta:
    family = "backdoor"
    severity = "critical"
    description = "Creates an administrator account when a request parameter is present"
  strings:
    $req = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $wp1 = /\bwp_(create|insert)_user\s*\(/
    $wp2 = /set_role\s*\(\s*["']administrator["']\s*\)|["']role["']\s*=>\s*["']administrator["']/
    $mg1 = /setRoleId\s*\(\s*1\s*\)|->setRoleId\(/
    $mg2 = /(UserFactory|Magento\\User\\Model\\User)\b/
    $mg3 = /->setIsActive\s*\(\s*1\s*\)/
  condition:
    filesize < 200KB and $req and (($wp1 and $wp2) or ($mg1 and $mg2 and $mg3))
}

rule Backdoor_PHP_HidePluginFromList
{
  meta:
    family = "backdoor"
    severity = "high"
    description = "WordPress plugin that hides itself from the plugin list and runs request input"
  strings:
    $hide = /add_filter\s*\(\s*["']all_plugins["']/
    $unset = /unset\s*\(\s*\$\w+\s*\[/
    $req = /\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    $run = /\b(eval|assert|system|passthru|shell_exec|exec|include|require|file_put_contents|move_uploaded_file)\s*\(/
  condition:
    filesize < 500KB and $hide and $unset and $req and $run
}

rule WebShell_PHP_HiddenFunctionOnRequest
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "Builds a function name out of pieces (rot13, concatenation, reversal) and calls it on request input"
  strings:
    // $f(...$_POST[...]) with optional decoding layers: a variable function on request input.
    $call = /@?\$\w{1,30}\s*\(\s*(@?\s*(base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin|urldecode|rawurldecode|stripslashes|trim)\s*\(\s*)*@?\$_(POST|GET|REQUEST|COOKIE)\s*\[/
    // The name hidden from a plain search for "system", "exec", "assert", ...
    $rot = /str_rot13\s*\(\s*["'](flfgrz|rkrp|cnffgueh|furyy_rkrp|nffreg|riny|cbcra|cebp_bcra)["']\s*\)/ nocase
    $rev = /strrev\s*\(\s*["'](metsys|cexe|urhtssap|cexe_llehs|tressa|lave|nepop)["']\s*\)/ nocase
    $cat1 = /["'](s|sy|sys|syst|syste)["']\s*\.\s*["'](ystem|stem|tem|em|m)["']/ nocase
    $cat2 = /["'](e|ex|exe)["']\s*\.\s*["'](xec|ec|c)["']/ nocase
    $cat3 = /["'](a|as|ass|asse|asser)["']\s*\.\s*["'](ssert|sert|ert|rt|t)["']/ nocase
    $cat4 = /["'](sh|she|shel|shell|shell_)["']\s*\.\s*["'](ell_exec|ll_exec|l_exec|_exec|exec)["']/ nocase
    $cat5 = /["'](pa|pas|pass|passt|passth)["']\s*\.\s*["'](ssthru|sthru|thru|hru|ru)["']/ nocase
  condition:
    filesize < 2MB and $call and any of ($rot, $rev, $cat*)
}

rule WebShell_PHP_ServerReconWithControl
{
  meta:
    family = "webshell"
    severity = "high"
    description = "Reports the server (uname, user, disabled functions, disk) and runs commands on request: a shell's control panel"
    scope = "code"
  strings:
    $r1 = /\bphp_uname\s*\(/ nocase
    $r2 = /\bposix_get(pwuid|grgid|uid|euid)\s*\(/ nocase
    $r3 = /\bdisk_(free|total)_space\s*\(/ nocase
    $r4 = /ini_get\s*\(\s*["'](disable_functions|safe_mode|open_basedir)["']/ nocase
    $r5 = /\bget_current_user\s*\(|\bgetmyuid\s*\(/ nocase
    $r6 = /["'](uname -a|whoami|\/etc\/passwd|netstat -an|ps aux|cat \/etc\/issue)/ nocase
    $r7 = /\b(getmypid|php_sapi_name|phpversion)\s*\(/ nocase
    $r8 = /\bfileperms\s*\(/ nocase
    $req = /\$_(POST|GET|REQUEST|COOKIE)\s*\[/
    $x1 = /\b(shell_exec|passthru|system|proc_open|popen|exec)\s*\(/ nocase
  condition:
    filesize < 3MB and $req and 4 of ($r*) and $x1
}

rule WebShell_PHP_BackConnect
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "Connects out to a host and hands it a shell (back-connect / reverse shell)"
  strings:
    $sock1 = /\b(fsockopen|pfsockopen|socket_create|stream_socket_client)\s*\(/ nocase
    $sh1 = /["'][^"'\n]{0,80}(\/bin\/(ba)?sh|cmd\.exe)\b/ nocase
    $sh2 = /\bproc_open\s*\(/ nocase
    $pl1 = /use\s+Socket\s*;/
    $pl2 = /socket\s*\(\s*SOCKET\s*,/
    $pl3 = /open\s*\(\s*STD(IN|OUT|ERR)\s*,\s*["']?>&\s*SOCKET/
    $py = /socket\.socket\s*\([^)]{0,80}\)[\s\S]{0,300}(os\.dup2|subprocess)/
    $c1 = /dup2\s*\(\s*\w+\s*,\s*[012]\s*\)/
    $c2 = /execl?\s*\(\s*["']\/bin\/sh["']/
  condition:
    filesize < 3MB and (($sock1 and ($sh1 or $sh2)) or ($pl1 and ($pl2 or $pl3)) or $py or ($c1 and $c2))
}

rule WebShell_PHP_FileManagerUI
{
  meta:
    family = "webshell"
    severity = "medium"
    description = "Web file manager: lists, edits, uploads and deletes files, with server details, on request (a platform's own file API does too: counts beside a second trait)"
    scope = "code"
  strings:
    $req = /\$_(POST|GET|REQUEST)\[/
    $l = /\b(opendir|scandir|readdir|glob)\(/
    $e = /\b(file_get_contents|fread|readfile|highlight_file)\(/
    $w = /\b(file_put_contents|fwrite|fputs)\(/
    $u = /\bmove_uploaded_file\(/
    $d = /\b(unlink|rmdir)\(/
    $p = /\b(chmod|fileperms|fileowner|posix_getpwuid)\(/
    $s = /\b(php_uname|getcwd|disk_free_space|get_current_user|phpversion)\(/
  condition:
    filesize < 3MB and $req and $l and $e and $w and $d and ($u or $p) and $s
}

rule WebShell_PHP_RequestToExec_Normalised
{
  meta:
    family = "webshell"
    severity = "critical"
    description = "After normalisation: request input reaches eval, assert, a shell function or a callback directly"
    scope = "code"
  strings:
    $a = /\b(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|create_function)\(@?(\w+\()*@?\$_(POST|GET|REQUEST|COOKIE|SERVER\['HTTP_)/ nocase
    $b = /\b(call_user_func|call_user_func_array|array_map|register_shutdown_function)\(@?\$_(POST|GET|REQUEST|COOKIE)\[/ nocase
    $c = /@?\$_(POST|GET|REQUEST|COOKIE)\[[^\]]{1,40}\]\(/
  condition:
    filesize < 8MB and any of them
}

rule WebShell_PHP_WindowsShellObject
{
  meta:
    family = "webshell"
    severity = "high"
    description = "PHP driving Windows shell objects through COM (WScript.Shell, Shell.Application, Shell.Users)"
  strings:
    $com = /new\s+COM\s*\(\s*["'](WScript\.Shell|Shell\.Application|Shell\.Users|WScript\.Network|Scripting\.FileSystemObject)["']/ nocase
  condition:
    filesize < 3MB and $com
}
