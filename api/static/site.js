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
