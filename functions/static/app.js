// Loket's web page: a static shell over the JSON API. Everything is rendered with textContent,
// never innerHTML, so a subject such as "<script>" shows as text.
"use strict";

const TEXT = {
  nl: {
    tab_lookup: "Opzoeken", tab_ops: "Beheer", credential: "API-sleutel of token", language: "Taal",
    lookup_legend: "Burger opzoeken", search_by: "Zoeken op", phone: "Telefoon", email: "E-mail", name: "Naam",
    value: "Zoekterm", reason: "Reden", search: "Zoeken", queues: "Wachtrijen", refresh: "Vernieuwen",
    entity: "Entiteit", active: "Actief", dead: "Dode brieven", scheduled: "Gepland", oldest: "Oudste (s)",
    inout: "In / uit", reasons: "Redenen", health: "Toestand", dead_letters: "Dode brieven", message: "Bericht",
    enqueued: "Ontvangen", reason_col: "Reden", action: "Actie", replay_progress: "Voortgang herverwerking",
    replay: "Opnieuw verwerken", searching: "Bezig met zoeken…", found: "Gevonden: {n}", none: "Niemand gevonden.",
    helped_before: "Eerder geholpen", department: "Dienst", contacts: "Contacten", last: "Laatste",
    channel: "Kanaal", outcome: "Afloop", agent: "Medewerker", time: "Tijdstip", subject: "Onderwerp",
    direction: "Richting", timeline: "Tijdlijn", signin: "Geef eerst een API-sleutel of token.",
    forbidden: "Geen toegang voor deze rol.", error: "Fout: {e}", loaded: "Bijgewerkt om {t}",
    job_running: "{done} van {total} verwerkt", job_done: "Klaar: {n} opnieuw verwerkt",
    job_failed: "Mislukt: {e}", no_dead_letters: "Geen dode brieven.",
    ok: "in orde", warning: "let op", critical: "kritiek",
  },
  en: {
    tab_lookup: "Look-up", tab_ops: "Operations", credential: "API key or token", language: "Language",
    lookup_legend: "Look a citizen up", search_by: "Search by", phone: "Phone", email: "E-mail", name: "Name",
    value: "Search term", reason: "Reason", search: "Search", queues: "Queues", refresh: "Refresh",
    entity: "Entity", active: "Active", dead: "Dead letters", scheduled: "Scheduled", oldest: "Oldest (s)",
    inout: "In / out", reasons: "Reasons", health: "Health", dead_letters: "Dead letters", message: "Message",
    enqueued: "Enqueued", reason_col: "Reason", action: "Action", replay_progress: "Replay progress",
    replay: "Replay", searching: "Searching…", found: "Found: {n}", none: "Nobody found.",
    helped_before: "Helped before", department: "Department", contacts: "Contacts", last: "Last",
    channel: "Channel", outcome: "Outcome", agent: "Agent", time: "Time", subject: "Subject",
    direction: "Direction", timeline: "Timeline", signin: "Enter an API key or token first.",
    forbidden: "Not allowed for this role.", error: "Error: {e}", loaded: "Updated at {t}",
    job_running: "{done} of {total} done", job_done: "Done: {n} replayed", job_failed: "Failed: {e}",
    no_dead_letters: "No dead letters.", ok: "ok", warning: "warning", critical: "critical",
  },
};

// How a contact ended, as staff read it; `unknown`: the call record showed no evidence (docs/capture-rules.md).
const OUTCOMES = {
  nl: { received: "ontvangen", sent: "verzonden", answered: "beantwoord", missed: "gemist", abandoned: "opgehangen",
    voicemail: "voicemail", unidentified: "afzender onbekend", unknown: "onbekend" },
  en: { received: "received", sent: "sent", answered: "answered", missed: "missed", abandoned: "abandoned",
    voicemail: "voicemail", unidentified: "sender unidentified", unknown: "unknown" },
};

function outcome(value) {
  return (OUTCOMES[lang] && OUTCOMES[lang][value]) || OUTCOMES.en[value] || value;
}

let lang = sessionStorage.getItem("loket-lang") || "nl";

