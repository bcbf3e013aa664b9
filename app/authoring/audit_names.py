"""How the audit log names the fields of a quiz settings change and of a contest's
or a round's (app.audit.targets): with the labels of their forms, so that the log
reads as the page does."""

from dataclasses import fields

from app.audit import targets
from app.contests.files import ContestData, RoundData
from app.errors import lazy_gettext as _l
from app.quizzes.questions import QuizData

from .contest_forms import ContestForm, RoundForm
from .quiz_forms import QuizSettingsForm

# QuizData fields edited under another name, or by no single form field.
FORM_NAMES = {"review": "review_policy"}
OTHER_LABELS = {"draw": _l("Quy tắc rút câu hỏi")}
ROUND_LABELS = {**OTHER_LABELS, "prizes": _l("Số giải")}


def form_label(form_class, name: str):
    """The label a form class gives its field `name` (None without one)."""
    unbound = getattr(form_class, name, None)
    args, kwargs = getattr(unbound, "args", ()), getattr(unbound, "kwargs", {})
    return kwargs.get("label", args[0] if args else None)


def field_labels(form_class, data_classes, others: dict) -> dict[str, object]:
    """{field of `data_classes`: its label on `form_class`}, for those it has,
    over `others`."""
    labels = dict(others)
    for data_class in data_classes:
        for field in fields(data_class):
            name = FORM_NAMES.get(field.name, field.name)
            label = form_label(form_class, name)
            if label is not None:
                labels[field.name] = label
    return labels


def quiz_field_labels() -> dict[str, object]:
    """{QuizData field: its label on the quiz settings form}, for those it has."""
    return field_labels(QuizSettingsForm, [QuizData], OTHER_LABELS)


targets.register_fields("quiz.settings_changed", quiz_field_labels())
targets.register_fields("contest.changed", field_labels(ContestForm, [ContestData], {}))
# A round's settings (contests.sync.round_changes): its own and its quiz's.
targets.register_fields(
    "contest.round_changed",
    field_labels(RoundForm, [RoundData, QuizData], ROUND_LABELS),
)
