// Unit pickers: an "add a unit" button (its text is the fieldset's data-add-label,
// translated by the page) that adds one more picker input (without JavaScript the
// form has spare empty inputs instead).
(function () {
  "use strict";
  document.querySelectorAll("[data-unit-pickers]").forEach(function (set) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = set.getAttribute("data-add-label");
    button.addEventListener("click", function () {
      var rows = set.querySelectorAll("p > input");
      var last = rows[rows.length - 1].parentNode;
      var row = last.cloneNode(true);
      var input = row.querySelector("input");
      var n = rows.length + 1;
      input.id = input.id.replace(/-\d+$/, "-" + n);
      input.value = "";
      var text = row.querySelector("label");
      text.htmlFor = input.id;
      text.textContent = text.textContent.replace(/\d+$/, String(n));
      last.parentNode.insertBefore(row, button);
      input.focus();
    });
    set.appendChild(button);
  });
})();
