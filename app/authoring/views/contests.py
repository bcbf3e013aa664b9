"""The contest editor: the contests in the trainer's scope, a contest's own fields
and targets, and each round's settings (a round already open: confirm first)."""

from dataclasses import replace
from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts import unit_picker
from app.content.quiz_editing import banks_for
from app.content.textfile import form_text
from app.contests import editing as service
from app.contests.sync import current_rounds, round_data_of
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.timeutil import from_vn_local, to_vn, utcnow

from ..contest_forms import ContestForm, RoundForm
from ..quiz_forms import draw_rules_of, fill_rules
from .blueprint import bp, refused


@bp.get("/contests")
def contests():
    return render_template(
        "authoring/contests/index.html", contests=service.contests_for(current_user)
    )


def _picker_values(contest) -> list[str]:
    return [
        unit_picker.label(
            t.unit.name, t.unit.parent.name if t.unit.parent else None, t.unit.code
        )
        for t in sorted(contest.targets, key=lambda t: t.unit.code)
    ]


@bp.route("/contests/<code>", methods=["GET", "POST"])
def contest_edit(code: str):
    contest = service.owned_contest(current_user, code)
    form = ContestForm()
    roots = service.target_roots(current_user)
    values = _picker_values(contest)
    if request.method == "GET":
        _fill_contest(form, contest)
    elif form.validate_on_submit():
        values = form.targets.data
        try:
            targets = tuple(unit_picker.resolve(t, roots).code for t in values)
            changed = service.apply_contest(
                contest,
                current_user,
                form.base.data,
                title=form_text(form.title.data),
                organiser=form_text(form.organiser.data),
                description=form_text(form.description.data),
                rules=form_text(form.rules.data),
                overall=form.overall.data,
                one_prize_per_contest=form.one_prize_per_contest.data,
                targets=targets,
            )
        except DomainError as error:
            refused(error, form, service.contest_base(contest))
        else:
            db.session.commit()
            _saved(changed)
            return redirect(url_for("authoring.contest_edit", code=code))
    elif request.method == "POST":
        values = form.targets.data or []
    return render_template(
        "authoring/contests/edit.html",
        contest=contest,
        rounds=current_rounds(contest),
        form=form,
        values=values,
        unit_options=unit_picker.options(roots),
        now=utcnow(),
    )


def _fill_contest(form: ContestForm, contest) -> None:
    form.title.data, form.organiser.data = contest.title, contest.organiser
    form.description.data, form.rules.data = contest.description_md, contest.rules_md
    form.overall.data = contest.overall
    form.one_prize_per_contest.data = contest.one_prize_per_contest
    form.base.data = service.contest_base(contest)


def _saved(changed) -> None:
    if changed:
        flash(_("Đã lưu thay đổi của cuộc thi."), "success")
    else:
        flash(_("Không có gì thay đổi."), "info")


def _round_form() -> RoundForm:
    form = RoundForm()
    choices = [SelectChoice("", "—")] + [
        SelectChoice(b.code, f"{b.code} — {b.title}") for b in banks_for(current_user)
    ]
    for row in form.rules:
        row.form.bank.choices = choices
    return form


def _fill_round(form: RoundForm, row) -> None:
    data = round_data_of(row)
    form.title.data = data.title
    form.opens_at.data = to_vn(data.opens_at).replace(tzinfo=None)
    form.closes_at.data = to_vn(data.closes_at).replace(tzinfo=None)
    for name in (
        "time_limit_minutes",
        "attempts_allowed",
        "questions_per_page",
        "shuffle_questions",
        "shuffle_options",
    ):
        getattr(form, name).data = getattr(data.quiz, name)
    form.prediction.data = data.prediction
    for level, count in data.prizes:
        getattr(form, f"prize_{level}").data = count
    fill_rules(form.rules, data.quiz.draw)
    form.base.data = service.round_base(row)


def _posted_round(form: RoundForm, row):
    old = round_data_of(row)
    quiz = replace(
        old.quiz,
        title=form_text(form.title.data),
        time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data,
        questions_per_page=form.questions_per_page.data,
        shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data,
        draw=draw_rules_of(form.rules),
    )
    return replace(
        old,
        title=form_text(form.title.data),
        opens_at=from_vn_local(form.opens_at.data).astimezone(UTC),
        closes_at=from_vn_local(form.closes_at.data).astimezone(UTC),
        quiz=quiz,
        prediction=form_text(form.prediction.data),
        prizes=form.prizes(),
    )


@bp.route("/contests/<code>/rounds/<round_code>", methods=["GET", "POST"])
def contest_round(code: str, round_code: str):
    contest = service.owned_contest(current_user, code)
    row = service.owned_round(contest, round_code)
    form = _round_form()
    problems, confirm = [], None
    if request.method == "GET":
        _fill_round(form, row)
    elif form.validate_on_submit():
        data = _posted_round(form, row)
        try:
            problems = service.round_problems(contest, row, data, current_user)
            if problems:
                raise InvalidInput(_("Chưa lưu: xem các lỗi bên dưới."))
            outcome = service.apply_round(
                contest,
                row,
                current_user,
                data,
                utcnow(),
                confirmed=request.form.get("confirm") == "1",
                base=form.base.data,
            )
        except DomainError as error:
            refused(error, form, service.round_base(row))
        else:
            if outcome.needs_confirm:
                confirm = outcome.changed
            else:
                db.session.commit()
                _saved(outcome.changed)
                return redirect(
                    url_for("authoring.contest_round", code=code, round_code=round_code)
                )
    return render_template(
        "authoring/contests/round.html",
        contest=contest,
        row=row,
        form=form,
        problems=problems,
        confirm=confirm,
    )
