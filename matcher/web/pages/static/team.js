// The evaluation's page while the job runs: ask every few seconds whether it is done, and then
// load the page again (its result, or that it failed). Without JavaScript, a link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-job][data-state='laeuft']");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var EVERY = 3000;  // ms: the demo evaluation takes about 20 s
  function look() {
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").querySelector("[data-job]");
        if (found && found.getAttribute("data-state") !== "laeuft") {
          window.location.reload();
        } else {
          window.setTimeout(look, EVERY);
        }
      })
      .catch(function () { window.setTimeout(look, EVERY * 2); });
  }
  window.setTimeout(look, EVERY);
})();
