"""Certificates: issuing (on completion), verification, downloads, revocation."""

from .views import bp

__all__ = ["bp"]
