(function () {
  "use strict";
  function checked(name) {
    var out = {};
    var boxes = document.querySelectorAll('input[data-filter="' + name + '"]');
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { out[boxes[i].value] = true; } }
    return out;
  }
  function allChecked(name) {
    var boxes = document.querySelectorAll('input[data-filter="' + name + '"]');
    for (var i = 0; i < boxes.length; i++) { if (!boxes[i].checked) { return false; } }
    return true;
  }
  function apply() {
    var concepts = checked("concept"), outcomes = checked("outcome"), paths = checked("path");
    var everything = allChecked("concept") && allChecked("outcome");
    var sections = document.querySelectorAll("[data-path-section]");
    for (var i = 0; i < sections.length; i++) {
      sections[i].classList.toggle("hidden", !paths[sections[i].getAttribute("data-path-section")]);
    }
    var rows = document.querySelectorAll("tr.segment");
    var shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var pairs = (rows[r].getAttribute("data-pairs") || "").split(" ");
      var visible = everything;
      for (var p = 0; p < pairs.length && !visible; p++) {
        if (!pairs[p]) { continue; }
        var cut = pairs[p].lastIndexOf("|");
        if (concepts[pairs[p].slice(0, cut)] && outcomes[pairs[p].slice(cut + 1)]) { visible = true; }
      }
      rows[r].classList.toggle("hidden", !visible);
      var section = rows[r].closest("[data-path-section]");
      if (visible && (!section || paths[section.getAttribute("data-path-section")])) { shown++; }
    }
    var marks = document.querySelectorAll("mark.term[data-concept]");
    for (var m = 0; m < marks.length; m++) {
      var on = concepts[marks[m].getAttribute("data-concept")] && outcomes[marks[m].getAttribute("data-outcome")];
      marks[m].classList.toggle("dimmed", !on);
    }
    var summaryRows = document.querySelectorAll("tr.summary-row");
    for (var s = 0; s < summaryRows.length; s++) {
      var c = summaryRows[s].getAttribute("data-concept");
      var keep = paths[summaryRows[s].getAttribute("data-path")] && (c === "(all)" || concepts[c]);
      summaryRows[s].classList.toggle("hidden", !keep);
    }
    var count = document.getElementById("shown-count");
    if (count) { count.textContent = String(shown); }
  }
  function setAll(name, value) {
    var boxes = document.querySelectorAll('input[data-filter="' + name + '"]');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = value; }
    apply();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("input[data-filter]");
    for (var i = 0; i < boxes.length; i++) { boxes[i].addEventListener("change", apply); }
    var buttons = document.querySelectorAll("button[data-set]");
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener("click", function (event) {
        var target = event.currentTarget;
        setAll(target.getAttribute("data-set"), target.getAttribute("data-value") === "on");
      });
    }
    var open = document.getElementById("open-all"), close = document.getElementById("close-all");
    function toggleDocs(state) {
      var docs = document.querySelectorAll("details.doc");
      for (var d = 0; d < docs.length; d++) { docs[d].open = state; }
    }
    if (open) { open.addEventListener("click", function () { toggleDocs(true); }); }
    if (close) { close.addEventListener("click", function () { toggleDocs(false); }); }
    document.body.setAttribute("data-ready", "1");
    apply();
  });
})();
