// fakehog console: the live parts of the pages. No framework, no network beyond this server.
"use strict";
(function () {
  const meta = (n) => (document.querySelector('meta[name="' + n + '"]') || {}).content || "";
  const base = meta("fakehog-base");
  const token = meta("fakehog-admin-token");
  const consoleToken = meta("fakehog-console-token");
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // admin calls /_fake/... with the admin token, and returns the parsed JSON (or throws an
  // Error carrying PostHog's error detail).
  async function admin(method, path, body, raw) {
    const opts = { method: method, headers: {} };
    if (token) opts.headers["X-Fakehog-Admin-Token"] = token;
    if (consoleToken) opts.headers["X-Fakehog-Console-Token"] = consoleToken; // the guard asks browsers for it
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = raw ? body : JSON.stringify(body);
    }
    const resp = await fetch(base + path, opts);
    const text = await resp.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    if (!resp.ok) {
      const detail = data && data.detail ? data.detail + (data.attr ? " (" + data.attr + ")" : "") : resp.status + " " + resp.statusText;
      throw new Error(detail);
    }
    return data;
  }

  function toast(msg) {
    const t = $("#toast");
    if (!t) return;
    t.textContent = msg;
    t.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => t.classList.remove("show"), 1600);
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const ta = document.createElement("textarea");
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); } catch (e2) { /* nothing more to try */ }
      ta.remove();
    }
    toast("Copied");
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
    return e;
  }

  function pretty(text) {
    if (!text) return "(empty)";
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }

  // Secrets: reveal and copy.
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    const secret = b.closest(".secret");
    if (secret && b.classList.contains("reveal")) {
      const code = $("code", secret);
      if (!code.dataset.masked) code.dataset.masked = code.textContent;
      const shown = b.textContent === "Hide";
      code.textContent = shown ? code.dataset.masked : secret.dataset.value;
      b.textContent = shown ? "Reveal" : "Hide";
    } else if (secret && b.classList.contains("copy")) {
      copy(secret.dataset.value);
    } else if (b.classList.contains("show-json")) {
      showJSON(b.dataset.path);
    } else if (b.classList.contains("copy-curl")) {
      const key = ($("#actas") || {}).dataset ? $("#actas").dataset.key : "";
      copy('curl -H "Authorization: Bearer ' + (key || "<personal API key>") + '" ' + location.origin + base + b.dataset.path);
    }
  });

  // An organization's records, as the API answers them (acting as the page's member).
  async function showJSON(path) {
    const out = $("#json-out");
    const key = $("#actas").dataset.key;
    out.hidden = false;
    out.textContent = "GET " + path + " …";
    const resp = await fetch(base + path, { headers: key ? { Authorization: "Bearer " + key } : {} });
    out.textContent = "GET " + path + " → " + resp.status + "\n\n" + pretty(await resp.text());
    out.scrollIntoView({ block: "nearest" });
  }

  // The clock in the header (and on the clock page).
  async function tickClock() {
    try {
      const c = await admin("GET", "/_fake/clock");
      $("#clock-now").textContent = c.now;
      if ($("#clock-big")) $("#clock-big").textContent = c.now;
    } catch (e) { /* the server may be restarting */ }
  }

  const pages = {};

  pages.users = function () {
    $("#mint-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const scopes = f.scopes.value.split(/[\s,]+/).filter(Boolean);
      const out = $("#mint-result");
      try {
        const k = await admin("POST", "/_fake/keys", { user: f.user.value, scopes: scopes, label: f.label.value });
        out.className = "result";
        out.textContent = "Minted for " + f.user.value + ": " + k.value;
        out.hidden = false;
        setTimeout(() => location.reload(), 900);
      } catch (e) {
        out.className = "error";
        out.textContent = e.message;
        out.hidden = false;
      }
    });
  };

  pages.journal = function () {
    const form = $("#journal-filters");
    const tbody = $("#journal tbody");
    let rows = [];
    let selected = null;
    async function load() {
      const q = new URLSearchParams({ limit: "200" });
      if (form.method.value) q.set("method", form.method.value);
      if (form.status.value.trim()) q.set("status", form.status.value.trim());
      if (form.path.value.trim()) q.set("path", form.path.value.trim());
      try {
        const page = await admin("GET", "/_fake/requests?" + q.toString());
        rows = page.results.slice().reverse();
        render();
      } catch (e) { toast(e.message); }
    }
    function render() {
      tbody.replaceChildren(...rows.map((r) => {
        const who = r.user_email ? r.user_email + (r.session ? " (session)" : r.key ? " (" + r.key + ")" : "") : "anonymous";
        const tr = el("tr", { "data-id": r.id },
          el("td", {}, r.id), el("td", { class: "time" }, r.time.replace(/\.\d+/, "")),
          el("td", {}, r.method), el("td", { class: "path" }, r.path + (r.query ? "?" + r.query : "")),
          el("td", { class: "st-" + String(r.status)[0] }, r.dropped ? "dropped" : r.status, r.fault ? " (fault #" + r.fault + ")" : ""),
          el("td", {}, who), el("td", {}, r.duration_ms.toFixed(1) + " ms"));
        if (selected === r.id) tr.classList.add("selected");
        tr.addEventListener("click", () => { selected = r.id; detail(r); render(); });
        return tr;
      }));
      $("#journal-empty").hidden = rows.length > 0;
    }
    function detail(r) {
      $("#journal-detail").hidden = false;
      $("#detail-title").textContent = "#" + r.id + " " + r.method + " " + r.path + " → " + r.status;
      $("#detail-req").textContent = pretty(r.request_body) + (r.request_body_truncated ? "\n… (cut)" : "");
      $("#detail-resp").textContent = pretty(r.response_body) + (r.response_body_truncated ? "\n… (cut)" : "");
    }
    form.addEventListener("input", load);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
    $("#journal-clear").addEventListener("click", async () => { await admin("DELETE", "/_fake/requests"); load(); });
    load();
    setInterval(() => { if (form.live.checked) load(); }, 1500);
  };

  function effect(f) {
    const parts = [];
    if (f.drop) parts.push("drop");
    if (f.status) parts.push(String(f.status) + (f.code ? " " + f.code : ""));
    if (f.retry_after) parts.push("Retry-After " + f.retry_after + "s");
    if (f.delay) parts.push("delay " + f.delay);
    if (f.probability) parts.push("p=" + f.probability);
    return parts.join(", ");
  }

  pages.faults = function () {
    const tbody = $("#faults tbody");
    async function load() {
      const page = await admin("GET", "/_fake/faults");
      tbody.replaceChildren(...page.results.map((f) => {
        const rm = el("button", { type: "button", class: "remove" }, "Remove");
        rm.addEventListener("click", async () => { await admin("DELETE", "/_fake/faults/" + f.id); load(); });
        return el("tr", { "data-id": f.id }, el("td", {}, f.id), el("td", {}, f.method || "any"),
          el("td", { class: "path" }, (f.path || "any") + (f.organization_id ? " · org " + f.organization_id : "") + (f.body_contains ? " · body ∋ " + f.body_contains : "")),
          el("td", {}, effect(f)), el("td", { class: "hits" }, f.hits), el("td", {}, f.times ? f.remaining : "∞"), el("td", {}, rm));
      }));
      $("#faults-empty").hidden = page.results.length > 0;
    }
    $("#fault-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      const rule = {};
      for (const name of ["method", "path", "organization_id", "body_contains", "type", "code", "detail", "delay"]) {
        if (f[name].value.trim()) rule[name] = f[name].value.trim();
      }
      for (const name of ["status", "retry_after", "times"]) {
        if (f[name].value.trim()) rule[name] = parseInt(f[name].value, 10);
      }
      if (f.probability.value.trim()) rule.probability = parseFloat(f.probability.value);
      if (f.drop.checked) rule.drop = true;
      const err = $("#fault-error");
      try {
        await admin("POST", "/_fake/faults", rule);
        err.hidden = true;
        toast("Fault added");
        load();
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
    });
    $("#faults-clear").addEventListener("click", async () => { await admin("DELETE", "/_fake/faults"); load(); });
    load();
    setInterval(load, 2000);
  };

  pages.clock = function () {
    const err = $("#clock-error");
    const send = async (body) => {
      try {
        await admin("POST", "/_fake/clock", body);
        err.hidden = true;
        toast("Clock moved");
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
      tickClock();
    };
    $("#clock-advance").addEventListener("submit", (ev) => { ev.preventDefault(); send({ advance: ev.target.advance.value.trim() }); });
    $("#clock-set").addEventListener("submit", (ev) => { ev.preventDefault(); send({ set: ev.target.set.value.trim() }); });
    $("#clock-real").addEventListener("submit", (ev) => { ev.preventDefault(); send({ real: true }); });
  };

  pages.world = function () {
    const out = $("#world-result");
    const report = (msg, bad) => { out.className = bad ? "error" : "result"; out.textContent = msg; out.hidden = false; };
    const run = async (what, fn) => {
      try { await fn(); report(what + " done."); } catch (e) { report(e.message, true); }
    };
    const readFile = (input) => new Promise((resolve, reject) => {
      const file = input.files && input.files[0];
      if (!file) { reject(new Error("Choose a file first.")); return; }
      file.text().then(resolve, reject);
    });
    $("#world-reset").addEventListener("click", () => run("Reset", () => admin("POST", "/_fake/reset")));
    const builtin = $("#scenario-builtin");
    if (builtin) {
      builtin.addEventListener("submit", (ev) => {
        ev.preventDefault();
        run("Loading " + ev.target.name.value, () => admin("POST", "/_fake/scenario", { name: ev.target.name.value }));
      });
      $("#scenario-upload").addEventListener("submit", (ev) => {
        ev.preventDefault();
        run("Loading the scenario", async () => admin("POST", "/_fake/scenario", { yaml: await readFile(ev.target.file) }));
      });
    }
    $("#snapshot-upload").addEventListener("submit", (ev) => {
      ev.preventDefault();
      run("Restoring the snapshot", async () => admin("PUT", "/_fake/snapshot", await readFile(ev.target.file), true));
    });
  };

  pages.organization = function () {
    const sel = $("#actas-select");
    if (sel) sel.addEventListener("change", () => { $("#actas").dataset.key = sel.value; toast("Acting as " + sel.selectedOptions[0].textContent); });
  };

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.body.dataset.page;
    if (pages[page]) pages[page]();
    if ($("#clock-now")) { setInterval(tickClock, 1000); }
  });
})();
