// The question editor: shows only the fields of the chosen type, and adds or removes
// option rows in place. Without it the page still works: both fieldsets show, and
// the "Thêm phương án" / "Xóa" buttons submit the form, which comes back changed.
// Enter in a field presses the form's hidden first button, a preview like the
// visible one: it is left to submit the form.
(function () {
  "use strict";
  var form = document.getElementById("question-editor");
  var rows = document.getElementById("option-rows");
  if (!form || !rows) return;
  var type = form.querySelector("select[name=type]");
  var min = parseInt(rows.getAttribute("data-min"), 10);
  var max = parseInt(rows.getAttribute("data-max"), 10);
  var addButton = form.querySelector("[data-add-option]");

  function showFieldsOf(kind) {
    form.querySelectorAll("[data-for-types]").forEach(function (fieldset) {
      var types = fieldset.getAttribute("data-for-types").split(" ");
      fieldset.hidden = types.indexOf(kind) < 0;
    });
  }

  function rowList() { return rows.querySelectorAll("[data-option-row]"); }

  // The last number of each text of `el` (not of its whole text: a checkbox's
  // label keeps its visually hidden part "Phương án n:" apart from "Đúng").
  function setNumber(el, n) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var text = walker.currentNode;
      text.nodeValue = text.nodeValue.replace(/\d+(?!.*\d)/, String(n));
    }
  }

  // Labels and buttons say "Phương án 1…n" again after a change; the field names
  // keep their numbers (the server reads the rows in the order of their numbers).
  function renumber() {
    var list = rowList();
    list.forEach(function (row, i) {
      row.querySelectorAll("label, button").forEach(function (el) { setNumber(el, i + 1); });
      row.querySelector("[data-remove-option]").disabled = list.length <= min;
    });
    if (addButton) addButton.disabled = list.length >= max;
  }

  function addRow() {
    var list = rowList();
    if (list.length >= max) return;
    var last = list[list.length - 1];
    var next = 0;
    rows.querySelectorAll("input[name^='options-']").forEach(function (input) {
      var n = parseInt(input.name.split("-")[1], 10);
      if (n + 1 > next) next = n + 1;
    });
    var row = last.cloneNode(true);
    row.querySelectorAll("[id], [for], [name]").forEach(function (el) {
      ["id", "for", "name"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/^options-\d+-/, "options-" + next + "-"));
      });
    });
    row.querySelectorAll("[data-row-error]").forEach(function (error) { error.remove(); });
    row.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".has-error").forEach(function (field) { field.classList.remove("has-error"); });
    row.querySelectorAll("input[type=text], input:not([type])").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
    rows.appendChild(row);
    renumber();
    row.querySelector("input").focus();
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("[data-add-option]")) {
      event.preventDefault();
      addRow();
    } else if (target.matches("[data-remove-option]")) {
      event.preventDefault();
      if (rowList().length <= min) return;
      var row = target.closest("[data-option-row]");
      var focusNext = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      if (focusNext) focusNext.querySelector("input").focus();
    }
  });

  if (type) {
    type.addEventListener("change", function () { showFieldsOf(type.value); });
    showFieldsOf(type.value);
  }
  renumber();
})();
