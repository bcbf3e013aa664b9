"""Audit log of sensitive actions; `record()` is the one way to write it."""

from .services import record
from .views import bp

__all__ = ["bp", "record"]
