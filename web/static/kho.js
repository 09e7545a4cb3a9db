// Kho pages: tooltips on chart marks (their figure and period) and filters
// that apply on change. The pages work without it.
(function () {
  "use strict";
  var tip;
  function show(el, x, y) {
    var text = el.getAttribute("data-tip");
    if (!text) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "tip";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    tip.textContent = text;
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 12, window.innerWidth - w - 8);
    var top = y - h - 12 < 0 ? y + 16 : y - h - 12;
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = top + "px";
  }
  function hide() { if (tip) tip.hidden = true; }
  function at(el) { var r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top]; }
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (el) show(el, e.clientX, e.clientY); else hide();
  });
  document.addEventListener("mousemove", function (e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (el) show(el, e.clientX, e.clientY);
  });
  document.addEventListener("focusin", function (e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (el) { var p = at(el); show(el, p[0], p[1]); } else hide();
  });
  document.addEventListener("focusout", hide);
  document.addEventListener("scroll", hide, true);
  // On a phone the filters start folded (the page shows them open
  // without script).
  var fold = document.getElementById("filters-fold");
  if (fold && window.matchMedia && window.matchMedia("(max-width: 600px)").matches) fold.open = false;
  // Filters: apply on change, dropping empty values from the URL.
  document.addEventListener("change", function (e) {
    var form = e.target.form;
    if (!form || form.id !== "filters") return;
    if (e.target.name === "agency" && e.target.value) form.commune.value = "";
    if (e.target.name === "commune" && e.target.value) form.agency.value = "";
    var q = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v) q.set(k, v); });
    window.location.search = q.toString();
  });
})();
