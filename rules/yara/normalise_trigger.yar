/*
  tourniquet internal rule: which files are worth normalising (lexing, folding, decoding)
  after the raw scan. It names the building blocks of hidden or dynamic code; a PHP or JS
  file with none of them has nothing to fold or decode, and its normalised text could not
  make a rule match that the raw bytes did not. It raises no finding (meta internal).
  Without it (a pack without this file), every code file is normalised.
*/

rule Tourniquet_NormaliseTrigger
{
  meta:
    internal = "normalise"
    description = "Code worth normalising: request input, execution or decoding functions, escapes, string tricks"
  strings:
    $php1 = "$_"
    $php2 = "$$"
    $php3 = "${"
    $php4 = /\b(eval|assert|create_function|preg_replace|call_user_func|array_map|array_filter|usort|uasort|uksort|array_walk|register_shutdown_function|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|include|require|unserialize|mail|fsockopen|move_uploaded_file|getenv|getallheaders)\b/ nocase
    $php5 = /\b(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|urldecode|rawurldecode|convert_uudecode|chr|pack|str_replace|str_ireplace)\s*\(/ nocase
    $php6 = /\\(x[0-9a-fA-F]{2}|[0-7]{3}|u\{)/
    $php7 = /['"]\s*[\^|&]|[\^|&~]\s*['"]/
    $php8 = "php://input"
    $php9 = "`"
    $js1 = /\b(atob|fromCharCode|unescape|decodeURIComponent|Function|WebSocket|Image|sendBeacon|XMLHttpRequest|fetch|createElement|setTimeout|setInterval|_0x[0-9a-f]{2,})\b/
    $js2 = /\\u[0-9a-fA-F]{4}/
    $html = /<script/ nocase
  condition:
    any of them
}
