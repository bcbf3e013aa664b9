"""Plain builders: one learning event → one xAPI 1.0.3 statement (a dict).

The actor is the cadre as an account on the platform's home page (VHCV_PUBLIC_URL)
named by the user's id, an opaque number that never changes (a username can be
renamed, an email is personal data): an email (mbox) only when XAPI_ACTOR_MBOX is
set and the cadre has one. Activities have IRIs under the public URL
({base}/xapi/activities/<kind>/<code>) and Vietnamese names; the unit is in the
context's extensions. A builder gives the statement without its id: the outbox
gives it the one derived from the event (statement_id) when it queues it
(services.enqueue), keyed by the event's key (event_key) so that the same event is
queued once."""

import json
import textwrap
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from markupsafe import Markup

from app.quizzes.questions import TRUEFALSE

VERSION = "1.0.3"
LANGUAGE = "vi-VN"
PLATFORM = "VHCV"

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {  # short name → (IRI, Vietnamese display)
    "completed": (ADL + "completed", "đã hoàn thành"),
    "attempted": (ADL + "attempted", "đã bắt đầu làm"),
    "answered": (ADL + "answered", "đã trả lời"),
    # Not in the ADL vocabulary: the registry's verb for a credential earned.
    "earned": ("http://id.tincanapi.com/verb/earned", "đã được cấp"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "campaign": "http://adlnet.gov/expapi/activities/course",
    "certificate": "https://w3id.org/xapi/acrossx/activities/certificate",
}
QUESTION_NAME_WIDTH = 200  # characters of a question's text in its activity's name


def iri(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), "xapi", *parts])


