"""Certificates: issuing (on completion), verification, downloads, revocation."""
