// The privacy officer's tab (app role Loket.Privacy; locally the key): the audit read and verified,
// erasure requests and their approval by a second person. Uses app.js's t, el, api, table and when;
// its words are in the one catalogue (schemas/messages.py, `ui.*`).
"use strict";

async function showAudit(event) {
  event.preventDefault();
  const status = document.getElementById("privacy-status");
  const params = new URLSearchParams();
  for (const [id, key] of [["audit-party", "party"], ["audit-actor", "actor"], ["audit-since", "since"]]) {
    const value = document.getElementById(id).value.trim();
    if (value) params.set(key, value);
  }
  try {
    const entries = await api("privacy/audit?" + params.toString());
    const box = document.getElementById("audit-entries");
    box.replaceChildren(table(["seq", "time", "who", "what", "party", "route", "why", "shown"],
      entries.map((e) => [e.seq, when(e.at), e.actor, e.action,
        e.party_id ?? (e.party_ref ? "#" + e.party_ref.slice(0, 10) : ""), e.route || "", e.reason, e.shown.join(", ")])));
    status.textContent = t("loaded", { t: new Date().toLocaleTimeString() });
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
}

async function verifyChain() {
  const status = document.getElementById("privacy-status");
  const response = await fetch("/api/privacy/audit/verify", { headers: headers() });
  const report = await response.json().catch(() => ({}));
  if (response.status === 401 || response.status === 403) {
    status.textContent = t(response.status === 401 ? "error.sign_in" : "error.forbidden");
  } else {
    status.textContent = report.ok ? t("chain_ok", { n: report.entries, h: report.head_hash.slice(0, 16) })
      : t("chain_broken", { n: report.problems.length });
  }
}

async function loadErasures() {
  const body = document.querySelector("#erasure-requests tbody");
  body.replaceChildren();
  const requests = await api("privacy/erasures");
  if (!requests.length) body.insertRow().appendChild(el("td", t("no_requests"), { colspan: "6" }));
  requests.forEach((r) => {
    const tr = body.insertRow();
    [r.id, r.party_id, r.requested_by, when(r.requested_at), r.reason].forEach((c) => tr.appendChild(el("td", c)));
    const cell = el("td");
    for (const decision of ["approve", "refuse"]) {
      const button = el("button", t(decision), { type: "button" });
      button.addEventListener("click", () => decide(r.id, decision));
      cell.appendChild(button);
    }
    tr.appendChild(cell);
  });
}

async function decide(id, decision) {
  const status = document.getElementById("privacy-status");
  const reason = document.getElementById("decision-reason").value.trim();
  try {
    const done = await api("privacy/erasures/" + id + "/" + decision, { method: "POST", body: JSON.stringify({ reason }) });
    status.textContent = "#" + done.id + ": " + done.status;
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
  await loadErasures().catch(() => {});
}

async function requestErasure(event) {
  event.preventDefault();
  const status = document.getElementById("privacy-status");
  const body = { party_id: Number(document.getElementById("erase-party").value),
    reason: document.getElementById("erase-reason").value };
  try {
    const created = await api("privacy/erasures", { method: "POST", body: JSON.stringify(body) });
    status.textContent = t("requested", { id: created.id });
  } catch (err) {
    status.textContent = t("error", { e: err.message });
  }
  await loadErasures().catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("audit-form").addEventListener("submit", showAudit);
  document.getElementById("erase-form").addEventListener("submit", requestErasure);
  document.getElementById("verify-chain").addEventListener("click", verifyChain);
  document.getElementById("tab-privacy").addEventListener("click", () => loadErasures().catch((err) => {
    document.getElementById("privacy-status").textContent = t("error", { e: err.message });
  }));
  applyLanguage();
});
