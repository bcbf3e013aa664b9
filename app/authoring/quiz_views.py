"""(being written)"""

from . import bp


@bp.get("/quizzes/<code>/settings")
def quiz_settings(code):
    return code
