"""The module page's two posts: a report of reading time, and "Tôi đã đọc xong"."""

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import HiddenInput

from app.forms import FlaskForm

# A day: more than any page counts between two reports; the service adds far less.
MAX_CLAIM = 86400


class ReadingReportForm(FlaskForm):
    # Seconds the page was visible since its last report (absent: nothing to add).
    seconds = IntegerField(validators=[Optional(), NumberRange(0, MAX_CLAIM)])


class CompleteForm(FlaskForm):
    # Filled by the page's script with the visible seconds not yet reported; left
    # empty by a page without script (the service then counts since the page view).
    seconds = IntegerField(
        validators=[Optional(), NumberRange(0, MAX_CLAIM)], widget=HiddenInput()
    )
