// Loket's web page: a static shell over the JSON API. Everything is rendered with textContent,
// never innerHTML, so a subject such as "<script>" shows as text. Every word comes from the one
// message catalogue (GET /api/ui/messages.json, schemas/messages.py); times are shown in the
// capture policy's time zone, which the page names.
"use strict";

let CATALOGUE = { nl: {}, en: {} };
let ZONE = "Europe/Brussels";
let lang = sessionStorage.getItem("loket-lang") || "nl";
let opened = null;  // the party shown in full, for re-rendering on a filter or language change

function t(key, vars = {}) {
  const mine = CATALOGUE[lang] || {};
  const s = mine[key] ?? mine["ui." + key] ?? CATALOGUE.en[key] ?? CATALOGUE.en["ui." + key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

// A captured code as staff read it; a code the catalogue does not know shows as itself.
function v(kind, code) {
  if (code === null || code === undefined || code === "") return "";
  const key = kind + "." + code;
  const mine = CATALOGUE[lang] || {};
  return mine[key] ?? CATALOGUE.en[key] ?? String(code);
}

// An operator needs the code too (to replay by reason): "te vaak geprobeerd (MaxAttemptsExceeded)".
function withCode(kind, code) {
  const shown = v(kind, code);
  return shown === code ? code : shown + " (" + code + ")";
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, val] of Object.entries(attrs)) node.setAttribute(k, val);
  return node;
}

function locale() { return lang === "nl" ? "nl-BE" : "en-GB"; }

function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, dateStyle: "short", timeStyle: "short" })
    .format(new Date(iso));
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById("language").value = lang;
  document.getElementById("zone").textContent = t("times_in", { zone: ZONE });
  if (opened) renderOpened();
}

function headers(extra = {}) {
  const cred = document.getElementById("credential").value.trim();
  const h = { "content-type": "application/json", ...extra };
  if (cred.split(".").length === 3) h.authorization = "Bearer " + cred; else if (cred) h["x-functions-key"] = cred;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch("/api/" + path, { ...options, headers: headers(options.headers) });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) throw new Error(t("error.sign_in"));
  if (response.status === 403) throw new Error(t("error.forbidden"));
  if (!response.ok) throw new Error(body.code ? t("error." + body.code, body) : (body.error || response.status));
  return body;
}

function table(columns, rows, caption) {
  const tbl = el("table");
  if (caption) tbl.appendChild(el("caption", caption));
  const head = tbl.createTHead().insertRow();
  columns.forEach((c) => head.appendChild(el("th", t(c), { scope: "col" })));
  const body = tbl.createTBody();
  rows.forEach((cells) => {
    const tr = body.insertRow();
    cells.forEach((c) => {
      const td = el("td");
      if (c instanceof Node) td.appendChild(c); else td.textContent = c ?? "";
      tr.appendChild(td);
    });
  });
  return tbl;
}

function departmentsOf(entry) {
  const shown = entry.departments.length ? entry.departments
    : (entry.attributed_department ? [entry.attributed_department] : []);
  return shown.map((d) => v("department", d)).join(", ");
}

function identifierText(id) {
  return (id.type === "address" && id.label) ? id.label : id.value;
}

// The result list: enough to tell namesakes apart (masked identifiers, contacts, the last one).
function renderCard(party) {
  const box = el("article", null, { class: "party-card" });
  const title = el("h3", party.display_name || "#" + party.party_id);
  box.appendChild(title);
  const ids = el("ul", null, { class: "identifiers" });
  party.identifiers.forEach((id) => ids.appendChild(el("li", identifierText(id))));
  box.appendChild(ids);
  const last = party.last_contact;
  const facts = t("contacts") + ": " + (party.contacts ?? 0) + (last
    ? " · " + t("last_contact") + ": " + when(last.occurred_at) + ", " + v("channel", last.channel)
      + (departmentsOf(last) ? ", " + departmentsOf(last) : "")
    : "");
  box.appendChild(el("p", facts, { class: "facts" }));
  const open = el("button", t("open_party"), { type: "button", "aria-label": t("open_party") + ": "
    + (party.display_name || "#" + party.party_id) + " (" + party.identifiers.map(identifierText).join(", ") + ")" });
  open.addEventListener("click", () => openParty(party.party_id));
  box.appendChild(open);
  return box;
}

