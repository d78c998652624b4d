var G=[];G[0]=G;function d(s){var a=[];a[0]=a;var o={};o.k=o;var f=function(){return a};a[1]=f;function h(){return h}return s.charAt(0)+h.name}
var t=d('kwwsv');
