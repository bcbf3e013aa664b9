"""Audit log of sensitive actions; `services.record()` is the one way to write it."""
