"""Audit log of sensitive actions; `record()` is the one way to write it."""

from .services import record

__all__ = ["record"]
