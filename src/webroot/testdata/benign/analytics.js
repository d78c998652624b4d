(function(w,d){function send(ev){var img=new Image();img.src="https://stats.example-analytics.test/collect?e="+encodeURIComponent(JSON.stringify({ev:ev,p:location.pathname,r:d.referrer}));}
w.addEventListener("load",function(){send("pageview");});})(window,document);
