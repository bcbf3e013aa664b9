"""HR dashboard pages (scoped to the officer's subtree)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
