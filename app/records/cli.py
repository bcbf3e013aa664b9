"""`flask campaigns`: changes to a running campaign made on purpose, and audited;
the check of campaigns sharing a quiz."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db

from . import quiz_holder, services

campaigns_cli = AppGroup(
    "campaigns", help=_l("Đợt bồi dưỡng: học phần yêu cầu, bài kiểm tra dùng chung.")
)


@campaigns_cli.command(
    "require-modules",
    help=_l(
        "Cho đợt CODE yêu cầu mọi học phần mà khóa học của đợt hiện có (sau khi một "
        "học phần được xuất bản). Kết quả đã hoàn thành vẫn giữ nguyên; có ghi nhật "
        "ký."
    ),
)
@click.argument("code")
def require_modules_command(code: str) -> None:
    """Make campaign CODE require every module its course has now (after a module
    was published). Records already completed stay completed; audited."""
    try:
        campaign = services.get_campaign(code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    added = services.require_current_modules(campaign)
    db.session.commit()
    if added:
        click.echo(
            _(
                "Đợt %(code)s nay yêu cầu thêm: %(modules)s.",
                code=campaign.code,
                modules=", ".join(added),
            )
        )
    else:
        click.echo(
            _("Đợt %(code)s đã yêu cầu đủ các học phần hiện có.", code=campaign.code)
        )


@campaigns_cli.command(
    "check",
    help=_l(
        "Liệt kê các đợt chưa đóng mà bài kiểm tra của chúng đang do một đợt khác "
        "giữ: cán bộ chỉ làm được bài trong thời gian của đợt giữ bài; hãy đóng các "
        "đợt này (trang của đợt, “Đóng đợt bồi dưỡng”). Báo lỗi khi có ít nhất một "
        "đợt như vậy."
    ),
)
def check_command() -> None:
    """List the campaigns not yet closed whose quiz another campaign holds (a
    database written before one campaign at a time was the rule): their cadres can
    take the quiz only in the holder's window; close them (each campaign's page,
    "Đóng đợt bồi dưỡng"). Exits with an error when there is one."""
    conflicts = quiz_holder.running_conflicts()
    for row in conflicts:
        names = ", ".join(c.code for c in row.others)
        click.echo(
            ngettext(
                "Bài kiểm tra “%(quiz)s” theo thời gian làm bài của đợt "
                "%(holder)s; đợt %(names)s cũng dùng bài này mà chưa kết thúc. "
                "Hãy đóng đợt %(names)s (trang của đợt, “Đóng đợt bồi dưỡng”).",
                "Bài kiểm tra “%(quiz)s” theo thời gian làm bài của đợt "
                "%(holder)s; các đợt %(names)s cũng dùng bài này mà chưa kết thúc. "
                "Hãy đóng các đợt %(names)s (trang của đợt, “Đóng đợt bồi dưỡng”).",
                len(row.others),
                quiz=row.quiz_code,
                holder=row.holder.code,
                names=names,
            )
        )
    if conflicts:
        raise click.ClickException(
            ngettext(
                "%(n)s bài kiểm tra dùng cho nhiều đợt chưa kết thúc.",
                "%(n)s bài kiểm tra dùng cho nhiều đợt chưa kết thúc.",
                len(conflicts),
                n=len(conflicts),
            )
        )
    click.echo(_("Mỗi bài kiểm tra dùng cho nhiều nhất một đợt chưa kết thúc."))
