package report

// htmlCSS keeps the page self-contained: no external style sheet, font or
// image. Diagrams keep their size (they scroll in their box, lane headers
// on top) so their text stays legible however wide the session.
const htmlCSS = `body{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:24px;color:#1a202c;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd5e0;padding-bottom:4px}
h3{font-size:16px;margin:0;display:inline}h4{font-size:15px;margin:14px 0 6px;display:inline-block}
.meta{color:#4a5568;margin:2px 0}.note{color:#975a16;background:#fffaf0;border-left:3px solid #dd6b20;padding:4px 8px}
details.session{border:1px solid #cbd5e0;border-radius:6px;margin:12px 0;padding:6px 10px}
details.session>summary{cursor:pointer;padding:4px 0}
details.timeline>summary{cursor:pointer}
.diagram{overflow:auto;max-height:85vh;border:1px solid #e2e8f0;margin:4px 0 8px}
.diagram .lanes{position:sticky;top:0;z-index:2;background:#fff;width:max-content;box-shadow:0 2px 3px rgba(0,0,0,.12)}
.diagram svg{display:block;max-width:none}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#edf2f7}
table.index thead th,table.steps thead th{position:sticky;top:0;z-index:1}
td.num{text-align:right}td.nw,td.m.nw{white-space:nowrap}
td.m{font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,"Noto Sans Mono CJK SC","WenQuanYi Zen Hei Mono",monospace;white-space:pre-wrap}
tr.alert td{background:#fff5f5;color:#9b2c2c}tr.ack td{color:#718096}
:target{outline:3px solid #ecc94b}
.sev-critical{color:#c53030;font-weight:bold}.sev-warning{color:#c05621;font-weight:bold}.sev-info{color:#4a5568}
.login-success{color:#276749}.login-failed{color:#c53030}
ul.findings li{margin:3px 0}.where{color:#4a5568;font-size:13px}.where a{white-space:nowrap}
ol li,ul li{margin:2px 0}`

// htmlScript draws a session kept as text when it is opened, and opens the
// session a link points into (an index row, a finding, a step), so every
// link of the page lands on what it names.
const htmlScript = `(function(){
function draw(d){
  if(!d||d.getAttribute("data-drawn"))return;
  var src=document.getElementById("c"+d.id);
  if(src){d.querySelector(".body").innerHTML=src.textContent;}
  d.setAttribute("data-drawn","1");
}
document.querySelectorAll("details.session").forEach(function(d){
  if(d.open)d.setAttribute("data-drawn","1");
  d.addEventListener("toggle",function(){if(d.open)draw(d);});
});
function show(){
  var id=decodeURIComponent(location.hash.slice(1)),m=/^s\d+/.exec(id);
  if(!m)return;
  var d=document.getElementById(m[0]);
  if(!d||!d.matches("details.session"))return;
  draw(d);d.open=true;
  var el=document.getElementById(id);
  if(!el)return;
  for(var p=el;p;p=p.parentElement){if(p.tagName==="DETAILS")p.open=true;}
  el.scrollIntoView({block:"center"});
}
window.addEventListener("hashchange",show);
show();
})();`
