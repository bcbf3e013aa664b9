"""JSON API for units' HR systems, behind API tokens an administrator issues."""
