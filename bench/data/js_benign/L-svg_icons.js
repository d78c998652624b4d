// benign: inline SVG icons fetched and inserted as markup; a module loader evaluating modules.
fetch('/static/icons/sprite.svg').then(function (r) { return r.text(); }).then(function (t) {
  document.getElementById('icons').innerHTML = t;
});
define('loader', [], function () { return function (src) { return new Function('module', src); }; });
