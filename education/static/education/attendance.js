/* The attendance sheet: a name filter over a long list (a 42-person branch on a phone). Each row carries
   data-name; a party group's heading hides when none of its rows match. No framework, no inline script (CSP). */
(function () {
  "use strict";
  function apply(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) return;
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    var heading = null, headingHasRows = false;
    function closeHeading() { if (heading) heading.hidden = !headingHasRows; }
    Array.prototype.forEach.call(list.children, function (item) {
      if (item.classList.contains("att-group")) {
        closeHeading();
        heading = item; headingHasRows = false;
        return;
      }
      var name = (item.getAttribute("data-name") || "").toLowerCase();
      if (!item.hasAttribute("data-name")) return;
      var match = !needle || name.indexOf(needle) !== -1;
      item.hidden = !match;
      if (match) { shown += 1; headingHasRows = true; }
    });
    closeHeading();
    var none = document.getElementById(input.getAttribute("data-empty"));
    if (none) none.hidden = shown > 0;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-attendance-filter]")) apply(event.target);
  });
  /* htmx swaps a row after a tap: keep the filter applied to the new row */
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("input[data-attendance-filter]").forEach(apply);
  });
})();
