// The timeline page (/_sim/): asks the world's feed every second and shows it; its buttons call the controls.
// Everything is written with textContent (never HTML), and a part of the page is rebuilt only when what it shows
// changed, keeping the keyboard's focus where it was.
(function () {
  "use strict";

  var TOKEN_KEY = "linksim.controlToken";
  var POLL_MS = 1000;
  var root, urls;
  var cursor = null;
  var events = new Map();  // seq -> event, every event the page holds
  var worldNow = null;
  var accounts = [];
  var holders = new Map();  // flow id -> the account chosen in its holder select
  var shown = {};  // part -> the signature of what it shows
  var timer = null;
  var waitingForToken = false;
  var firstAnswer = true;

  function byId(id) { return document.getElementById(id); }

  function make(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { element.textContent = value; } else { element.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        element.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return element;
  }

  // --- talking to the controls ------------------------------------------------------------------------------

  function token() { return window.sessionStorage.getItem(TOKEN_KEY) || ""; }

  function call(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (token()) { headers.Authorization = "Bearer " + token(); }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (!response.ok) {
            var refusal = new Error(answer.message || ("HTTP " + response.status));
            refusal.code = answer.code || String(response.status);
            refusal.status = response.status;
            refusal.violations = answer.violations || [];
            throw refusal;
          }
          return answer;
        });
      });
  }

  // Every refusal of a control is shown with its message (and what it was answering).
  function showRefusal(what, error) {
    if (error.code === "control_token_invalid") { askForToken(); }
    var box = byId("refusals");
    var messages = error.violations && error.violations.length > 1
      ? error.violations.map(function (v) { return v.message; }) : [error.message];
    var dismiss = make("button", { type: "button", "class": "secondary", "data-testid": "dismiss-refusal",
                                   text: "Dismiss" });
    var item = make("div", { "class": "refusal", "data-testid": "refusal", "data-code": error.code || "network" }, [
      make("p", {}, [make("strong", { text: what + ": " }), messages.join(" ")]), dismiss]);
    dismiss.addEventListener("click", function () {
      item.remove();
      byId("clock-heading").setAttribute("tabindex", "-1");
      byId("clock-heading").focus();
    });
    box.insertBefore(item, box.firstChild);
    while (box.children.length > 5) { box.removeChild(box.lastChild); }
  }

  function showDone(text) {
    var done = byId("last-action");
    done.textContent = text;
    done.hidden = false;
  }

  // While its call is under way a button says so and ignores presses; it is not disabled, which would take the
  // keyboard's focus away from it.
  function isBusy(button) { return button.getAttribute("aria-busy") === "true"; }

  function busy(button, promise) {
    button.setAttribute("aria-busy", "true");
    return promise.then(function (answer) {
      button.removeAttribute("aria-busy");
      return answer;
    }, function (error) {
      button.removeAttribute("aria-busy");
      throw error;
    });
  }

  // --- the control token ------------------------------------------------------------------------------------

  function askForToken() {
    waitingForToken = true;
    var section = byId("token-section");
    var wasHidden = section.hidden;
    section.hidden = false;
    if (wasHidden) { byId("control-token").focus(); }
    setLive("failed", "Waiting for the control token");
  }

  function wireToken() {
    byId("token-form").addEventListener("submit", function (event) {
      event.preventDefault();
      window.sessionStorage.setItem(TOKEN_KEY, byId("control-token").value.trim());
      byId("control-token").value = "";
      byId("token-section").hidden = true;
      waitingForToken = false;
      document.querySelectorAll('[data-testid=refusal][data-code="control_token_invalid"]').forEach(function (old) {
        old.remove();  // answered: a wrong token shows again at the next call
      });
      showDone("The control token is kept in this tab.");
      loadWorlds();
      poll();
    });
  }

  // --- the feed ---------------------------------------------------------------------------------------------

  function setLive(state, text) {
    var live = byId("live-status");
    live.setAttribute("data-state", state);
    live.textContent = text;
  }

  var lastFeedRefusal = "";
  var asked = 0;  // the polls made: an answer to any but the latest is dropped, and only the latest asks again

  function poll() {
    window.clearTimeout(timer);
    if (waitingForToken) { return; }
    var mine = ++asked;
    var url = urls.feed + (cursor ? "?after=" + encodeURIComponent(cursor) : "");
    call("GET", url).then(function (answer) {
      if (mine !== asked) { return; }
      lastFeedRefusal = "";
      render(answer);
      setLive("live", "Live · the world's time " + answer.now_text);
      timer = window.setTimeout(poll, answer.more ? 0 : POLL_MS);
    }, function (error) {
      if (mine !== asked) { return; }
      setLive("failed", "Not updating: " + error.message);
      var seen = error.code + error.message;
      if (seen !== lastFeedRefusal && error.status) { showRefusal("The timeline", error); }
      lastFeedRefusal = seen;
      if (!waitingForToken) { timer = window.setTimeout(poll, error.status ? 5000 : 2000); }
    });
  }

  function render(answer) {
    worldNow = Date.parse(answer.now);
    accounts = answer.accounts;
    renderClock(answer);
    var arrived = takeEvents(answer);
    renderEvents(answer, arrived);
    renderFlows(answer);
    renderParties(answer);
    renderFaults(answer.faults);
    refreshAgo();
    if (arrived.length && !firstAnswer) {
      byId("announcer").textContent = arrived.map(function (e) { return e.words; }).join(". ");
    }
    firstAnswer = false;
  }

  function renderClock(answer) {
    var now = byId("clock-now");
    now.textContent = answer.now_text;
    now.setAttribute("datetime", answer.now);
    var state = byId("clock-state");
    state.textContent = answer.movable ? (answer.frozen ? "frozen" : "running") : "the system clock: it cannot move";
    state.setAttribute("data-state", answer.frozen ? "frozen" : "running");
    document.querySelectorAll("[data-advance], #advance-form button").forEach(function (button) {
      if (!answer.movable) { button.disabled = true; }
    });
  }

  function takeEvents(answer) {
    if (answer.replace) {
      events.clear();
      byId("events").textContent = "";
    }
    var arrived = [];
    answer.events.forEach(function (event) {
      if (!events.has(event.seq)) {
        events.set(event.seq, event);
        arrived.push(event);
      }
    });
    cursor = answer.cursor;
    return arrived;
  }

  function inTimeOrder(a, b) {
    var at = Date.parse(a.at) - Date.parse(b.at);
    return at !== 0 ? at : a.seq - b.seq;
  }

  // "3 hours ago" on the world's clock: the two largest units, as the screens write a duration.
  function ago(iso) {
    var seconds = Math.floor((worldNow - Date.parse(iso)) / 1000);
    var later = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) { return later ? "in less than a minute" : "just now"; }
    var parts = [];
    [["day", 86400], ["hour", 3600], ["minute", 60]].forEach(function (unit) {
      var count = Math.floor(seconds / unit[1]);
      seconds -= count * unit[1];
      if (count && parts.length < 2) { parts.push(count + " " + unit[0] + (count === 1 ? "" : "s")); }
    });
    return later ? "in " + parts.join(" ") : parts.join(" ") + " ago";
  }

  function refreshAgo() {
    document.querySelectorAll("[data-ago]").forEach(function (element) {
      element.textContent = ago(element.getAttribute("data-ago"));
    });
  }

  function when(iso, text) {
    return make("span", { "class": "when" }, [make("span", { "data-ago": iso, text: ago(iso) }), " · ",
                                                make("time", { datetime: iso, text: text })]);
  }

  function eventItem(event, testid) {
    var item = make("li", { "class": "event", "data-testid": testid, "data-kind": event.kind,
                            "data-seq": String(event.seq), "data-flow": event.flow }, [
      make("span", { "data-testid": "event-words", text: event.words }), " ", when(event.at, event.at_text)]);
    if (event.changes_text.length) {
      item.appendChild(make("p", { "class": "changes", text: event.changes_text.join("; ") }));
    }
    return item;
  }

  function renderEvents(answer, arrived) {
    var list = byId("events");
    var box = byId("events-scroll");
    var atTheEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    arrived.slice().sort(inTimeOrder).forEach(function (event) {
      var item = eventItem(event, "event");
      if (!firstAnswer && !answer.replace) { item.classList.add("flash"); }
      // In time order on the world's clock: an expiry settled late is dated when it came due.
      var after = null;
      Array.prototype.some.call(list.children, function (other) {
        if (inTimeOrder(event, events.get(Number(other.getAttribute("data-seq")))) < 0) {
          after = other;
          return true;
        }
        return false;
      });
      list.insertBefore(item, after);
    });
    if (arrived.length && (atTheEnd || firstAnswer)) { box.scrollTop = box.scrollHeight; }  // the newest, unless reading back
    byId("events-note").textContent = answer.earlier && answer.replace
      ? "Older events are left out: the page shows the latest " + answer.events.length + "."
      : (events.size ? "" : "No events yet.");
  }

  // --- the flows ---------------------------------------------------------------------------------------------

  function flowEvents(flow) {
    var own = [];
    events.forEach(function (event) {
      if (event.flow === flow.id || (flow.link_id && event.flow === flow.link_id)) { own.push(event); }
    });
    return own.sort(inTimeOrder);
  }

  var STATE_WORDS = { pending_consent: "waiting for the holder", consented: "waiting for the seller's terms",
                      pending_review: "in review", active: "active", unlinked: "unlinked", refused: "refused",
                      expired: "expired", pending: "pending", accepted: "accepted", declined: "declined" };
  var NEXT_WORDS = { scan: "the holder scans", authorize: "the holder authorizes", accept_terms: "the seller accepts the terms",
                     approve: "the review approves", accept: "the holder accepts" };

  function renderFlows(answer) {
    var list = byId("flows");
    byId("flows-note").textContent = answer.flows.length
      ? (answer.flow_count > answer.flows.length ? "The latest " + answer.flows.length + " of " + answer.flow_count + "." : "")
      : "No link or invitation yet: start one in Seller Center, or with the linking API.";
    var wanted = answer.flows.map(function (flow) { return flow.id; });
    Array.prototype.slice.call(list.children).forEach(function (card) {
      if (wanted.indexOf(card.getAttribute("data-flow-id")) < 0) { card.remove(); }
    });
    var accountsSignature = JSON.stringify(accounts.map(function (a) { return a.username; }));
    answer.flows.forEach(function (flow, index) {
      var own = flowEvents(flow);
      var signature = JSON.stringify([flow, own.map(function (e) { return e.seq; }),
                                      flow.needs_holder ? accountsSignature : ""]);
      var card = list.querySelector('[data-flow-id="' + CSS.escape(flow.id) + '"]');
      if (!card || card.getAttribute("data-signature") !== signature) {
        var fresh = flowCard(flow, own);
        fresh.setAttribute("data-signature", signature);
        replaceKeepingFocus(list, card, fresh);
        card = fresh;
      }
      if (list.children[index] !== card) { list.insertBefore(card, list.children[index] || null); }
    });
  }

  function replaceKeepingFocus(list, old, fresh) {
    var focused = old && old.contains(document.activeElement) ? document.activeElement.getAttribute("data-focus-key") : null;
    if (old) { list.replaceChild(fresh, old); } else { list.appendChild(fresh); }
    if (old && focused !== null) {
      var again = fresh.querySelector('[data-focus-key="' + focused + '"]') || fresh.querySelector("h3");
      again.focus();
    }
  }

  function flowCard(flow, own) {
    var facts = [flow.id, flow.type === "link" ? flow.channel.replace("_", " ") : "marketing invitation"];
    if (flow.account) { facts.push(flow.account); }
    if (flow.created_by) { facts.push("started by " + flow.created_by); }
    if (flow.due) { facts.push(flow.due); }
    if (flow.link_id) { facts.push("its link: " + flow.link_id); }
    var card = make("li", { "class": "flow", "data-testid": "flow", "data-flow-id": flow.id, "data-type": flow.type,
                            "data-state": flow.state }, [
      make("h3", { tabindex: "-1", "data-focus-key": "heading" }, [
        make("span", { text: flow.title }),
        make("span", { "class": "badge", "data-testid": "flow-state", "data-state": flow.state,
                       text: STATE_WORDS[flow.state] || flow.state })]),
      make("p", { "class": "facts muted" }, [facts.join(" · ") + " · ", when(flow.created_at, flow.created_text)])]);
    if (flow.refusals.length) {
      card.appendChild(make("p", { "data-testid": "flow-refusals", text: "Why: " + flow.refusals.join(" ") }));
    }
    var list = make("ol", { "data-testid": "flow-events", "aria-label": "Events of " + flow.id });
    own.forEach(function (event) { list.appendChild(eventItem(event, "flow-event")); });
    if (flow.next || flow.actions.length) {
      card.appendChild(list);
    } else {  // a flow with nothing left to force keeps its events folded away, so the ones under way stand out
      card.appendChild(make("details", {}, [
        make("summary", { "data-focus-key": "events", text: own.length + " event" + (own.length === 1 ? "" : "s") }),
        list]));
    }
    if (flow.next || flow.actions.length) { card.appendChild(flowControls(flow)); }
    return card;
  }

  function flowControls(flow) {
    var controls = make("div", { "class": "controls", role: "group", "aria-label": "Force a step of " + flow.id });
    var select = null;
    if (flow.needs_holder) {
      var id = "holder-" + flow.id;
      select = make("select", { id: id, "data-testid": "holder", "data-focus-key": "holder" },
                    [make("option", { value: "", text: "choose the account…" })]);
      accounts.forEach(function (account) {
        select.appendChild(make("option", { value: account.username, text: "@" + account.username }));
      });
      select.value = holders.get(flow.id) || "";
      select.addEventListener("change", function () { holders.set(flow.id, select.value); });
      controls.appendChild(make("label", { "for": id, text: "Holder" }));
      controls.appendChild(select);
    }
    if (flow.next) {
      controls.appendChild(forceButton(flow, "next", "Next step: " + (NEXT_WORDS[flow.next] || flow.next),
                                       "force-next", "", select));
    }
    flow.actions.forEach(function (action) {
      controls.appendChild(forceButton(flow, action.action, action.label, "flow-action",
                                       action.action === "next" ? "" : "secondary", select));
    });
    return controls;
  }

  function forceButton(flow, action, label, testid, style, select) {
    var button = make("button", { type: "button", "class": style || null, "data-testid": testid, "data-action": action,
                                  "data-focus-key": "action-" + action, text: label });
    button.addEventListener("click", function () {
      if (isBusy(button)) { return; }
      var body = { action: action };
      if (select && select.value) { body.as = select.value; }
      busy(button, call("POST", urls.flows + encodeURIComponent(flow.id), body)).then(function (answer) {
        showDone("Forced " + answer.action.replace("_", " ") + " on " + flow.id + ": it is now " +
                 (STATE_WORDS[answer.state] || answer.state) + ".");
        poll();
      }, function (error) { showRefusal("Forcing " + action + " on " + flow.id, error); });
    });
    return button;
  }

  // --- parties and faults -------------------------------------------------------------------------------------

  function changed(part, value) {
    var signature = JSON.stringify(value);
    if (shown[part] === signature) { return false; }
    shown[part] = signature;
    return true;
  }

  function fill(list, items) {
    list.textContent = "";
    items.forEach(function (item) { list.appendChild(item); });
    if (!items.length) { list.appendChild(make("li", { "class": "muted", text: "None." })); }
  }

  function renderParties(answer) {
    if (changed("shops", answer.shops)) {
      fill(byId("shops"), answer.shops.map(function (shop) {
        return make("li", { "data-testid": "shop", "data-shop-id": shop.shop_id }, [
          make("strong", { text: shop.name }), " ", make("code", { text: shop.shop_id }),
          make("br"), make("span", { "class": "muted", text: shop.region + " · " + shop.status.replace("_", " ") +
                                                               " · seller " + shop.seller })]);
      }));
    }
    if (changed("accounts", answer.accounts)) {
      fill(byId("accounts"), answer.accounts.map(function (account) {
        return make("li", { "data-testid": "account", "data-username": account.username }, [
          make("strong", { text: "@" + account.username }), " " + account.nickname, make("br"),
          make("span", { "class": "muted", text: account.type + " · " + account.region + " · " + account.open_id })]);
      }));
    }
    if (changed("apps", answer.partner_apps)) {
      fill(byId("apps"), answer.partner_apps.map(function (app) {
        return make("li", { "data-testid": "partner-app", "data-key": app.key }, [
          make("strong", { text: app.name }), make("br"),
          make("span", { "class": "muted" }, [app.product + " · ", make("code", { text: app.key })])]);
      }));
    }
  }

  function failsWith(rule) {
    if (rule.status) { return "HTTP " + rule.status; }
    if (rule.code) { return "refusal " + rule.code; }
    if (rule.oauth_error) { return "OAuth error " + rule.oauth_error; }
    if (rule.silent) { return "no answer"; }
    if (rule.delay) { return "a delay of " + rule.delay + " s"; }
    return rule.preset || "—";
  }

  function renderFaults(rules) {
    if (!changed("faults", rules)) { return; }
    var body = byId("faults");
    var hadFocus = body.contains(document.activeElement);
    body.textContent = "";
    rules.forEach(function (rule) {
      var remove = make("button", { type: "button", "class": "danger", "data-testid": "remove-fault",
                                    "aria-label": "Remove the fault " + rule.id, text: "Remove" });
      remove.addEventListener("click", function () {
        if (isBusy(remove)) { return; }
        busy(remove, call("DELETE", urls.faults + "/" + encodeURIComponent(rule.id))).then(function () {
          showDone("The fault " + rule.id + " is lifted.");
          poll();
        }, function (error) { showRefusal("Removing the fault " + rule.id, error); });
      });
      var left = rule.remaining === null || rule.remaining === undefined ? "" : ", " + rule.remaining + " left";
      body.appendChild(make("tr", { "data-testid": "fault", "data-fault-id": rule.id,
                                    "data-active": rule.active ? "true" : "false" }, [
        make("td", {}, [make("code", { text: rule.id })]),
        make("td", { text: (rule.method || "any") + " " + (Array.isArray(rule.path) ? rule.path.join(", ") : (rule.path || "webhooks")) }),
        make("td", { text: failsWith(rule) }),
        make("td", { text: rule.hits + " of " + rule.matched + " matched" }),
        make("td", { "data-testid": "fault-state", text: rule.active ? "active" + left : "retired" }),
        make("td", {}, [remove])]));
    });
    if (!rules.length) {
      body.appendChild(make("tr", {}, [make("td", { colspan: "6", "class": "muted", text: "No fault rule." })]));
    }
    if (hadFocus) {
      byId("faults-heading").setAttribute("tabindex", "-1");
      byId("faults-heading").focus();
    }
  }

  function wireFaultForm() {
    var kind = byId("fault-kind");
    function showFields() {
      document.querySelectorAll("[data-fault-field]").forEach(function (field) {
        field.hidden = field.getAttribute("data-fault-field") !== kind.value;
      });
    }
    kind.addEventListener("change", showFields);
    showFields();
    byId("fault-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var rule = { path: byId("fault-path").value.trim() };
      if (byId("fault-method").value) { rule.method = byId("fault-method").value; }
      var times = byId("fault-times").value.trim();
      if (times) { rule.times = Number(times); }
      if (kind.value === "status") { rule.status = Number(byId("fault-status").value); }
      if (kind.value === "code") { rule.code = byId("fault-code").value; }
      if (kind.value === "oauth_error") { rule.oauth_error = byId("fault-oauth-error").value.trim(); }
      if (kind.value === "silent") { rule.silent = true; }
      var button = event.target.querySelector("button[type=submit]");
      if (isBusy(button)) { return; }
      busy(button, call("POST", urls.faults, rule)).then(function (added) {
        showDone("The fault " + added.id + " applies from the next request to " + rule.path + ".");
        poll();
      }, function (error) { showRefusal("Adding the fault", error); });
    });
  }

  // --- the clock and the world picker --------------------------------------------------------------------------

  function advance(amount, button) {
    if (isBusy(button)) { return; }
    busy(button, call("POST", urls.clock, { advance: amount })).then(function (clock) {
      showDone("The clock moved " + amount + ": what came due has settled.");
      byId("clock-now").setAttribute("data-moved-to", clock.now);
      poll();
    }, function (error) { showRefusal("Moving the clock", error); });
  }

  function wireClock() {
    document.querySelectorAll("[data-advance]").forEach(function (button) {
      button.addEventListener("click", function () { advance(button.getAttribute("data-advance"), button); });
    });
    byId("advance-form").addEventListener("submit", function (event) {
      event.preventDefault();
      advance(byId("advance-amount").value.trim(), event.target.querySelector("button[type=submit]"));
    });
  }

  function loadWorlds() {
    call("GET", urls.sandboxes).then(function (answer) {
      var picker = byId("world-picker");
      var here = root.getAttribute("data-world");
      answer.sandboxes.forEach(function (sandbox) {
        if (!picker.querySelector('option[value="' + CSS.escape(sandbox.id) + '"]')) {
          picker.appendChild(make("option", { value: sandbox.id, text: "sandbox " + sandbox.id }));
        }
      });
      picker.value = here === "main" ? "" : here;
    }, function (error) { showRefusal("Listing the sandboxes", error); });
  }

  function wirePicker() {
    byId("world-picker-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = byId("world-picker").value;
      window.location.href = chosen ? urls.sandbox + encodeURIComponent(chosen) + "/_sim/" : urls.main;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = byId("timeline");
    urls = { feed: root.getAttribute("data-feed"), clock: root.getAttribute("data-clock"),
             flows: root.getAttribute("data-flows"), faults: root.getAttribute("data-faults"),
             sandboxes: root.getAttribute("data-sandboxes"), main: root.getAttribute("data-main"),
             sandbox: root.getAttribute("data-sandbox-prefix") };
    wireToken();
    wireClock();
    wireFaultForm();
    wirePicker();
    if (root.getAttribute("data-token-needed") === "true" && !token()) {
      askForToken();
      return;
    }
    loadWorlds();
    poll();
  });
})();
