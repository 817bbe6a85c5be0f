// Slide navigation for nbconvert's slide sections, without reveal.js or any download.
// Every leaf <section> (a slide without subslides, or a subslide) is one step; the arrow
// keys, space, Page Up/Down, Home and End move between steps, "n" shows the speaker notes,
// and the address ends in #/<step> so a reload stays on the same slide.
(function () {
  "use strict";
  var root = document.querySelector(".jtbd-slides .slides");
  if (!root) { return; }
  var steps = Array.prototype.filter.call(root.querySelectorAll("section"), function (s) {
    return !s.querySelector("section");
  });
  var number = document.querySelector(".jtbd-slide-number");
  var bar = document.querySelector(".jtbd-slide-progress span");
  var current = 0;

  function show(index) {
    if (!steps.length) { return; }
    current = Math.max(0, Math.min(steps.length - 1, index));
    steps.forEach(function (s) { s.classList.remove("jtbd-current"); });
    Array.prototype.forEach.call(root.querySelectorAll(".jtbd-holds-current"), function (s) {
      s.classList.remove("jtbd-holds-current");
    });
    var step = steps[current];
    step.classList.add("jtbd-current");
    step.scrollTop = 0;
    for (var up = step.parentElement; up && up !== root; up = up.parentElement) {
      if (up.tagName === "SECTION") { up.classList.add("jtbd-holds-current"); }
    }
    if (number) { number.textContent = (current + 1) + " / " + steps.length; }
    if (bar) { bar.style.width = (100 * (current + 1) / steps.length) + "%"; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#/" + (current + 1));
    }
  }

  document.addEventListener("keydown", function (event) {
    var keys = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1 };
    if (event.key in keys) { show(current + keys[event.key]); event.preventDefault(); }
    else if (event.key === "Home") { show(0); }
    else if (event.key === "End") { show(steps.length - 1); }
    else if (event.key === "n") { document.body.classList.toggle("jtbd-show-notes"); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".jtbd-slide-controls button"), function (b) {
    b.addEventListener("click", function () { show(current + Number(b.getAttribute("data-step"))); });
  });
  var match = /^#\/(\d+)$/.exec(window.location.hash);
  show(match ? Number(match[1]) - 1 : 0);
})();
