"""Forms of the contests' staff pages."""

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.errors import lazy_gettext as _l
from app.forms import FlaskForm

MAX_REASON = 1000


class RankForm(FlaskForm):
    """Rank (or rank again) a round or the whole contest. The reason is required
    for a late correction; the service says so (the form only bounds it)."""

    reason = TextAreaField(
        _l("Lý do xếp hạng lại (ghi vào nhật ký)"),
        validators=[Optional(), Length(max=MAX_REASON)],
        render_kw={"rows": 2, "maxlength": MAX_REASON},
    )
