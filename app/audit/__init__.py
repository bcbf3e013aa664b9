"""Audit log of sensitive actions: the AuditEvent rows and `services.record()`, the
one way to write them. Below app.accounts, whose services record events; the page
that reads the log is app/reports/views/audit_log.py."""
