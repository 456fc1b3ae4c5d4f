/*
 * Renders the page's Mermaid diagrams and lets each one be opened full-window: a button before the
 * diagram (or a click on it) moves its SVG into a dialog that scales it to the window's width, never
 * below its natural size, so labels keep Mermaid's 16 px; Escape or the close button puts it back.
 * A file of the site, not an inline script: the pages' Content-Security-Policy runs only the site's own
 * scripts, and no element carries an event handler attribute.
 */
/* exported devopsWeeksDiagrams */
function devopsWeeksDiagrams(config, texts) {
  "use strict";
  var MAX_ZOOM = 2;
  var text = texts[document.documentElement.lang] || texts[Object.keys(texts)[0]];
  // The viewer's style sheet sits beside this script in assets/.
  if (document.currentScript) {
    var sheet = document.createElement("link");
    sheet.rel = "stylesheet";
    sheet.href = new URL("diagram-viewer.css", document.currentScript.src).href;
    document.head.appendChild(sheet);
  }

  mermaid.initialize(config);
  var start = function () {
    var diagrams = Array.prototype.slice.call(document.querySelectorAll("pre.mermaid"));
    if (diagrams.length === 0) return;
    var done = function () {
      diagrams.forEach(attach);
    };
    mermaid.run({ nodes: diagrams }).then(done, function (error) {
      // A diagram Mermaid could not draw shows its error in place; the others still open full-window.
      done();
      throw error;
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  function attach(pre) {
    if (!pre.querySelector("svg")) return;
    var open = document.createElement("button");
    open.type = "button";
    open.className = "diagram-enlarge";
    open.textContent = text.enlarge;
    pre.parentNode.insertBefore(open, pre);
    pre.classList.add("diagram-zoomable");
    open.addEventListener("click", function () {
      show(pre, open);
    });
    pre.addEventListener("click", function () {
      show(pre, open);
    });
  }

  function show(pre, opener) {
    var svg = pre.querySelector("svg");
    if (!svg || document.querySelector(".diagram-viewer")) return;
    var box = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal : svg.getBBox();
    var saved = { width: svg.getAttribute("width"), height: svg.getAttribute("height"), style: svg.getAttribute("style") };
    // The page keeps the diagram's place while the SVG itself is in the dialog.
    var placeholder = document.createElement("div");
    placeholder.className = "diagram-placeholder";
    placeholder.style.height = svg.getBoundingClientRect().height + "px";

    var dialog = document.createElement("div");
    dialog.className = "diagram-viewer";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", text.title);
    var bar = document.createElement("div");
    bar.className = "diagram-viewer-bar";
    var title = document.createElement("span");
    title.textContent = text.title;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "diagram-viewer-close";
    close.textContent = text.close;
    bar.appendChild(title);
    bar.appendChild(close);
    var body = document.createElement("div");
    body.className = "diagram-viewer-body";
    // Focusable, so the arrow keys scroll a diagram wider or taller than the window.
    body.tabIndex = 0;
    dialog.appendChild(bar);
    dialog.appendChild(body);
    document.body.appendChild(dialog);

    svg.parentNode.insertBefore(placeholder, svg);
    body.appendChild(svg);
    var available = body.clientWidth - 32;
    var zoom = Math.min(MAX_ZOOM, Math.max(1, available / box.width));
    svg.removeAttribute("style");
    svg.style.maxWidth = "none";
    svg.setAttribute("width", String(Math.round(box.width * zoom)));
    svg.setAttribute("height", String(Math.round(box.height * zoom)));
    document.documentElement.classList.add("diagram-viewer-open");

    var onKey = function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        hide();
      } else if (event.key === "Tab") {
        // Focus stays in the dialog: the close button and the scrollable diagram.
        event.preventDefault();
        (document.activeElement === close ? body : close).focus();
      }
    };
    var hide = function () {
      document.removeEventListener("keydown", onKey, true);
      ["width", "height", "style"].forEach(function (name) {
        if (saved[name] === null) svg.removeAttribute(name);
        else svg.setAttribute(name, saved[name]);
      });
      placeholder.parentNode.replaceChild(svg, placeholder);
      dialog.parentNode.removeChild(dialog);
      document.documentElement.classList.remove("diagram-viewer-open");
      opener.focus();
    };
    close.addEventListener("click", hide);
    document.addEventListener("keydown", onKey, true);
    close.focus();
  }
}
