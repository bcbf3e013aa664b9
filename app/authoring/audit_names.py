"""How the audit log names the fields of a quiz settings change (app.audit.targets):
with the labels of the settings form, so that the log reads as the page does."""

from dataclasses import fields

from flask_babel import lazy_gettext as _l

from app.audit import targets
from app.quizzes.questions import QuizData

from .quiz_forms import QuizSettingsForm

# QuizData fields edited under another name, or by no single form field.
FORM_NAMES = {"review": "review_policy"}
OTHER_LABELS = {"draw": _l("Quy tắc rút câu hỏi")}


def form_label(form_class, name: str):
    """The label a form class gives its field `name` (None without one)."""
    unbound = getattr(form_class, name, None)
    args, kwargs = getattr(unbound, "args", ()), getattr(unbound, "kwargs", {})
    return kwargs.get("label", args[0] if args else None)


def quiz_field_labels() -> dict[str, object]:
    """{QuizData field: its label on the quiz settings form}, for those it has."""
    labels = dict(OTHER_LABELS)
    for field in fields(QuizData):
        label = form_label(QuizSettingsForm, FORM_NAMES.get(field.name, field.name))
        if label is not None:
            labels[field.name] = label
    return labels


targets.register_fields("quiz.settings_changed", quiz_field_labels())
