// linksim's screens work without this file; with it they are kinder: each behaviour is opted into by an attribute.
(function () {
  "use strict";

  // <button data-go-back hidden>: shown when there is a page to go back to.
  function wireGoBack(button) {
    if (window.history.length > 1) {
      button.hidden = false;
    }
    button.addEventListener("click", function () { window.history.back(); });
  }

  // <button data-enabled-by="ID">: disabled until the checkbox ID is ticked (the server checks it again).
  function wireEnabledBy(button) {
    var box = document.getElementById(button.getAttribute("data-enabled-by"));
    if (!box) {
      return;
    }
    var hint = document.getElementById(button.getAttribute("aria-describedby") || "");
    function follow() {
      button.disabled = !box.checked;
      if (hint) {
        hint.hidden = box.checked;
      }
    }
    box.addEventListener("change", follow);
    follow();
  }

  // <form data-json-post>: posts its fields as JSON (the /_sim controls take JSON only), shows the answer in
  // the element data-result names, and reloads the page once it succeeded.
  function wireJsonPost(form) {
    var result = document.getElementById(form.getAttribute("data-result"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        return;
      }
      var body = JSON.parse(form.getAttribute("data-body") || "{}");
      var headers = { "Content-Type": "application/json", "Accept": "application/json" };
      var token = form.querySelector("[name=control_token]");
      if (token && token.value) {
        headers.Authorization = "Bearer " + token.value;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      result.textContent = "Working…";
      result.setAttribute("data-status", "busy");
      fetch(form.getAttribute("action"), { method: "POST", headers: headers, body: JSON.stringify(body),
                                           credentials: "same-origin" })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) {
            if (!response.ok) {
              throw new Error(answer.message || ("HTTP " + response.status));
            }
            result.textContent = form.getAttribute("data-done") || "Done.";
            result.setAttribute("data-status", "done");
            window.setTimeout(function () { window.location.reload(); }, 600);
          });
        })
        .catch(function (error) {
          result.textContent = error.message;
          result.setAttribute("data-status", "failed");
          button.disabled = false;
        });
    });
  }

  // <div data-follow-state="URL" data-state="S" data-consent-status="C">: asks URL (JSON: state, consent_status)
  // every 1.5 s; a new consent status is shown in place (a scan), a new state reloads the page (consent, expiry,
  // review), so a keyboard user's focus stays put while nothing changed. Without a script the page reloads itself.
  function wireFollowState(element) {
    var url = element.getAttribute("data-follow-state");
    var status = element.querySelector("[data-testid=consent-status]");
    function ask() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && answer.state !== element.getAttribute("data-state")) {
            window.location.reload();
            return;
          }
          if (answer && status && answer.consent_status !== element.getAttribute("data-consent-status")) {
            element.setAttribute("data-consent-status", answer.consent_status);
            status.textContent = answer.consent_status;
          }
          window.setTimeout(ask, 1500);
        })
        .catch(function () { window.setTimeout(ask, 3000); });
    }
    window.setTimeout(ask, 1500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-follow-state]").forEach(wireFollowState);
    document.querySelectorAll("[data-go-back]").forEach(wireGoBack);
    document.querySelectorAll("[data-enabled-by]").forEach(wireEnabledBy);
    document.querySelectorAll("form[data-json-post]").forEach(wireJsonPost);
  });
})();
