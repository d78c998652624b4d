/*
  tourniquet rule pack: payment card skimmers (Magecart-style JavaScript, in static files,
  templates, PHP that echoes them, or database-stored scripts).
  Written by the tourniquet team from public descriptions of real skimmers (Sansec, RiskIQ,
  Malwarebytes write-ups). Each rule needs two or more independent traits of a skimmer
  (collecting card fields, an exfiltration channel, an encoding or obfuscation step), so
  minified libraries, packed jQuery plugins and payment SDKs that show one trait alone do
  not match.
  meta: family (skimmer), severity (low|medium|high|critical), description.
*/

rule Skimmer_JS_CheckoutHarvester
{
  meta:
    family = "skimmer"
    severity = "critical"
    description = "Collects checkout form fields including card data and sends them out"
  strings:
    $page1 = /(location|document\.URL|location\.href|location\.pathname)[^;\n]{0,120}(checkout|onestep|onepage|firecheckout|payment)/ nocase
    $page2 = /["'](checkout|onestepcheckout|onepage|firecheckout)["']\s*\)\s*(>|!=|>=)\s*-?[0-9]/ nocase
    $grab1 = /(querySelectorAll|getElementsByTagName)\(\s*["'](input|select|textarea|form)/
    $grab2 = /\.(serialize|serializeArray)\(\)/
    $grab3 = "new FormData("
    $card = /(cc_?number|card_?number|cardnumber|cc_?cid|cc[-_]?cvv|\bcvv2?\b|\bcvc\b|cc_?exp|card_?holder|payment\[cc_|cc-number|card-number|credit_?card)/ nocase
    $out1 = /new\s+WebSocket\s*\(/
    $out2 = /new\s+Image\s*\(/
    $out3 = "sendBeacon("
    $out4 = /\.open\(\s*["']POST["']\s*,\s*["']https?:\/\// nocase
    $out5 = /createElement\(\s*["'](script|img|iframe)["']\s*\)/
    $enc = /\b(btoa|atob|JSON\.stringify|encodeURIComponent|escape)\s*\(/
  condition:
    filesize < 8MB and any of ($page*) and any of ($grab*) and $card
    and any of ($out*) and $enc
}

rule Skimmer_JS_WebSocketLoader
{
  meta:
    family = "skimmer"
    severity = "critical"
    description = "Opens a WebSocket and runs the code the server sends back (WebSocket skimmer loader)"
  strings:
    $ws1 = /new\s+WebSocket\s*\(\s*(atob\s*\(|["']wss?:\/\/|String\.fromCharCode|\w+\s*\()/
    $ws2 = "WebSocket" base64
    $msg = /\.onmessage\s*=|addEventListener\(\s*["']message["']/
    $run1 = /\beval\s*\(/
    $run2 = /new\s+Function\s*\(/
    $run3 = /\bFunction\s*\(\s*\w+\.data/
    $run4 = /createElement\(\s*["']script["']\s*\)[^;]{0,40};[^;]{0,200}\.(text|innerHTML|textContent|src)\s*=\s*[^;]{0,60}\.data/
  condition:
    filesize < 8MB and any of ($ws*) and $msg and any of ($run*)
}

rule Skimmer_JS_ImageBeaconExfil
{
  meta:
    family = "skimmer"
    severity = "high"
    description = "Sends encoded form data to a hard-coded host through an image request"
  strings:
    $img = /new\s+Image\s*\(\s*\)/
    $src = /\.src\s*=\s*(["']https?:\/\/[^"'\n]{4,200}["']|atob\s*\([^)]{4,200}\)|\w{1,40})\s*\+\s*[^;\n]{0,40}(btoa|encodeURIComponent|escape)\s*\(/
    $grab1 = /(querySelectorAll|getElementsByTagName)\(\s*["'](input|select|form)/
    $grab2 = /\.(serialize|serializeArray)\(\)/
    $grab3 = /(cc_?number|card_?number|cardnumber|cc_?cid|\bcvv2?\b|cc_?exp|billing[_\[]|payment\[)/ nocase
  condition:
    filesize < 8MB and $img and $src and any of ($grab*)
}

rule Skimmer_JS_EncodedCheckoutStrings
{
  meta:
    family = "skimmer"
    severity = "high"
    description = "Base64-hidden checkout, card or exfiltration strings decoded with atob"
  strings:
    $atob = /\batob\s*\(/
    $b1 = "onestepcheckout" base64
    $b2 = "checkout" base64
    $b3 = "cc_number" base64
    $b4 = "cardnumber" base64
    $b5 = "wss://" base64
    $b6 = "new WebSocket" base64
    $b7 = "getElementsByTagName" base64
    $b8 = "querySelectorAll" base64
    $b9 = "payment[cc_" base64
    $b10 = "cc_cid" base64
    $b11 = "localStorage" base64
  condition:
    filesize < 8MB and $atob and 2 of ($b*)
}

rule Skimmer_JS_CharCodeLoader
{
  meta:
    family = "skimmer"
    severity = "high"
    description = "Script source or code built from a long String.fromCharCode list and executed or injected"
  strings:
    $cc = /String\.fromCharCode\(\s*([0-9]{2,3}\s*,\s*){40,}/
    $run1 = /\beval\s*\(/
    $run2 = /createElement\(\s*["']script["']\s*\)/
    $run3 = /new\s+Function\s*\(/
    $net = /(WebSocket|XMLHttpRequest|sendBeacon|new\s+Image)/
  condition:
    filesize < 8MB and $cc and any of ($run*) and $net
}

rule Skimmer_JS_FakePaymentForm
{
  meta:
    family = "skimmer"
    severity = "critical"
    description = "Injects a fake card form into checkout and stores or sends what is typed"
  strings:
    $html = /(innerHTML|insertAdjacentHTML|\.append|\.html)\s*\(?\s*=?\s*["'`][^"'`]{0,400}<input[^>]{0,200}(cc_?number|card_?number|cardnumber|cvv|cvc|cc_?exp)/ nocase
    $store1 = "localStorage.setItem"
    $store2 = "document.cookie"
    $out1 = /new\s+WebSocket\s*\(/
    $out2 = /new\s+Image\s*\(/
    $out3 = "sendBeacon("
    $out4 = /\.open\(\s*["']POST["']/ nocase
    $enc = /\b(btoa|JSON\.stringify|encodeURIComponent)\s*\(/
  condition:
    filesize < 8MB and $html and $enc and (any of ($store*) or any of ($out*))
}

rule Skimmer_JS_CardNumberPatternExfil
{
  meta:
    family = "skimmer"
    severity = "critical"
    description = "Reads every form field, waits for a card-number-shaped value, and posts the fields out"
  strings:
    $grab1 = /(querySelectorAll|getElementsByTagName)\(\s*["'](input|select|textarea|form)/
    $grab2 = /\.(serialize|serializeArray)\(\)/
    $grab3 = "new FormData("
    // A card number test: 13 to 19 digits, as skimmers check before sending.
    $pan1 = /\\d\{1[2-6],1[6-9]\}/
    $pan2 = /\[0-9\]\{1[2-6],1[6-9]\}/
    $out1 = /new\s+WebSocket\s*\(/
    $out2 = /new\s+Image\s*\(/
    $out3 = "sendBeacon("
    $out4 = /\.open\(\s*["']POST["']\s*,\s*["']https?:/ nocase
    $out5 = /fetch\(\s*["']https?:/
    $enc = /\b(btoa|JSON\.stringify|encodeURIComponent)\s*\(/
  condition:
    filesize < 8MB and any of ($grab*) and any of ($pan*) and any of ($out*) and $enc
}
