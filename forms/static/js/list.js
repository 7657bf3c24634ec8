// The list page: a box that ticks every record on the page for the bulk actions.
// Without this script each record is ticked on its own.
(function () {
  "use strict";
  var all = document.querySelector("table.records .select-all");
  if (!all) { return; }
  var boxes = document.querySelectorAll('table.records input[name="ids"]');
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      all.checked = ticked.length === boxes.length;
      all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
    });
  });
}());
