"""`flask demo seed`: an idempotent demo province with cadres and one account per role."""

from .cli import demo_cli

__all__ = ["demo_cli"]
