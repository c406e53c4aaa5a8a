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
