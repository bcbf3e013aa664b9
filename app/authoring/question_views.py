"""(being written)"""

from . import bp


@bp.get("/banks/<code>")
def bank(code):
    return code


@bp.get("/banks/new")
def bank_new():
    return ""
