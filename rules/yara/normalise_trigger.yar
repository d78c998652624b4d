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
    // Plain strings only (one Aho-Corasick pass, no regular expressions): this rule runs on
    // every file.
    $r1 = "$_GET"
    $r2 = "$_POST"
    $r3 = "$_REQUEST"
    $r4 = "$_COOKIE"
    $r5 = "$_SERVER"
    $r6 = "$_FILES"
    $r7 = "$GLOBALS"
    $r8 = "php://input"
    $r9 = "getenv"
    $r10 = "getallheaders"
    $v1 = "$$"
    $v2 = "${"
    $x1 = "eval" nocase
    $x2 = "assert" nocase
    $x3 = "create_function" nocase
    $x4 = "preg_replace" nocase
    $x5 = "call_user_func" nocase
    $x6 = "array_map" nocase
    $x7 = "system" nocase
    $x8 = "exec" nocase
    $x9 = "passthru" nocase
    $x10 = "popen" nocase
    $x11 = "unserialize" nocase
    $x12 = "mail(" nocase
    $x13 = "fsockopen" nocase
    $x14 = "move_uploaded_file" nocase
    $x15 = "`"
    $x16 = "new COM" nocase
    $x17 = "ReflectionFunction" nocase
    $x18 = "stream_socket" nocase
    $x19 = "socket_create" nocase
    $x20 = "_encrypt(" nocase
    $x21 = "exif_read_data" nocase
    $x22 = "iptcparse" nocase
    $x23 = "import_request_variables" nocase
    $d1 = "base64_decode" nocase
    $d2 = "gzinflate" nocase
    $d3 = "gzuncompress" nocase
    $d4 = "gzdecode" nocase
    $d5 = "str_rot13" nocase
    $d6 = "strrev" nocase
    $d7 = "hex2bin" nocase
    $d8 = "urldecode" nocase
    $d9 = "uudecode" nocase
    $d10 = "chr(" nocase
    $d11 = "pack(" nocase
    $d12 = "\\x"
    $d13 = "'^"
    $d14 = "^'"
    $d15 = "'|"
    $d16 = "|'"
    $d17 = "~'"
    $d18 = "'&"
    $j1 = "atob"
    $j2 = "fromCharCode"
    $j3 = "unescape"
    $j4 = "Function("
    $j5 = "WebSocket"
    $j6 = "Image("
    $j6b = "new Image"
    $j7 = "sendBeacon"
    $j8 = "XMLHttpRequest"
    $j9 = "fetch("
    $j10 = "createElement"
    $j11 = "_0x"
    $j12 = "'action',"
    $j13 = "\"action\","
    $j14 = ".action="
    $j15 = ".action ="
    $j16 = "ajax("
    $j17 = ".post("
    $j18 = "function(p,a,c,k,e,"
    $j19 = "Ajax.Request"
    $j20 = "Ajax.Updater"
    $j21 = "btoa("
    $j22 = "postMessage("
    $j23 = "RTCPeerConnection"
    // Card fields (card data mailed, posted away or written to a file), logins as a fixed
    // account, administrators created in code.
    $c1 = "CcNumber" nocase
    $c2 = "cc_number" nocase
    $c3 = "CcCid" nocase
    $c4 = "cc_cid" nocase
    $c5 = "card_number" nocase
    $c6 = "cardnumber" nocase
    $c7 = "wp_set_auth_cookie"
    $c8 = "wp_set_current_user"
    $c9 = "admin/user"
    $c10 = "UserFactory"
    $c11 = "pre_user_query"
    $c12 = ".ico'" nocase
    $c13 = ".ico\"" nocase
    $c14 = "admin_user" nocase
    $c15 = "api.telegram.org" nocase
    $c16 = "wp_capabilities" nocase
    // A configuration file printed, every account's password selected, other sites on an
    // address looked up.
    $e1 = "readfile(" nocase
    $e2 = "highlight_file" nocase
    $e3 = "show_source" nocase
    $e4 = "echo file_get_contents" nocase
    $e5 = "print file_get_contents" nocase
    $e6 = "echo @file_get_contents" nocase
    $e7 = "pass from" nocase
    $e8 = "password from" nocase
    $e9 = "pwd from" nocase
    $e10 = "passwd from" nocase
    $e11 = "pass` from" nocase
    $e12 = "password` from" nocase
    $e16 = "_fetch_" nocase
    $e17 = "->fetch" nocase
    $e13 = "bing.com/search" nocase
    $e14 = "google.com/search" nocase
    $e15 = "reverseip" nocase
    $e18 = "sess_"
    // A form posting to a URL (a card form sent to another host).
    $f1 = "action=\"http" nocase
    $f2 = "action='http" nocase
    $f3 = "action=\"//" nocase
    $h1 = "<script" nocase
    // Names and payloads assembled from pieces: "s"."s", $k[5].$k[3], str_replace('Zk','',..)
    $b1 = "\".\""
    $b2 = "'.'"
    $b3 = "].$"
    $b4 = "str_replace" nocase
    $b5 = "strtr(" nocase
    $b6 = "*/\""
    $b7 = "*/'"
  condition:
    any of them
}
