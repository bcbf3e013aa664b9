"""Contest files into the database: `flask content check|sync` and `flask contests
check|sync`, the checks that need the database, and the three-way rule."""

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.contests.models import Contest, ContestRound
from app.contests.sync import RETIRED_NUMBER
from app.extensions import db
from app.quizzes.models import Quiz, QuizTarget
from tests.contests.helpers import contest_text, make_contest, moment, write_quizzes
from tests.courses.content import write_course
from tests.factories import make_tree


def _run(runner, tmp_path, *args):
    quizzes = tmp_path / "quizzes"
    return runner.invoke(args=[*args, "--quizzes", str(quizzes)])


def _content(runner, tmp_path, command, *extra):
    courses = tmp_path / "courses"
    if not courses.exists():
        write_course(courses)
    quizzes = tmp_path / "quizzes"
    return runner.invoke(
        args=[
            "content",
            command,
            "--courses",
            str(courses),
            "--quizzes",
            str(quizzes),
            *extra,
        ]
    )


def _contest(app):
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.code == "ct"))
        rounds = [
            (r.number, r.code, r.title, r.prizes, r.quiz.code, r.quiz.active)
            for r in contest.rounds
        ]
        return contest.title, contest.origin, rounds


def test_content_check_and_sync_include_the_contests(app, runner, tmp_path):
    write_quizzes(tmp_path, contest_text())
    with app.app_context():
        make_tree()
    check = _content(runner, tmp_path, "check")
    assert check.exit_code == 0, check.output
    assert "1 cuộc thi." in check.output
    sync = _content(runner, tmp_path, "sync")
    assert sync.exit_code == 0, sync.output
    assert "Cuộc thi: 1 tạo mới" in sync.output
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        assert contest.rules_html.startswith("<h2")
        assert "<strong>cuộc thi</strong>" in contest.description_html
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "r2"))
        assert quiz.sealed and quiz.review_policy == "after_close"
        assert quiz.course_code is None and quiz.prediction_prompt
        assert quiz.owner_unit_id == contest.owner_unit_id
        assert quiz.draw_rules == [{"count": 3, "bank": "CB", "tag": None}]
        targets = db.session.scalars(
            select(QuizTarget.unit_id).where(QuizTarget.quiz_id == quiz.id)
        )
        assert list(targets) == [t.unit_id for t in contest.targets]
        assert quiz.opens_at < quiz.closes_at
    again = _content(runner, tmp_path, "sync")
    assert "Cuộc thi: 0 tạo mới, 0 cập nhật, 1 không đổi" in again.output


def test_with_no_unit_yet_content_sync_leaves_the_contests_for_later(
    app, runner, tmp_path
):
    write_quizzes(tmp_path, contest_text())
    sync = _content(runner, tmp_path, "sync")
    assert sync.exit_code == 0, sync.output
    assert "chưa đồng bộ cuộc thi ct: chưa có đơn vị nào" in sync.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Contest.id))) == 0
    strict = _run(runner, tmp_path, "contests", "check")
    assert strict.exit_code != 0 and "không có đơn vị mã “D”" in strict.output


def test_an_unknown_unit_is_an_error_everywhere(app, runner, tmp_path):
    write_quizzes(tmp_path, contest_text(targets="[D, NOWHERE]"))
    with app.app_context():
        make_tree()
    for result in (
        _content(runner, tmp_path, "check"),
        _content(runner, tmp_path, "sync"),
        _run(runner, tmp_path, "contests", "sync"),
    ):
        assert result.exit_code != 0
        assert (
            "quizzes/contests/ct.yml:1: không có đơn vị mã “NOWHERE”" in result.output
        )
    with app.app_context():
        assert db.session.scalar(select(func.count(Contest.id))) == 0
        assert db.session.scalar(select(func.count(Quiz.id))) == 0  # nothing at all


def test_a_closed_unit_is_refused(app, runner, tmp_path):
    write_quizzes(tmp_path, contest_text())
    with app.app_context():
        tree = make_tree()
        tree["D"].active = False
        db.session.commit()
    result = _run(runner, tmp_path, "contests", "check")
    assert result.exit_code != 0 and "đơn vị “D” đã ngừng hoạt động" in result.output


def test_a_round_code_of_another_quiz_in_the_database_is_refused(app, runner, tmp_path):
    write_quizzes(tmp_path, contest_text())
    with app.app_context():
        make_tree()
        db.session.add(Quiz(code="r1", title="Bài khác"))
        db.session.commit()
    result = _run(runner, tmp_path, "contests", "sync")
    assert result.exit_code != 0
    assert "mã đợt thi “r1” đã là mã của một bài kiểm tra khác" in result.output


