"""(being written)"""

from . import bp


@bp.get("/modules/<code>")
def module_edit(code):
    return code


@bp.get("/courses/<course>/modules/new")
def module_new(course):
    return course
