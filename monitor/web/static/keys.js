// Keyboard shortcuts for the queue: j/k move, o or Enter open, c claim, d dismiss (undone with u or
// the Undo button for a few minutes), x select.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.item")); }
  var index = -1;
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    index = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r) { r.classList.remove("current"); });
    all[index].classList.add("current");
    all[index].scrollIntoView({ block: "nearest" });
  }
  function current() { return rows()[index]; }
  function submit(selector) {
    var row = current();
    var form = row && row.querySelector(selector);
    if (form) { form.submit(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var itemClaim = document.getElementById("claim-form");
    switch (event.key) {
      case "j": select(index + 1); break;
      case "k": select(index - 1); break;
      case "o": case "Enter": if (current()) { window.location = current().dataset.url; } break;
      case "c": if (current()) { submit("form.claim"); } else if (itemClaim) { itemClaim.submit(); } break;
      case "d": submit("form.dismiss"); break;
      case "x": if (current()) { var box = current().querySelector("input[type=checkbox]"); if (box) { box.checked = !box.checked; } } break;
      case "u": var undo = document.getElementById("undo-form"); if (undo) { undo.submit(); } break;
      default: return;
    }
    event.preventDefault();
  });
})();
