"""Backup and restore of a VHCV installation: services.create(path) writes one
archive holding a consistent snapshot of the database and the instance keys its
data needs (the certificates' signing key pair); services.restore(path) puts them
back into an empty database and instance folder. `flask backup create|restore`
(cli.py) call them.

An operations package in the top layer, beside demo and main: it reads the
certificates' signing key path (certificates.services)."""
