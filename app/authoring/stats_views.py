"""(being written)"""

from . import bp


@bp.get("/quizzes/<code>/statistics")
def quiz_stats(code):
    return code
