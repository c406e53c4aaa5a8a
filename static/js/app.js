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

  // Keyboard shortcuts on staff pages (listed in the #shortcuts-help modal of base.html):
  // j/k move a visible selection between queue rows, o or Enter opens it, r focuses the reply box,
  // / focuses the search field, ? opens the help. Ignored while typing in a field.
  var TICKET_LINK = /\/tickets\/[0-9]+\/$/;

  function queueRows() {
    var rows = document.querySelectorAll("main table tbody tr");
    return Array.prototype.filter.call(rows, function (row) {
      return ticketLink(row) !== null;
    });
  }

  function ticketLink(row) {
    var links = row.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (TICKET_LINK.test(links[i].getAttribute("href"))) {
        return links[i];
      }
    }
    return null;
  }

  function moveSelection(step) {
    var rows = queueRows();
    if (!rows.length) {
      return false;
    }
    var current = rows.findIndex(function (row) {
      return row.classList.contains("kbd-selected");
    });
    var next = current < 0 ? 0 : Math.min(Math.max(current + step, 0), rows.length - 1);
    rows.forEach(function (row) {
      row.classList.remove("kbd-selected");
      row.removeAttribute("aria-selected");
    });
    rows[next].classList.add("kbd-selected");
    rows[next].setAttribute("aria-selected", "true");
    rows[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function openSelection() {
    var row = document.querySelector("main tr.kbd-selected");
    var link = row && ticketLink(row);
    if (!link) {
      return false;
    }
    link.click();
    return true;
  }

  function focusFirst(selectors) {
    for (var i = 0; i < selectors.length; i++) {
      var el = document.querySelector(selectors[i]);
      if (el && !el.disabled) {
        el.focus();
        if (typeof el.select === "function" && el.tagName === "INPUT") {
          el.select();
        }
        return true;
      }
    }
    return false;
  }

  function showHelp() {
    var modal = document.getElementById("shortcuts-help");
    if (!modal || !window.bootstrap) {
      return false;
    }
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
    return true;
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (!document.body.hasAttribute("data-shortcuts") || document.querySelector(".modal.show")) {
      return;
    }
    var handled = false;
    switch (event.key) {
      case "j":
        handled = moveSelection(1);
        break;
      case "k":
        handled = moveSelection(-1);
        break;
      case "o":
        handled = openSelection();
        break;
      case "Enter":
        // Only when no link or button has the focus (those handle Enter themselves).
        handled = (event.target === document.body || event.target.tagName === "TR") && openSelection();
        break;
      case "r":
        handled = focusFirst(["#reply_body", "#id_body"]);
        break;
      case "/":
        handled = focusFirst(["#filter-q", "#nav-search"]);
        break;
      case "?":
        handled = showHelp();
        break;
    }
    if (handled) {
      event.preventDefault();
    }
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
