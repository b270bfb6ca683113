// The print button (no inline handlers: the CSP forbids them).
(function () {
  "use strict";
  var button = document.getElementById("print-now");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
