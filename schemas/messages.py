"""The one message catalogue: every word the page shows, in Dutch (the default) and English.

The page (`GET /api/ui/messages.json`) and the CLI read the same keys. Codes stay as captured
(`outcome` = `missed`, a dead-letter reason `MalformedPayload`); only what staff read is translated.
Keys are `<kind>.<code>`: `channel.*`, `direction.*`, `outcome.*`, `department.*`, `health.*`,
`health_reason.*`, `dead_letter.*`, `error.*`, `thread.*`, and `ui.*` for the page's own labels.
A code without an entry shows as itself, so an unforeseen reason is never hidden.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["nl", "en"]
DEFAULT_LANGUAGE: Language = "nl"

_VALUES: dict[str, tuple[str, str]] = {
    # key: (Dutch, English)
    "channel.mail": ("e-mail", "e-mail"),
    "channel.phone": ("telefoon", "phone"),
    "channel.post": ("brief", "letter"),
    "direction.inbound": ("binnenkomend", "inbound"),
    "direction.outbound": ("uitgaand", "outbound"),
    "outcome.received": ("ontvangen", "received"),
    "outcome.sent": ("verstuurd", "sent"),
    "outcome.answered": ("beantwoord", "answered"),
    "outcome.missed": ("gemist", "missed"),
    "outcome.abandoned": ("opgehangen in de wachtrij", "abandoned"),
    "outcome.voicemail": ("voicemail", "voicemail"),
    "outcome.unidentified": ("afzender onbekend", "sender unknown"),
    "outcome.unknown": ("afloop onbekend", "outcome unknown"),
    # The sample city's departments; a real city's names show as they are in its policy.
    "department.Onthaal": ("Onthaal", "Reception"),
    "department.Burgerzaken": ("Burgerzaken", "Civil affairs"),
    "department.Financiën": ("Financiën", "Finance"),
    "department.Omgeving": ("Omgeving", "Planning and environment"),
    "department.Sociale dienst": ("Sociale dienst", "Social services"),
    "department.Bibliotheek": ("Bibliotheek", "Library"),
    "department.none": ("(geen dienst)", "(no department)"),
    "health.ok": ("in orde", "ok"),
    "health.warning": ("let op", "warning"),
    "health.critical": ("kritiek", "critical"),
    "health_reason.dead_letters": ("mislukte berichten", "dead letters"),
    "health_reason.backlog": ("achterstand", "backlog"),
    "health_reason.oldest_age": ("oudste bericht wacht te lang", "oldest message waits too long"),
    "health_reason.stalled": ("verwerking staat stil", "processing stalled"),
    "dead_letter.MalformedPayload": ("onleesbaar bericht", "malformed payload"),
    "dead_letter.MaxAttemptsExceeded": ("te vaak geprobeerd", "too many attempts"),
    "dead_letter.MaxDeliveryCountExceeded": ("te vaak afgeleverd", "delivered too often"),
    "dead_letter.PermanentError": ("blijvende fout", "permanent error"),
    "dead_letter.unreadable_pdf": ("onleesbare scan (pdf)", "unreadable scan (PDF)"),
    "dead_letter.bad_blob_name": ("ongeldige bestandsnaam van de scan", "invalid scan file name"),
    # Letters that could not be captured (issue 15): `loket replay letters` once the cause is fixed.
    "dead_letter.too_large": ("scan te groot", "scan too large"),
    "dead_letter.extraction_timeout": ("lezen van de scan duurde te lang", "reading the scan took too long"),
    "dead_letter.ocr_unavailable": ("tekstherkenning (OCR) niet beschikbaar", "OCR unavailable"),
    "dead_letter.reader_misconfigured": ("scanlezer niet goed ingesteld", "scan reader misconfigured"),
    "dead_letter.reader_crashed": (
        "scanlezer liep vast op dit bestand", "the scan reader crashed on this file"),
    "dead_letter.bad_sidecar": ("ongeldige indexgegevens (sidecar)", "bad sidecar"),
    "dead_letter.symlink": ("snelkoppeling in de postbak geweigerd", "symbolic link refused"),
    "dead_letter.unsafe_name": ("ongeldige bestandsnaam geweigerd", "unsafe file name refused"),
    "dead_letter.not_a_file": ("geen gewoon bestand", "not a plain file"),
    "dead_letter.graph_malformed": (
        "onleesbaar antwoord van Microsoft 365", "malformed Microsoft 365 answer"),
    "dead_letter.graph_not_found": ("niet meer te vinden in Microsoft 365", "no longer in Microsoft 365"),
    "dead_letter.graph_foreign_link": (
        "link buiten Microsoft 365 geweigerd", "link outside Microsoft 365 refused"),
    "dead_letter.graph_paging_loop": (
        "Microsoft 365 blijft dezelfde pagina geven", "Microsoft 365 paging loop"),
    "dead_letter.graph_paging_limit": ("te veel pagina's van Microsoft 365", "too many Microsoft 365 pages"),
    "dead_letter.graph_delta_expired": ("wijzigingsoverzicht verlopen", "delta token expired"),
    "dead_letter.incomplete_message": ("onvolledig bericht", "incomplete message"),
    "dead_letter.malformed_message": ("onleesbaar bericht", "malformed message"),
    "dead_letter.mail_without_folder": ("e-mail zonder map", "mail without folder"),
    "dead_letter.MessageTooLarge": ("bericht te groot", "message too large"),
    "dead_letter.EntityNotFound": ("wachtrij bestaat niet", "entity not found"),
    "dead_letter.Unauthorized": ("geen toegang tot de wachtrij", "not authorised on the entity"),
    "dead_letter.AdminRefused": ("geweigerd door de beheerder", "refused by the administrator"),
    "dead_letter.AlreadyDeadLettered": ("al bij de mislukte berichten", "already dead-lettered"),
    "dead_letter.(none)": ("(geen reden opgegeven)", "(no reason given)"),
    "thread.answered": ("beantwoord", "answered"),
    "thread.open": ("open", "open"),
    "error.sign_in": ("Geef eerst een API-sleutel of token.", "Enter an API key or token first."),
    "error.forbidden": ("Geen toegang voor deze rol.", "Not allowed for this role."),
    "error.reason_required": ("Geef een reden voor deze opzoeking.", "A look-up needs a reason."),
    "error.one_query": ("Geef precies één van telefoon, e-mail of naam.",
                        "Give exactly one of phone, e-mail or name."),
    "error.bad_phone": ("Dat is geen telefoonnummer (Belgisch of internationaal).",
                        "Not a phone number (Belgian or international format)."),
    "error.bad_email": ("Dat is geen e-mailadres.", "Not an e-mail address."),
    "error.name_too_short": (
        "Geef minstens {n} letters van de naam.", "A name search needs at least {n} letters."),
    "error.bad_request": ("Ongeldige vraag.", "Invalid request."),
    "error.no_such_party": ("Deze burger bestaat niet (meer).", "No such party."),
    "error.no_such_job": ("Deze taak bestaat niet.", "No such job."),
    "error.bad_party_id": ("Een dossiernummer is een getal.", "A party id is a number."),
    "error.no_such_source": ("Geen bron voor dit contact.", "This contact has no source to open."),
    "error.replay_reason_required": ("Geef een reden om opnieuw te verwerken.", "A replay needs a reason."),
}

_UI: dict[str, tuple[str, str]] = {
    "tab_lookup": ("Opzoeken", "Look-up"),
    "tab_ops": ("Beheer", "Operations"),
    "credential": ("API-sleutel of token", "API key or token"),
    "language": ("Taal", "Language"),
    "lookup_legend": ("Burger opzoeken", "Look a citizen up"),
    "search_by": ("Zoeken op", "Search by"),
    "phone": ("Telefoon", "Phone"),
    "email": ("E-mail", "E-mail"),
    "name": ("Naam", "Name"),
    "value": ("Zoekterm", "Search term"),
    "reason": ("Reden", "Reason"),
    "search": ("Zoeken", "Search"),
    "queues": ("Wachtrijen", "Queues"),
    "refresh": ("Vernieuwen", "Refresh"),
    "entity": ("Wachtrij", "Entity"),
    "active": ("Actief", "Active"),
    "dead": ("Mislukt", "Dead-lettered"),
    "scheduled": ("Gepland", "Scheduled"),
    "oldest": ("Oudste (s)", "Oldest (s)"),
    "inout": ("In / uit", "In / out"),
    "reasons": ("Redenen", "Reasons"),
    "health": ("Toestand", "Health"),
    "dead_letters": ("Mislukte berichten", "Dead letters"),
    "message": ("Bericht", "Message"),
    "enqueued": ("Ontvangen", "Enqueued"),
    "reason_col": ("Reden", "Reason"),
    "action": ("Actie", "Action"),
    "replay_progress": ("Voortgang opnieuw verwerken", "Replay progress"),
    "replay": ("Opnieuw verwerken", "Replay"),
    "replay_confirm": ("Mislukte berichten van {entity} met reden ‘{reason}’ opnieuw verwerken?",
                       "Replay the dead letters of {entity} with reason ‘{reason}’?"),
    "replay_why": ("Waarom verwerkt u ze opnieuw?", "Why do you replay them?"),
    "replay_go": ("Bevestigen", "Confirm"),
    "cancel": ("Annuleren", "Cancel"),
    "searching": ("Bezig met zoeken…", "Searching…"),
    "found": ("Gevonden: {n}", "Found: {n}"),
    "none": ("Niemand gevonden.", "Nobody found."),
    "helped_before": ("Eerder geholpen", "Helped before"),
    "department": ("Dienst", "Department"),
    "contacts": ("Contacten", "Contacts"),
    "last": ("Laatste", "Last"),
    "last_contact": ("Laatste contact", "Last contact"),
    "channel": ("Kanaal", "Channel"),
    "outcome": ("Afloop", "Outcome"),
    "agent": ("Medewerker", "Agent"),
    "time": ("Tijdstip", "Time"),
    "subject": ("Onderwerp", "Subject"),
    "preview": ("Inhoud", "Preview"),
    "direction": ("Richting", "Direction"),
    "thread": ("Vraag", "Request"),
    "source": ("Bron", "Source"),
    "open_in_outlook": ("Openen in Outlook", "Open in Outlook"),
    "open_scan": ("Scan openen", "Open scan"),
    "timeline": ("Tijdlijn", "Timeline"),
    "identifiers": ("Gegevens", "Identifiers"),
    "open_party": ("Openen", "Open"),
    "all": ("alle", "all"),
    "filter_channel": ("Kanaal", "Channel"),
    "filter_department": ("Dienst", "Department"),
    "times_in": ("Tijden in {zone}", "Times in {zone}"),
    "error": ("Fout: {e}", "Error: {e}"),
    "loaded": ("Bijgewerkt om {t}", "Updated at {t}"),
    "job_running": ("{done} van {total} verwerkt", "{done} of {total} done"),
    "job_done": ("Klaar: {n} opnieuw verwerkt", "Done: {n} replayed"),
    "job_failed": ("Mislukt: {e}", "Failed: {e}"),
    "no_dead_letters": ("Geen mislukte berichten.", "No dead letters."),
    "no_contacts": ("Nog geen contacten.", "No contacts yet."),
    "on_behalf": ("namens {mailbox}", "on behalf of {mailbox}"),
    # Entra sign-in (functions/static/signin.js)
    "sign_in": ("Aanmelden", "Sign in"),
    "signed_in_as": ("Aangemeld als {name}", "Signed in as {name}"),
    # The privacy officer's tab (functions/static/privacy.js)
    "tab_privacy": ("Privacy", "Privacy"),
    "audit": ("Audit", "Audit"),
    "audit_party": ("Partij-id", "Party id"),
    "audit_actor": ("Medewerker (UPN)", "Colleague (UPN)"),
    "audit_since": ("Sinds", "Since"),
    "show_audit": ("Tonen", "Show"),
    "verify_chain": ("Keten controleren", "Verify chain"),
    "seq": ("#", "#"),
    "who": ("Wie", "Who"),
    "what": ("Wat", "What"),
    "party": ("Partij", "Party"),
    "route": ("Via", "Route"),
    "why": ("Waarom", "Why"),
    "shown": ("Getoond (diensten)", "Shown (departments)"),
    "chain_ok": ("Auditketen intact: {n} items, kop {h}", "Audit chain intact: {n} entries, head {h}"),
    "chain_broken": ("Auditketen gebroken: {n} problemen", "Audit chain broken: {n} problems"),
    "erasures": ("Wisverzoeken", "Erasure requests"),
    "request_erasure": ("Wissen aanvragen", "Request erasure"),
    "requested_by": ("Aangevraagd door", "Requested by"),
    "approve": ("Goedkeuren", "Approve"),
    "refuse": ("Weigeren", "Refuse"),
    "no_requests": ("Geen openstaande verzoeken.", "No pending requests."),
    "decision_reason": ("Reden van de beslissing", "Reason for the decision"),
    "requested": ("Verzoek {id} geregistreerd: een tweede persoon keurt het goed.",
                  "Request {id} recorded: a second person approves it."),
}

CATALOGUE: dict[str, dict[str, str]] = {
    lang: {**{k: v[i] for k, v in _VALUES.items()}, **{f"ui.{k}": v[i] for k, v in _UI.items()}}
    for i, lang in enumerate(("nl", "en"))
}


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message for `key` in `lang` (Dutch, then English, then the key's code itself)."""
    found = CATALOGUE.get(lang, {}).get(key) or CATALOGUE["en"].get(key) or key.split(".", 1)[-1]
    return found.format(**values) if values else found


def value(kind: str, code: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A captured code as staff read it: `value("outcome", "missed")` → "gemist"."""
    return "" if code is None else text(f"{kind}.{code}", lang)
