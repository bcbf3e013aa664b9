"""`flask demo seed`: an idempotent demo province, its cadres, one account per
role."""

from .cli import demo_cli

__all__ = ["demo_cli"]
