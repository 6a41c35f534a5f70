"""The simulated Microsoft 365 tenant: Graph's documented shapes on 127.0.0.1:7072, its own ground truth.

Its own process (`python -m devhost.tenant --port 7072 --data-dir DIR`, or `TenantProcess` in
process.py) with its own SQLite file `<DIR>/tenant.db`, so killing Loket's host never loses it. It
imports nothing from handlers/, schemas/ or adapters/: it must not learn Loket's assumptions, and
every payload it serves parses with msgraph-sdk's own models (tests/unit/test_tenant_payloads.py).

Graph, under /v1.0 (point GRAPH_BASE_URL at http://127.0.0.1:7072/v1.0; no auth on loopback):
  GET  /users/{u}                                   ({u}: object id or UPN, from the directory)
  GET  /users/{u}/messages/{id}?$select=…           (internetMessageHeaders only when selected)
  GET  /users/{u}/mailFolders/{id|well-known name}
  GET  /users/{u}/mailFolders/{id}/messages/delta()  ($select, $filter=receivedDateTime ge …,
                                                     Prefer: odata.maxpagesize; 410 on a bad token)
  GET  /communications/callRecords/{id}?$expand=sessions($expand=segments),participants_v2
  GET  /communications/callRecords/{id}/sessions|participants_v2   (the nextLink pages)
  GET  /communications/callRecords?$filter=startDateTime ge … and startDateTime lt …
  POST /subscriptions (validation handshake on notificationUrl and lifecycleNotificationUrl: 200
       text/plain echo within 10 s, else 400), GET/PATCH/DELETE /subscriptions/{id},
       POST /subscriptions/{id}/reauthorize, GET /subscriptions (expired ones are gone)
Control, under /_sim/ (not Graph):
  GET    /_sim/health
  POST   /_sim/users        {"id": object id, "userPrincipalName": …}  (id and UPN: one mailbox)
  POST   /_sim/mailboxes/{u}/messages   {"folder": "inbox"|id, "message": {…}, "notify": true, "copies": 1}
  DELETE /_sim/mailboxes/{u}/messages/{id}          (a delta tombstone)
  POST   /_sim/mailboxes/{u}/folders    {"parent": "inbox"|id, "displayName": "…"}
  POST   /_sim/callRecords  {"record": {…}, "options": {"pageSize": {"sessions": n, "participants_v2": n},
                             "repeatLastLink": bool}, "notify": true, "copies": 1}  (same id = next version)
  POST   /_sim/lifecycle    {"subscriptionId": …,
                             "event": "missed"|"subscriptionRemoved"|"reauthorizationRequired"}
  GET|POST|DELETE /_sim/faults
         {"path": "/messages/", "method": "GET", "status": 429, "retryAfter": 1, "times": 1}
  GET    /_sim/deliveries   (every notification POST and the status Loket answered)
  POST   /_sim/runs {"contacts", "rate", "faults"}, GET /_sim/runs/{id}[/truth], DELETE /_sim/runs/{id}
         (a simulated working day and its ground truth: day_api.py, day*.py, truth.py, faults.py)
Time: `<DIR>/clock.json` (the movable clock the host reads) moves the tenant's clock too.
"""