async function openParty(partyId) {
  const status = document.getElementById("lookup-status");
  try {
    const reason = document.getElementById("reason").value;
    opened = await api("parties/" + partyId + "/timeline", { headers: { "x-loket-reason": reason } });
    renderOpened();
    status.textContent = opened.display_name || "#" + opened.party_id;
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
}

function select(id, label, options, onChange) {
  const wrap = el("span", null, { class: "filter" });
  wrap.appendChild(el("label", label, { for: id }));
  const sel = el("select", null, { id });
  sel.appendChild(el("option", t("all"), { value: "" }));
  options.forEach(([value, text]) => sel.appendChild(el("option", text, { value })));
  sel.addEventListener("change", onChange);
  wrap.appendChild(sel);
  return wrap;
}

function sourceLink(entry) {
  if (!entry.source_link) return "";
  const scan = entry.channel === "post";
  const a = el("a", t(scan ? "open_scan" : "open_in_outlook"), { href: entry.source_link, rel: "noreferrer" });
  if (!scan) a.setAttribute("target", "_blank");
  return a;
}

function agentOf(entry) {
  if (!entry.agent) return "";
  return entry.on_behalf_of ? entry.agent + " (" + t("on_behalf", { mailbox: entry.on_behalf_of }) + ")" : entry.agent;
}

function renderOpened(filters = { channel: "", department: "" }) {
  const party = opened;
  const results = document.getElementById("results");
  results.replaceChildren();
  const box = el("article", null, { class: "party" });
  box.appendChild(el("h3", party.display_name || "#" + party.party_id));
  const ids = el("ul", null, { class: "identifiers", "aria-label": t("identifiers") });
  party.identifiers.forEach((id) => ids.appendChild(el("li", identifierText(id))));
  box.appendChild(ids);
  box.appendChild(el("h4", t("helped_before")));
  box.appendChild(table(["department", "contacts", "last", "channel", "outcome", "agent"],
    party.helped_before.map((h) => [v("department", h.department), h.contacts, when(h.last_at),
      v("channel", h.last_channel), v("outcome", h.last_outcome), h.last_agent || ""])));
  box.appendChild(el("h4", t("timeline")));
  const departments = [...new Set(party.timeline.flatMap((e) => e.departments.length ? e.departments
    : (e.attributed_department ? [e.attributed_department] : [])))].sort();
  const channels = [...new Set(party.timeline.map((e) => e.channel))].sort();
  const bar = el("div", null, { class: "filters" });
  const refilter = () => renderOpened({ channel: document.getElementById("filter-channel").value,
    department: document.getElementById("filter-department").value });
  bar.appendChild(select("filter-channel", t("filter_channel"), channels.map((c) => [c, v("channel", c)]), refilter));
  bar.appendChild(select("filter-department", t("filter_department"),
    departments.map((d) => [d, v("department", d)]), refilter));
  box.appendChild(bar);
  const shown = party.timeline.filter((e) => (!filters.channel || e.channel === filters.channel)
    && (!filters.department || e.departments.includes(filters.department)
      || e.attributed_department === filters.department));
  box.appendChild(table(["time", "channel", "direction", "department", "agent", "outcome", "thread", "subject", "source"],
    shown.map((e) => [when(e.occurred_at), v("channel", e.channel), v("direction", e.direction), departmentsOf(e),
      agentOf(e), v("outcome", e.outcome), v("thread", e.thread), [e.subject, e.summary].filter(Boolean).join(" — "),
      sourceLink(e)])));
  results.appendChild(box);
  document.getElementById("filter-channel").value = filters.channel;
  document.getElementById("filter-department").value = filters.department;
}

async function lookUp(event) {
  event.preventDefault();
  const status = document.getElementById("lookup-status");
  const results = document.getElementById("results");
  results.replaceChildren();
  opened = null;
  status.textContent = t("searching");
  const query = { reason: document.getElementById("reason").value };
  query[document.getElementById("query-kind").value] = document.getElementById("query-value").value;
  try {
    const found = await api("contacts/search", { method: "POST", body: JSON.stringify(query) });
    status.textContent = found.parties.length ? t("found", { n: found.parties.length }) : t("none");
    if (found.parties.length === 1 && found.parties[0].opened) {
      opened = found.parties[0];
      renderOpened();
    } else {
      found.parties.forEach((p) => results.appendChild(renderCard(p)));
    }
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
}

async function loadOps() {
  const status = document.getElementById("ops-status");
  try {
    const [report, letters] = await Promise.all([api("ops/queues"), api("ops/dead-letters")]);
    renderQueues(report);
    renderDeadLetters(letters);
    const now = new Intl.DateTimeFormat(locale(), { timeZone: ZONE, timeStyle: "medium" }).format(new Date());
    status.textContent = t("loaded", { t: now }) + " · " + v("health", report.health);
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
}

function renderQueues(report) {
  const body = document.querySelector("#queues tbody");
  body.replaceChildren();
  report.entities.forEach((q) => {
    const tr = body.insertRow();
    const reasons = Object.entries(q.dead_letter_reasons).map(([r, n]) => withCode("dead_letter", r) + " ×" + n)
      .join(", ");
    const inout = q.incoming === null ? "–" : q.incoming + " / " + q.outgoing;
    [q.entity, q.active ?? "–", q.dead_lettered ?? "–", q.scheduled ?? "–",
      q.oldest_active_age_seconds === null ? "–" : Math.round(q.oldest_active_age_seconds), inout, reasons]
      .forEach((c) => tr.appendChild(el("td", c)));
    const why = q.health_reasons.map((r) => v("health_reason", r)).join(", ");
    const health = el("td", v("health", q.health) + (why ? " (" + why + ")" : ""));
    health.className = "health-" + q.health;
    tr.appendChild(health);
  });
}

function renderDeadLetters(letters) {
  const body = document.querySelector("#dead-letters tbody");
  body.replaceChildren();
  if (!letters.length) {
    const cell = el("td", t("no_dead_letters"), { colspan: "5" });
    body.insertRow().appendChild(cell);
    return;
  }
  letters.forEach((d) => {
    const tr = body.insertRow();
    [d.entity, d.message_id, when(d.enqueued_time), withCode("dead_letter", d.reason)]
      .forEach((c) => tr.appendChild(el("td", c)));
    const button = el("button", t("replay"), { type: "button", "data-message": d.message_id });
    button.addEventListener("click", () => confirmReplay(d.entity, d.reason, button));
    const cell = el("td");
    cell.appendChild(button);
    tr.appendChild(cell);
  });
}

// Replay asks first: what will be replayed, and why (the reason goes into the audit).
function confirmReplay(entity, reason, opener) {
  const dialog = document.getElementById("replay-dialog");
  document.getElementById("replay-question").textContent = t("replay_confirm",
    { entity, reason: withCode("dead_letter", reason) });
  const why = document.getElementById("replay-reason");
  why.value = "";
  const form = document.getElementById("replay-form");
  form.onsubmit = (e) => {
    e.preventDefault();
    if (!why.value.trim()) { why.focus(); return; }
    dialog.close();
    replay(entity, reason, why.value.trim());
  };
  document.getElementById("replay-cancel").onclick = () => dialog.close();
  dialog.addEventListener("close", () => opener.focus(), { once: true });
  dialog.showModal();
  why.focus();
}

async function replay(entity, deadLetterReason, why) {
  const box = document.getElementById("job");
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  box.hidden = false;
  bar.value = 0;
  try {
    const started = await api("ops/replay", { method: "POST",
      // Scanned letters that failed wait in storage, not on a queue: they are captured again.
      body: JSON.stringify(entity === "scanned-post"
        ? { kind: "letters", dead_letter_reason: deadLetterReason, reason: why }
        : { kind: "dlq", entity, dead_letter_reason: deadLetterReason, reason: why }) });
    let job;
    do {
      await new Promise((r) => setTimeout(r, 300));
      job = await api("ops/jobs/" + encodeURIComponent(started.job_id));
      bar.max = Math.max(job.total, 1);
      bar.value = job.done;
      status.textContent = t("job_running", { done: job.done, total: job.total });
    } while (job.status === "queued" || job.status === "running");
    status.textContent = job.status === "done" ? t("job_done", { n: job.resubmitted }) : t("job_failed", { e: job.error });
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
  await loadOps();
}

function selectTab(id) {
  document.querySelectorAll("[role=tab]").forEach((tab) => {
    const on = tab.getAttribute("aria-controls") === id;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
  });
  if (id === "ops") loadOps();
}

async function loadCatalogue() {
  try {
    const response = await fetch("/api/ui/messages.json");
    const body = await response.json();
    CATALOGUE = body.languages;
    ZONE = body.time_zone || ZONE;
  } catch (err) {
    // The page's own Dutch words stay; codes show as themselves.
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const cred = document.getElementById("credential");
  cred.value = sessionStorage.getItem("loket-credential") || "";
  cred.addEventListener("change", () => sessionStorage.setItem("loket-credential", cred.value));
  document.getElementById("language").addEventListener("change", (e) => {
    lang = e.target.value;
    sessionStorage.setItem("loket-lang", lang);
    applyLanguage();
  });
  const tabs = [...document.querySelectorAll("[role=tab]")];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab.getAttribute("aria-controls")));
    tab.addEventListener("keydown", (e) => {  // arrow keys move between tabs (WAI-ARIA tabs pattern)
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      selectTab(next.getAttribute("aria-controls"));
    });
  });
  document.getElementById("lookup-form").addEventListener("submit", lookUp);
  document.getElementById("refresh").addEventListener("click", loadOps);
  await loadCatalogue();
  applyLanguage();
  document.body.dataset.ready = "true";
});