function t(key, vars = {}) {
  const s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(lang === "nl" ? "nl-BE" : "en-GB") : "";
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.getElementById("language").value = lang;
}

function headers() {
  const cred = document.getElementById("credential").value.trim();
  const h = { "content-type": "application/json" };
  if (cred.split(".").length === 3) h.authorization = "Bearer " + cred; else if (cred) h["x-functions-key"] = cred;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch("/api/" + path, { ...options, headers: headers() });
  if (response.status === 401) throw new Error(t("signin"));
  if (response.status === 403) throw new Error(t("forbidden"));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.status);
  return body;
}

function table(columns, rows) {
  const tbl = el("table");
  const head = tbl.createTHead().insertRow();
  columns.forEach((c) => head.appendChild(el("th", t(c))));
  const body = tbl.createTBody();
  rows.forEach((cells) => {
    const tr = body.insertRow();
    cells.forEach((c) => tr.appendChild(el("td", c)));
  });
  return tbl;
}

function renderParty(party) {
  const box = el("article", null, { class: "party" });
  box.appendChild(el("h3", party.display_name || "#" + party.party_id));
  box.appendChild(el("h4", t("helped_before")));
  box.appendChild(table(["department", "contacts", "last", "channel", "outcome", "agent"],
    party.helped_before.map((h) => [h.department, h.contacts, when(h.last_at), h.last_channel, outcome(h.last_outcome),
      h.last_agent || ""])));
  box.appendChild(el("h4", t("timeline")));
  box.appendChild(table(["time", "channel", "direction", "department", "agent", "outcome", "subject"],
    party.timeline.map((e) => [when(e.occurred_at), e.channel, e.direction, e.departments.join(", "),
      e.agent || "", outcome(e.outcome), e.subject || ""])));
  return box;
}

async function lookUp(event) {
  event.preventDefault();
  const status = document.getElementById("lookup-status");
  const results = document.getElementById("results");
  results.replaceChildren();
  status.textContent = t("searching");
  const query = { reason: document.getElementById("reason").value };
  query[document.getElementById("query-kind").value] = document.getElementById("query-value").value;
  try {
    const found = await api("contacts/search", { method: "POST", body: JSON.stringify(query) });
    status.textContent = found.parties.length ? t("found", { n: found.parties.length }) : t("none");
    found.parties.forEach((p) => results.appendChild(renderParty(p)));
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
    status.textContent = t("loaded", { t: new Date().toLocaleTimeString(lang === "nl" ? "nl-BE" : "en-GB") }) + " · " + t(report.health);
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
}

function renderQueues(report) {
  const body = document.querySelector("#queues tbody");
  body.replaceChildren();
  report.entities.forEach((q) => {
    const tr = body.insertRow();
    const reasons = Object.entries(q.dead_letter_reasons).map(([r, n]) => r + " ×" + n).join(", ");
    const inout = q.incoming === null ? "–" : q.incoming + " / " + q.outgoing;
    [q.entity, q.active ?? "–", q.dead_lettered ?? "–", q.scheduled ?? "–",
      q.oldest_active_age_seconds === null ? "–" : Math.round(q.oldest_active_age_seconds), inout, reasons]
      .forEach((c) => tr.appendChild(el("td", c)));
    const health = el("td", t(q.health) + (q.health_reasons.length ? " (" + q.health_reasons.join(", ") + ")" : ""));
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
    [d.entity, d.message_id, when(d.enqueued_time), d.reason].forEach((c) => tr.appendChild(el("td", c)));
    const button = el("button", t("replay"), { type: "button", "data-message": d.message_id });
    button.addEventListener("click", () => replay(d.entity, d.reason));
    const cell = el("td");
    cell.appendChild(button);
    tr.appendChild(cell);
  });
}

async function replay(entity, reason) {
  const box = document.getElementById("job");
  const bar = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  box.hidden = false;
  bar.value = 0;
  try {
    const started = await api("ops/replay", { method: "POST",
      body: JSON.stringify({ kind: "dlq", entity, dead_letter_reason: reason, reason: "web page replay" }) });
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

document.addEventListener("DOMContentLoaded", () => {
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
  applyLanguage();
});
