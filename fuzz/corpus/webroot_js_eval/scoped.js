var T,K;const N=[2,'slice',0x1];function z(){z=function(){}}
var dec=(function(){var t='abcdefgh';return function(i){return t.charAt(i)}})();
function d(a,b){z();var s;try{s=global}catch(e){s=window}return T[N[1]](a,a+b).split('').reverse().join('')+dec(N[2])}
function g(k){switch(k){case 'a':return window['doc'+'ument'];case 'b':return unescape;default:return typeof Buffer}}
function e(...r){var [x,y='-',...w]=r;l:for(var i=0;i<2;i++){for(;;){continue l}}return x+y+w.join('')+new TextDecoder().decode(new Uint8Array([104,105]))}
T='..olleh..';q(d(2,N[0]),d(4,3),g('a'),e('p'),f('x'));
if(T){function f(s){var d=s;return d+d}}