def test_contests_check_and_sync_alone(app, runner, tmp_path):
    write_quizzes(tmp_path, contest_text())
    with app.app_context():
        make_tree()
    check = _run(runner, tmp_path, "contests", "check")
    assert check.exit_code == 0 and "Tệp cuộc thi hợp lệ: 1 cuộc thi." in check.output
    sync = _run(runner, tmp_path, "contests", "sync")
    assert sync.exit_code == 0 and "1 tạo mới" in sync.output
    title, origin, rounds = _contest(app)
    assert title == "Cuộc thi thử" and origin == "file"
    assert [r[:3] for r in rounds] == [(1, "r1", "Đợt 1"), (2, "r2", "Đợt 2")]


def test_a_changed_file_updates_renumbers_and_retires_rounds(app, runner, tmp_path):
    with app.app_context():
        make_contest(tmp_path)
    text = contest_text().replace("code: r1", "code: r0").replace("Đợt 1", "Đợt đầu")
    write_quizzes(tmp_path, text.replace("Cuộc thi thử", "Cuộc thi mới"))
    sync = _run(runner, tmp_path, "contests", "sync")
    assert sync.exit_code == 0 and "1 cập nhật" in sync.output, sync.output
    title, _, rounds = _contest(app)
    assert title == "Cuộc thi mới"
    assert [(n, code, active) for n, code, *_, active in rounds[:2]] == [
        (1, "r0", True),
        (2, "r2", True),
    ]
    assert rounds[2][1] == "r1" and rounds[2][0] > RETIRED_NUMBER
    assert rounds[2][-1] is False  # its quiz is retired, its attempts kept


def test_a_file_may_not_reopen_or_redraw_a_closed_round(app, runner, tmp_path):
    """r1 closed 10 days ago: a changed file may rename it and change its prizes,
    not move its close (even to another past day) or its draw (its answers may
    be public); the round and the rest of the contest stay as they were until the
    file is put right."""
    with app.app_context():
        make_contest(tmp_path)
    reopened = contest_text(r1_closes=moment(-2)).replace("Cuộc thi thử", "Mới")
    write_quizzes(tmp_path, reopened)
    sync = _run(runner, tmp_path, "contests", "sync")
    assert sync.exit_code != 0
    assert "đợt thi “r1” đã kết thúc: chỉ sửa được tên đợt và số giải" in sync.output
    assert "closes_at" in sync.output
    assert _contest(app)[0] == "Cuộc thi thử"
    redrawn = contest_text().replace("{bank: CB, count: 2}", "{bank: CB, count: 4}")
    write_quizzes(tmp_path, redrawn)
    redraw = _run(runner, tmp_path, "contests", "sync")
    assert redraw.exit_code != 0 and "(tệp đổi: draw)" in redraw.output, redraw.output
    renamed = contest_text().replace('"Đợt 1"', '"Đợt một"')
    write_quizzes(tmp_path, renamed.replace("nhat: 1, nhi: 1, ba: 1}", "nhat: 2}"))
    ok = _run(runner, tmp_path, "contests", "sync")
    assert ok.exit_code == 0, ok.output
    assert _contest(app)[2][0][2] == "Đợt một"


def test_a_browser_edit_is_kept_then_a_changed_file_is_a_conflict(
    app, runner, tmp_path
):
    with app.app_context():
        make_contest(tmp_path)
        contest = db.session.scalar(select(Contest))
        from app.accounts.models import User
        from app.contests import editing

        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        editing.apply_contest(contest, trainer, title="Sửa trên trình duyệt")
        db.session.commit()
    kept = _run(runner, tmp_path, "contests", "sync")
    assert kept.exit_code == 0 and "giữ nguyên: ct" in kept.output
    assert _contest(app)[:2] == ("Sửa trên trình duyệt", "browser")
    write_quizzes(tmp_path, contest_text().replace("Cuộc thi thử", "Tệp đổi"))
    conflict = _run(runner, tmp_path, "contests", "sync")
    assert conflict.exit_code != 0 and "xung đột: cuộc thi ct" in conflict.output
    assert _contest(app)[0] == "Sửa trên trình duyệt"
    content_conflict = _content(runner, tmp_path, "sync")
    assert content_conflict.exit_code != 0 and "xung đột" in content_conflict.output
    forced = _run(runner, tmp_path, "contests", "sync", "--prefer-files")
    assert forced.exit_code == 0, forced.output
    assert _contest(app)[:2] == ("Tệp đổi", "file")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "contest.changed"
                )
            )
            == 1
        )


