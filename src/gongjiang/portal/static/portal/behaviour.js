// Page behaviour that used to sit in inline event handlers, which the Content-Security-Policy
// refuses: a select marked data-autosubmit submits its form on change, a button marked
// data-print prints the page, a button with data-confirm asks first, a link marked data-back
// goes back a page. On a phone's width the menu folds behind its 菜单 button (it is open in the
// page itself, so that without scripts every link stays reachable).
document.addEventListener("change", function (evt) {
  var target = evt.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("click", function (evt) {
  var target = evt.target instanceof Element ? evt.target.closest("[data-print], [data-confirm], [data-back]") : null;
  if (!target) { return; }
  if (target.hasAttribute("data-print")) {
    window.print();
  } else if (target.hasAttribute("data-back")) {
    evt.preventDefault();
    window.history.back();
  } else if (!window.confirm(target.getAttribute("data-confirm"))) {
    evt.preventDefault();
  }
});
(function () {
  var menu = document.querySelector("details[data-navmenu]");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 720px)");
  function fit() { menu.open = !phone.matches; }
  fit();
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
})();
