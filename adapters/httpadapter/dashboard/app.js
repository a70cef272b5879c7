// Tributary dashboard: polls the gateway's feed of recent requests and
// draws each as a row with a timing bar per backend call. Every text that
// comes from the feed (paths, routes, backend names, errors) is untrusted:
// it is only ever set with textContent or as a property, never parsed as
// markup.
"use strict";

(function () {
  var FEED = "/__dashboard/requests?since=";
  var POLL_MS = 1000;
  var last = 0;
  var size = 200;
  var list = document.getElementById("requests");
  var empty = document.getElementById("empty");
  var statusEl = document.getElementById("status");
  var pause = document.getElementById("pause");
  var timer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function ms(us) {
    var v = us / 1000;
    if (v >= 100) return v.toFixed(0) + " ms";
    if (v >= 10) return v.toFixed(1) + " ms";
    return v.toFixed(2) + " ms";
  }

  function outcome(c) {
    if (!c.started) return "skipped";
    if (c.answered) return "cached";
    if (c.ok) return "ok";
    if (c.timeout) return "timeout";
    return "fail";
  }

  function outcomeText(c) {
    switch (outcome(c)) {
      case "skipped": return "not started";
      case "cached": return "answered by a stage";
      case "ok": return "ok";
      case "timeout": return "timed out";
    }
    return "failed";
  }

  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  }

  function renderCall(c, total) {
    var kind = outcome(c);
    var line = el("div", "call " + kind);
    var label = el("div", "clabel");
    label.appendChild(el("span", "pattern", (c.method || "") + " " + (c.pattern || "")));
    var detail = c.started ? (c.status ? String(c.status) : "no status") + " · " + ms(c.duration_us) : "not started";
    label.appendChild(el("span", "cdetail", detail));
    if (c.error) label.appendChild(el("span", "err", c.error));
    line.appendChild(label);

    var lane = el("div", "lane");
    var bar = el("div", "bar " + kind);
    var span = total > 0 ? total : 1;
    var left = c.started ? Math.min(100, Math.max(0, (c.offset_us / span) * 100)) : 0;
    var width = c.started ? Math.max(0, Math.min(100 - left, (c.duration_us / span) * 100)) : 100;
    bar.style.left = left + "%";
    bar.style.width = width + "%";
    bar.dataset.pattern = c.pattern || "";
    bar.dataset.outcome = kind;
    bar.title = (c.host || "") + (c.pattern || "") + " — " + outcomeText(c) +
      (c.status ? " " + c.status : "") + (c.started ? ", +" + ms(c.offset_us) + " for " + ms(c.duration_us) : "") +
      (c.error ? "\n" + c.error : "");
    lane.appendChild(bar);
    line.appendChild(lane);
    return line;
  }

  function renderRow(r) {
    var calls = r.backends || [];
    var row = el("div", "row req");
    row.dataset.seq = String(r.seq);
    row.dataset.status = String(r.status);
    row.dataset.complete = r.complete ? "true" : "false";

    var info = el("div", "info");
    var l1 = el("div", "line1");
    l1.appendChild(el("span", "code s" + String(Math.floor(r.status / 100)), r.status));
    l1.appendChild(el("span", "method", r.method));
    var path = el("span", "path", r.path);
    path.title = r.path;
    l1.appendChild(path);
    info.appendChild(l1);

    var l2 = el("div", "line2");
    l2.appendChild(el("span", "route", r.route ? "route " + r.route : "no route matched"));
    if (calls.length > 0) {
      // Completeness is about backends: a request that called none (an
      // unmatched path, a refused one) has none to report.
      l2.appendChild(el("span", r.complete ? "complete" : "incomplete", r.complete ? "complete" : "incomplete"));
    }
    l2.appendChild(el("span", "dur", ms(r.duration_us)));
    l2.appendChild(el("span", "bytes", r.bytes + " B"));
    l2.appendChild(el("span", "time", clock(r.start)));
    if (r.request_id) l2.appendChild(el("span", "rid", "id " + r.request_id));
    info.appendChild(l2);
    row.appendChild(info);

    var track = el("div", "track");
    if (calls.length === 0) track.appendChild(el("div", "nobackend", "no backend called"));
    for (var i = 0; i < calls.length; i++) track.appendChild(renderCall(calls[i], r.duration_us));
    if (r.more_backends) track.appendChild(el("div", "nobackend", "+" + r.more_backends + " more backends"));
    row.appendChild(track);
    return row;
  }

  function apply(doc) {
    if (typeof doc.size === "number" && doc.size > 0) size = doc.size;
    if (doc.last < last) {
      // The gateway restarted: its sequence began again.
      while (list.firstChild) list.removeChild(list.firstChild);
    }
    var reqs = doc.requests || [];
    for (var i = 0; i < reqs.length; i++) {
      list.insertBefore(renderRow(reqs[i]), list.firstChild);
    }
    while (list.childNodes.length > size) list.removeChild(list.lastChild);
    last = doc.last;
    empty.classList.toggle("hidden", list.childNodes.length > 0);
  }

  function setStatus(text, bad) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!bad);
  }

  function poll() {
    timer = null;
    if (pause.checked) {
      schedule();
      return;
    }
    fetch(FEED + String(last), { cache: "no-store", credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("feed answered " + resp.status);
        return resp.json();
      })
      .then(function (doc) {
        apply(doc);
        setStatus("live · " + list.childNodes.length + " of the last " + size + " requests", false);
      })
      .catch(function (err) {
        setStatus("gateway unreachable (" + err.message + "), retrying…", true);
      })
      .then(schedule);
  }

  function schedule() {
    if (timer === null) timer = setTimeout(poll, POLL_MS);
  }

  poll();
})();