def event_uuid(base: str, key: str) -> str:
    """A UUID 5 of `key` in a namespace of the site at `base`: an attempt's
    registration ("attempt:42"); a statement's id (statement_id); and the id a
    statement of the event `key` had when it was queued before event keys were
    kept."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, iri(base))
    return str(uuid.uuid5(namespace, key))


def statement_id(base: str, key: str, statement: dict) -> str:
    """The id of `statement`, telling the event `key`: a UUID 5 of the event — its
    key, its actor and its moment (the statement's timestamp, to the millisecond).
    The same event told again has the same id, so a resend never duplicates; an
    event key used again for another event (a database id reused after a backup
    restored from before it, or by a second installation at the same public URL)
    is of another cadre or another moment, so of another id, never one the LRS
    holds for another statement."""
    actor = json.dumps(statement["actor"], sort_keys=True, ensure_ascii=False)
    return event_uuid(base, "|".join([key, actor, statement["timestamp"]]))


def event_key(kind: str, *parts) -> str:
    """The key of an event ("module-read:7", "answered:42:3"): the one spelling,
    for queueing its statement and for asking whether it is queued."""
    return ":".join([kind, *(str(p) for p in parts)])


def attempt_key(event: str, attempt_id: int) -> str:
    """The event key of an attempt's `event` statement ("finished", "result")."""
    return event_key(f"attempt-{event}", attempt_id)


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def duration(seconds: float) -> str:
    """ISO 8601 duration ("PT95S"), whole seconds."""
    return f"PT{max(0, round(seconds))}S"


def actor(base: str, user, use_mbox: bool = False) -> dict:
    if use_mbox and getattr(user, "email", None):
        return {
            "objectType": "Agent",
            "name": user.full_name,
            "mbox": f"mailto:{user.email.strip()}",
        }
    return {
        "objectType": "Agent",
        "account": {"homePage": base.rstrip("/"), "name": str(user.id)},
    }


def verb(name: str) -> dict:
    verb_iri, display = VERBS[name]
    return {"id": verb_iri, "display": {LANGUAGE: display}}


def activity(base: str, kind: str, code: str, title: str) -> dict:
    return {
        "objectType": "Activity",
        "id": iri(base, "activities", kind, quote(code, safe="")),
        "definition": {
            "type": ACTIVITY_TYPES[kind],
            "name": {LANGUAGE: title},
        },
    }


def registration(base: str, attempt) -> str:
    """The attempt's registration UUID: the statements of one attempt (attempted,
    answered, completed) share it, so an LRS tells a retake from the first try."""
    return event_uuid(base, f"attempt:{attempt.id}")


def context(
    base: str, unit, parent: list | None = None, grouping=None, attempt=None
) -> dict:
    result = {"platform": PLATFORM, "language": LANGUAGE}
    if attempt is not None:
        result["registration"] = registration(base, attempt)
    activities = {}
    if parent:
        activities["parent"] = parent
    if grouping:
        activities["grouping"] = grouping
    if activities:
        result["contextActivities"] = activities
    if unit is not None:
        result["extensions"] = {
            iri(base, "extensions", "unit"): {"code": unit.code, "name": unit.name}
        }
    return result


def _statement(base, user, verb_name, obj, ctx, moment, result=None, mbox=False):
    statement = {
        "actor": actor(base, user, mbox),
        "verb": verb(verb_name),
        "object": obj,
        "context": ctx,
        "timestamp": timestamp(moment),
        "version": VERSION,
    }
    if result is not None:
        statement["result"] = result
    return statement


def course_activity(base: str, course) -> dict:
    return activity(base, "course", course.code, course.title)


def quiz_activity(base: str, quiz) -> dict:
    return activity(base, "quiz", quiz.code, quiz.title)


def module_read(base, progress, user, module, now, mbox=False) -> dict:
    """A module read to the end (its minimum reading time): completed, with the
    time spent reading; the course is its parent."""
    title = progress.version.title if progress.version is not None else module.code
    return _statement(
        base,
        user,
        "completed",
        activity(base, "module", module.code, title),
        context(base, user.unit, parent=[course_activity(base, module.course)]),
        now,
        {"completion": True, "duration": duration(progress.seconds_spent or 0)},
        mbox,
    )


def _quiz_parent(base, course) -> list | None:
    return [course_activity(base, course)] if course is not None else None


def attempt_started(base, attempt, user, course=None, mbox=False) -> dict:
    return _statement(
        base,
        user,
        "attempted",
        quiz_activity(base, attempt.quiz),
        context(base, user.unit, parent=_quiz_parent(base, course), attempt=attempt),
        attempt.started_at,
        mbox=mbox,
    )


def attempt_finished(
    base, attempt, user, course=None, mbox=False, sealed=False
) -> dict:
    """Completed, with the score (scaled 0..1, raw of max), passed or not and the
    time from start to end; `sealed` (a sealed quiz before its windows close), with
    the completion and time only: no score, no success. Told again with the score
    once a sealed quiz's results are made known (event "attempt-result")."""
    maximum = attempt.max_score or 0
    score = {"scaled": round((attempt.percent or 0) / 100, 4)}
    if maximum > 0:
        score.update(raw=attempt.score or 0, min=0, max=maximum)
    seconds = (attempt.finished_at - attempt.started_at).total_seconds()
    result = {
        "score": score,
        "success": bool(attempt.passed),
        "completion": True,
        "duration": duration(seconds),
    }
    if sealed:
        del result["score"], result["success"]
    return _statement(
        base,
        user,
        "completed",
        quiz_activity(base, attempt.quiz),
        context(base, user.unit, parent=_quiz_parent(base, course), attempt=attempt),
        attempt.finished_at,
        result,
        mbox,
    )


def plain(html: str) -> str:
    """Rendered HTML as one line of text: tags gone, entities read, spaces
    collapsed (a stem's **bold** is its words, an image nothing)."""
    return " ".join(Markup(html).striptags().split())


def _choice(option: dict) -> dict:
    choice = {"id": option["key"]}
    text = plain(option["html"])
    if text:  # an option that is only an image has no words to give
        choice["description"] = {LANGUAGE: text}
    return choice


def question_activity(base: str, version, sealed: bool = False) -> dict:
    """A question as an xAPI interaction (Data 2.4.4.1): a "choice" (one answer
    or several) whose choices are its options, by key, or a "true-false" (which
    has no choices); named by its text, shortened. Its right answer is its
    correct response pattern, unless `sealed` (told to nobody, the LRS included,
    before the quiz's windows close)."""
    question = version.question
    name = textwrap.shorten(
        plain(version.stem_html), QUESTION_NAME_WIDTH, placeholder=" …"
    )
    obj = activity(base, "question", question.code, name or f"Câu hỏi {question.code}")
    definition = obj["definition"]
    if version.type == TRUEFALSE:
        definition["interactionType"] = "true-false"
    else:
        definition["interactionType"] = "choice"
        definition["choices"] = [_choice(o) for o in version.options]
    correct = [o["key"] for o in version.options if o["correct"]]
    if correct and not sealed:
        definition["correctResponsesPattern"] = ["[,]".join(correct)]
    return obj


def answered(base, attempt, user, slot, answer, mbox=False, sealed=False) -> dict:
    """One question of a finished attempt as answered (XAPI_SEND_ANSWERS): the
    option keys chosen, in the interaction's format and the question's order, as
    its correct response pattern ("a[,]c"; "true" or "false"), none when the
    choice was cleared, and (unless `sealed`) the marks it earned
    and the right answer."""
    chosen = set(answer.selected or ())
    keys = [o["key"] for o in slot.version.options if o["key"] in chosen]
    result = {"response": "[,]".join(keys)} if keys else {}
    if answer.marks is not None and not sealed:
        result["score"] = {"raw": answer.marks}
    return _statement(
        base,
        user,
        "answered",
        question_activity(base, slot.version, sealed),
        context(
            base, user.unit, parent=[quiz_activity(base, attempt.quiz)], attempt=attempt
        ),
        answer.saved_at or attempt.finished_at,
        result or None,
        mbox,
    )


def campaign_activity(base: str, campaign) -> dict:
    return activity(base, "campaign", campaign.code, campaign.title)


def campaign_completed(base, record, user, unit, course=None, mbox=False) -> dict:
    """The cadre completed a campaign (modules read and quiz passed), with the best
    score of its window."""
    score = {"scaled": round((record.best_percent or 0) / 100, 4)}
    return _statement(
        base,
        user,
        "completed",
        campaign_activity(base, record.campaign),
        context(base, unit, parent=_quiz_parent(base, course)),
        record.completed_at,
        {"score": score, "success": True, "completion": True},
        mbox,
    )


def certificate_issued(base, certificate, user, unit, mbox=False) -> dict:
    title = f"Giấy chứng nhận {certificate.serial}: {certificate.course_title}"
    return _statement(
        base,
        user,
        "earned",
        activity(base, "certificate", certificate.serial, title),
        context(base, unit, grouping=[campaign_activity(base, certificate.campaign)]),
        certificate.issued_at,
        mbox=mbox,
    )
