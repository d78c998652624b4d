/*
  tourniquet rule pack: persistence tricks in a store's web root: PHP prepended to every
  request through .user.ini / .htaccess / php.ini, images executed as PHP, cron entries and
  scripts that fetch and run code.
  Written by the tourniquet team from public incident write-ups. The well-known legitimate
  use of auto_prepend_file (the Wordfence firewall loader) is excluded by its file name.
  Uses the external variable `filename` (defined by tourniquet, or `yara -d filename=...`).
*/

rule Persistence_AutoPrependFile
{
  meta:
    family = "persistence"
    severity = "high"
    description = "auto_prepend_file / auto_append_file makes PHP load a file before every script"
  strings:
    $ini = /auto_(prepend|append)_file\s*=\s*["']?[^\s"';]{2,}/ nocase
    $ht = /php_(admin_)?value\s+auto_(prepend|append)_file\s+["']?[^\s"']{2,}/ nocase
    $waf = /auto_prepend_file\s*=?\s*["']?[^\n"']{0,300}wordfence-waf\.php/ nocase
    $none = /auto_(prepend|append)_file\s*=?\s*(["']\s*["']|none\b)/ nocase
  condition:
    filesize < 1MB
    and (filename == ".user.ini" or filename == ".htaccess" or filename == "php.ini" or
         filename == "" )
    and ($ini or $ht) and not $waf and not $none
}

rule Persistence_ImagesRunAsPHP
{
  meta:
    family = "persistence"
    severity = "high"
    description = ".htaccess makes image or text extensions run as PHP"
  strings:
    $a = /(AddType|AddHandler)\s+application\/x-httpd-php[\w.-]*\s+[^\n]{0,100}\.(jpe?g|png|gif|ico|svg|txt|css|js|bmp|webp)\b/ nocase
    $b = /<Files(Match)?\s+[^>]{0,200}\.(jpe?g|png|gif|ico|txt|bmp|webp)[^>]{0,100}>\s*[\r\n]+\s*SetHandler\s+application\/x-httpd-php/ nocase
  condition:
    filesize < 1MB and any of them
}

rule Persistence_FetchAndRun
{
  meta:
    family = "persistence"
    severity = "high"
    description = "Cron entry or script that downloads code and runs it"
  strings:
    $pipe = /\b(curl|wget)\s[^\n|;]{1,300}\|\s*(ba|z|da)?sh\b/
    $pipephp = /\b(curl|wget)\s[^\n|;]{1,300}\|\s*php\b/
    $b64 = /base64\s+(-d|--decode)[^\n]{0,100}\|\s*(ba)?sh\b/
    $reboot = /@reboot\s[^\n]{0,200}(curl|wget|php\s+-r|base64|\/dev\/tcp)/
    $devtcp = /\/dev\/tcp\/[0-9a-zA-Z.-]{4,}\/[0-9]{2,5}/
    $phpfetch = /(eval|assert)\s*\(\s*@?(file_get_contents|curl_exec)\s*\(\s*["']https?:\/\//
  condition:
    filesize < 2MB and any of them
}

rule Persistence_PHPWriteBackToCore
{
  meta:
    family = "persistence"
    severity = "high"
    description = "Script that re-plants code into platform files (re-infection routine)"
  strings:
    $w = /file_put_contents\s*\(\s*[^,]{0,200}(index\.php|wp-config\.php|env\.php|\.htaccess|\.user\.ini|functions\.php)["']?\s*,[^;]{0,200}(base64_decode|gzinflate|\$_(POST|GET|REQUEST))/ nocase
    $t = /\btouch\s*\([^;]{0,200}filemtime\s*\(/
  condition:
    filesize < 2MB and $w and $t
}

rule Persistence_SearchReferrerRedirect
{
  meta:
    family = "persistence"
    severity = "high"
    description = ".htaccess sends visitors who arrive from a search engine to another site (cloaked redirect)"
  strings:
    $ref = /RewriteCond\s+%\{HTTP_REFERER\}\s+\(?[^!\s][^\n]{0,160}(google|bing|yahoo|yandex|baidu|duckduckgo|msn|aol)/ nocase
    $out = /RewriteRule\s+\S+\s+https?:\/\/[^\s]+\s+\[([^\]\n]*,)?R(=[0-9]{3})?[,\]]/ nocase
  condition:
    filesize < 1MB and $ref and $out
}
