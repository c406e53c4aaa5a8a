/* Behaviour of the server-rendered pages. No inline scripts: everything hangs on data- attributes. */
(function () {
  "use strict";

  // Readable text on an admin-chosen badge colour (#rrggbb): white where it reaches the WCAG AA
  // contrast ratio of 4.5, black otherwise.
  function channel(value) {
    var c = value / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  function textColorFor(hex) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) {
      return null;
    }
    var luminance = 0.2126 * channel(parseInt(m[1], 16)) + 0.7152 * channel(parseInt(m[2], 16)) +
      0.0722 * channel(parseInt(m[3], 16));
    return 1.05 / (luminance + 0.05) >= 4.5 ? "#fff" : "#000";
  }

  function colorBadges(root) {
    var badges = (root || document).querySelectorAll("[data-color]");
    Array.prototype.forEach.call(badges, function (el) {
      var color = el.getAttribute("data-color");
      var text = textColorFor(color);
      if (text) {
        // Setting styles from script is allowed by the CSP; inline style attributes are not.
        el.style.backgroundColor = color;
        el.style.color = text;
      }
    });
  }

  // Ask before destructive actions (forms with data-confirm="question").
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // "Select all" in the queue: ticks every row checkbox that belongs to the named form.
  document.addEventListener("change", function (event) {
    var all = event.target;
    var formId = all && all.getAttribute && all.getAttribute("data-check-all");
    if (!formId) {
      return;
    }
    var boxes = document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + formId + '"]');
    Array.prototype.forEach.call(boxes, function (box) {
      box.checked = all.checked;
    });
  });

  // Canned replies: choosing one fetches its text, filled in for the ticket, into the reply box
  // (select[data-canned-select="<base url>"], data-canned-target="<textarea id>").
  document.addEventListener("change", function (event) {
    var select = event.target;
    var base = select && select.getAttribute && select.getAttribute("data-canned-select");
    var target = base && document.getElementById(select.getAttribute("data-canned-target"));
    if (!target || !/^[0-9]+$/.test(select.value)) {
      return;
    }
    fetch(base + select.value + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (canned) {
        var text = target.value;
        var at = typeof target.selectionStart === "number" ? target.selectionStart : text.length;
        target.value = text.slice(0, at) + canned.body + text.slice(target.selectionEnd || at);
        target.focus();
        target.setSelectionRange(at + canned.body.length, at + canned.body.length);
      })
      .catch(function () {
        select.setCustomValidity("This canned reply could not be loaded.");
        select.reportValidity();
        select.setCustomValidity("");
      });
  });

  function init(root) {
    colorBadges(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (window.htmx) {
      // onLoad also runs for every piece of content htmx swaps in (boosted pages, partials).
      window.htmx.onLoad(init);
    }
  });
})();
