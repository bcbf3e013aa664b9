"""Backup and restore of a VHCV installation: `create(path)` writes one archive
holding a consistent snapshot of the database and the instance keys its data needs
(the certificates' signing key pair); `restore(path)` puts them back into an empty
database and instance folder. `flask backup create|restore` (cli.py) call them.

An operations package: it sits in the top layer beside demo and main, since it
reads the certificates' signing key path (certificates.services)."""

from .services import BackupError, BackupInfo, RestoreInfo, create, restore

__all__ = ["BackupError", "BackupInfo", "RestoreInfo", "create", "restore"]
