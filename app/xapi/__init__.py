"""xAPI: each learning event as an xAPI statement in the cadre's name, kept in an
outbox in the event's own transaction and sent in batches to the LRS (XAPI_LRS_URL)."""
