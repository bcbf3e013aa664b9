"""`flask attempts close-overdue`; `flask accommodations set|list`. (`flask quizzes
…` — GIFT, Aiken and Word — lives with the `flask content` commands.)"""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.services import get_user_by_username
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.timeutil import format_vn_date

from . import accommodations, attempts, sweep

attempts_cli = AppGroup("attempts", help=_l("Lượt làm bài."))


@attempts_cli.command(
    "close-overdue",
    help=_l(
        "Kết thúc mọi lượt làm bài đã quá hạn, với các câu trả lời đã lưu trước hạn."
    ),
)
def close_overdue() -> None:
    """Finalise every attempt past its deadline with the answers saved before it."""
    closed = sweep.close_overdue()
    db.session.commit()
    click.echo(
        ngettext(
            "Đã đóng %(n)s lượt làm bài quá hạn.",
            "Đã đóng %(n)s lượt làm bài quá hạn.",
            closed,
            n=count(closed),
        )
    )


accommodations_cli = AppGroup(
    "accommodations", help=_l("Thời gian và lượt làm bài thêm cho từng cán bộ.")
)


@accommodations_cli.command(
    "set",
    help=_l(
        "Cho một cán bộ thêm thời gian (số phút và/hoặc phần trăm) và/hoặc thêm "
        "lượt làm bài."
    ),
)
@click.option("--user", "username", required=True, help=_l("Tên đăng nhập của cán bộ."))
@click.option("--quiz", "quiz_code", required=True, help=_l("Mã bài kiểm tra."))
@click.option(
    "--extra-minutes",
    default="0",
    help=_l("Số phút thêm (0–%(max)s).", max=accommodations.MAX_EXTRA_MINUTES),
)
@click.option(
    "--extra-percent",
    default="0",
    help=_l(
        "Phần trăm thời gian thêm (0–%(max)s).", max=accommodations.MAX_EXTRA_PERCENT
    ),
)
@click.option(
    "--extra-attempts",
    default="0",
    help=_l("Số lượt làm thêm (0–%(max)s).", max=accommodations.MAX_EXTRA_ATTEMPTS),
)
@click.option("--reason", required=True, help=_l("Lý do (ghi vào nhật ký)."))
def set_accommodation(
    username, quiz_code, extra_minutes, extra_percent, extra_attempts, reason
) -> None:
    """Give a cadre extra time (minutes and/or percent) and/or extra attempts. The
    numbers are read here and bounded by accommodations.grant, as the web form's
    are, so that a bad one is refused in Vietnamese, not in Click's English."""
    extras = [
        _whole(value, option)
        for value, option in (
            (extra_minutes, "--extra-minutes"),
            (extra_percent, "--extra-percent"),
            (extra_attempts, "--extra-attempts"),
        )
    ]
    try:
        grant = accommodations.grant(
            get_user_by_username(username),
            attempts.get_quiz(quiz_code),
            reason,
            *extras,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        _(
            "%(user)s — %(quiz)s: thêm %(minutes)s phút, %(percent)s %%, "
            "%(attempts)s lượt.",
            user=username,
            quiz=quiz_code,
            minutes=grant.extra_seconds // 60,
            percent=grant.extra_percent,
            attempts=grant.extra_attempts,
        )
    )


def _whole(value: str, option: str) -> int:
    """`value` of `option` as a whole number (its bounds are grant's to check)."""
    try:
        return int(value.strip())
    except ValueError:
        raise click.ClickException(
            _(
                "%(option)s phải là một số nguyên, không phải “%(value)s”.",
                option=option,
                value=value,
            )
        ) from None


@accommodations_cli.command(
    "list",
    help=_l(
        "Liệt kê mọi điều chỉnh: cán bộ, bài kiểm tra, phần thêm, ngày cấp, còn áp "
        "dụng hay không (điều chỉnh cấp trước đợt mới nhất của bài kiểm tra đã hết "
        "hiệu lực), lý do."
    ),
)
@click.option("--quiz", "quiz_code", help=_l("Chỉ bài kiểm tra này."))
def list_accommodations(quiz_code) -> None:
    """Every accommodation: cadre, quiz, extras, when granted, whether it still
    applies (one granted before the latest campaign on its quiz has lapsed), reason."""
    try:
        quiz = attempts.get_quiz(quiz_code) if quiz_code else None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    rows = accommodations.listing(quiz)
    for grant, user, applies in rows:
        click.echo(
            "\t".join(
                [
                    user.username,
                    grant.quiz.code,
                    f"+{grant.extra_seconds // 60} phút",
                    f"+{grant.extra_percent} %",
                    f"+{grant.extra_attempts} lượt",
                    format_vn_date(grant.granted_at, with_time=True),
                    "đang áp dụng"
                    if applies
                    else "đã hết hiệu lực (cấp cho đợt trước)",
                    grant.reason,
                ]
            )
        )
    click.echo(
        ngettext("%(n)s điều chỉnh.", "%(n)s điều chỉnh.", len(rows), n=len(rows))
    )
