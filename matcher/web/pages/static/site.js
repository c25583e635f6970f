// A little help on top of plain HTML forms: a busy indicator for longer work, and feedback
// sent without leaving the page. Everything also works without JavaScript.
document.querySelectorAll("form[data-busy]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var busy = form.querySelector(".busy");
    if (busy) { busy.hidden = false; }
    form.setAttribute("aria-busy", "true");
  });
});

document.querySelectorAll("form[data-feedback]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var verdict = event.submitter ? event.submitter.value : "passt";
    var body = {
      query: form.elements.query.value || "(ohne Text)",
      item_kind: form.elements.item_kind.value,
      item_id: form.elements.item_id.value,
      verdict: verdict
    };
    fetch("/api/v1/feedback", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      var note = document.createElement("span");
      note.className = "done";
      note.setAttribute("role", "status");
      note.textContent = response.ok ? "Danke für Ihre Rückmeldung!" : "Rückmeldung konnte nicht gespeichert werden.";
      form.replaceChildren(note);
    });
  });
});

// After a search the page reloads with the results below the form: move focus to their
// heading, which scrolls there on phones and tells screen readers where the answer starts.
(function () {
  var results = document.querySelector("[data-jump] h2[tabindex]");
  if (results && window.location.hash === "#ergebnisse") {
    results.focus();
  }
})();

// „Merken“: a lead list kept in this browser (localStorage), shown on every provider page.
// Nothing is sent to the server; without JavaScript the buttons and the list stay hidden.
(function () {
  var KEY = "smart-region-matcher.merkliste";
  var box = document.querySelector("[data-keep-list]");
  if (!box) { return; }
  var storage;
  try { storage = window.localStorage; storage.getItem(KEY); } catch (e) { return; }

  function load() {
    try { return JSON.parse(storage.getItem(KEY) || "[]") || []; } catch (e) { return []; }
  }
  function save(items) { storage.setItem(KEY, JSON.stringify(items)); render(); }
  function key(item) { return item.provider + "/" + item.id; }

  var provider = box.getAttribute("data-provider");
  var providerName = box.getAttribute("data-provider-name");

  function render() {
    var items = load();
    var list = box.querySelector("[data-keep-items]");
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/kommunen/" + encodeURIComponent(item.id);
      link.textContent = item.name;
      li.appendChild(link);
      var about = item.district ? " (" + item.district + ")" : "";
      if (item.need) { about += " – " + item.need; }
      if (item.provider !== provider) { about += " · für " + item.providerName; }
      li.appendChild(document.createTextNode(about + " "));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = "Entfernen";
      remove.setAttribute("aria-label", item.name + " von der Merkliste entfernen");
      remove.addEventListener("click", function () {
        save(load().filter(function (x) { return key(x) !== key(item); }));
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
    box.querySelector("[data-keep-empty]").hidden = items.length > 0;
    var kept = {};
    items.forEach(function (x) { kept[key(x)] = true; });
    document.querySelectorAll("button[data-keep]").forEach(function (button) {
      var on = kept[provider + "/" + button.getAttribute("data-id")] === true;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.querySelectorAll("button[data-keep]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var item = {
        provider: provider,
        providerName: providerName,
        id: button.getAttribute("data-id"),
        name: button.getAttribute("data-name"),
        district: button.getAttribute("data-district"),
        need: button.getAttribute("data-need")
      };
      var items = load();
      var rest = items.filter(function (x) { return key(x) !== key(item); });
      save(rest.length === items.length ? items.concat([item]) : rest);
    });
  });
  box.hidden = false;
  render();
})();