def test_a_round_quiz_edited_elsewhere_counts_as_a_browser_edit(app, runner, tmp_path):
    with app.app_context():
        make_contest(tmp_path)
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "r2"))
        quiz.time_limit_seconds, quiz.origin = 1200, "browser"
        db.session.commit()
    write_quizzes(tmp_path, contest_text().replace("Cuộc thi thử", "Tệp đổi"))
    conflict = _run(runner, tmp_path, "contests", "sync")
    assert conflict.exit_code != 0 and "xung đột" in conflict.output
    with app.app_context():
        assert db.session.scalar(select(func.count(ContestRound.id))) == 2


def _start_r2(app, preview=False):
    """A cadre begins r2 (running now): an attempt, a preview or not."""
    from app.accounts.models import User
    from tests.contests.rank_helpers import attempt

    with app.app_context():
        row = db.session.scalar(select(ContestRound).where(ContestRound.code == "r2"))
        cadre = db.session.scalar(select(User).where(User.username == "cadre"))
        attempt(row, cadre, right=3, questions=3, preview=preview)


def test_a_file_may_not_redraw_a_round_someone_has_started(app, runner, tmp_path):
    """r2 is running: before anyone starts it, a changed file may redraw it; once
    a cadre has (a preview does not count), only its name and prizes change."""
    with app.app_context():
        make_contest(tmp_path)
    _start_r2(app, preview=True)
    redrawn = contest_text().replace("{bank: CB, count: 3}", "{bank: CB, count: 4}")
    write_quizzes(tmp_path, redrawn)
    assert _run(runner, tmp_path, "contests", "check").exit_code == 0
    write_quizzes(tmp_path, contest_text())
    _start_r2(app)
    longer = "time_limit_minutes: 20\n    draw:\n      - {bank: CB, count: 4}"
    write_quizzes(tmp_path, redrawn.replace(longer.replace("20", "10"), longer))
    sync = _run(runner, tmp_path, "contests", "sync")
    assert sync.exit_code != 0
    assert "đợt thi “r2” đã có người làm bài: chỉ sửa được tên đợt" in sync.output
    assert "draw" in sync.output and "time_limit_minutes" in sync.output
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "r2"))
        assert quiz.question_count == 3 and quiz.time_limit_seconds == 600
    renamed = contest_text(r2_prizes="{nhat: 2}").replace('"Đợt 2"', '"Đợt hai"')
    write_quizzes(tmp_path, renamed)
    ok = _run(runner, tmp_path, "contests", "sync")
    assert ok.exit_code == 0, ok.output
    prizes = {"nhat": 2, "nhi": 0, "ba": 0, "khuyen_khich": 0}
    assert _contest(app)[2][1][2:4] == ("Đợt hai", prizes)


def _targets(app):
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.code == "ct"))
        r1 = db.session.scalar(select(Quiz).where(Quiz.code == "r1"))
        return (
            sorted(t.unit.code for t in contest.targets),
            sorted(t.unit_id for t in r1.targets),
        )


def test_a_file_may_not_change_the_targets_once_a_round_has_opened(
    app, runner, tmp_path
):
    """r1 has opened (and closed): the ranking reads the contest's targets, so
    narrowing them to D1A would drop cadre2 (in D1) from r1's next ranking
    version. A file problem, nothing written; before any round opens, the
    targets may change."""
    with app.app_context():
        make_contest(tmp_path)
    before = _targets(app)
    write_quizzes(tmp_path, contest_text(targets="[D1A]"))
    for result in (
        _run(runner, tmp_path, "contests", "check"),
        _run(runner, tmp_path, "contests", "sync"),
        _content(runner, tmp_path, "sync"),
    ):
        assert result.exit_code != 0
        assert "các đơn vị dự thi đã cố định" in result.output, result.output
    assert _targets(app) == before


def test_before_any_round_opens_a_file_may_change_the_targets(app, runner, tmp_path):
    days = {"r1_opens": 2, "r1_closes": 3, "r2_opens": 4, "r2_closes": 10}
    later = {key: moment(d) for key, d in days.items()}
    with app.app_context():
        tree = make_contest(tmp_path, **later)["tree"]
    write_quizzes(tmp_path, contest_text(targets="[D1A]", **later))
    sync = _run(runner, tmp_path, "contests", "sync")
    assert sync.exit_code == 0, sync.output
    assert _targets(app) == (["D1A"], [tree["D1A"]])


def test_a_target_inside_another_target_is_refused(app, runner, tmp_path):
    """D1 lies in D: the results per unit count each unit under one target."""
    write_quizzes(tmp_path, contest_text(targets="[D, D1]"))
    with app.app_context():
        make_tree()
    result = _run(runner, tmp_path, "contests", "sync")
    assert result.exit_code != 0
    assert "Đơn vị dự thi “D1” nằm trong đơn vị dự thi “D”" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Contest.id))) == 0
