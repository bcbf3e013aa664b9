"""Events other domains listen to, and a question a domain asks the domains above
it. Receivers run in the sender's transaction, so a training record changes together
with the event that changes it. Each domain connects its receivers in its services
module (create_app imports those modules by name)."""

from blinker import Namespace

_signals = Namespace()

# sender: the ModuleProgress just completed; kwargs: user, module, now
module_read = _signals.signal("module-read")
# sender: the Attempt just finalised (graded)
attempt_finished = _signals.signal("attempt-finished")
# sender: the Attempt just started (inserted with its questions, flushed); not sent
# when an open attempt is resumed
attempt_started = _signals.signal("attempt-started")
# sender: the Certificate just issued (flushed), by whatever path issued it
certificate_issued = _signals.signal("certificate-issued")
# sender: a sealed Quiz whose results have just been made known (a contest round
# ranked once its windows closed, no attempt left open); kwargs: now (the moment
# of the ranking). What was kept from its finished attempts until now may be told
results_opened = _signals.signal("results-opened")

# sender: the User just created, or reactivated (flushed): campaigns whose scope it
# is in give it a record
user_joined = _signals.signal("user-joined")
# sender: the User just moved to another unit; kwargs: old_unit_id
user_moved = _signals.signal("user-moved")
# sender: the User whose category (công chức, viên chức…) just changed: campaigns
# for its new category give it a record
user_recategorised = _signals.signal("user-recategorised")
# sender: a Unit whose cadres were created, updated, moved or reactivated in bulk (a
# cadre import into it, or a unit moved or merged into it), once flushed; kwargs:
# actor. Running campaigns give their new members a record, and records follow.
cadres_changed = _signals.signal("cadres-changed")

# sender: the TrainingRecord that has just become completed (in its transaction)
record_completed = _signals.signal("record-completed")

# --- A question: the course page asks what follows a course, and the domains above
# courses that have something to follow it (the quizzes today) answer. send()
# returns (receiver, answer) pairs.

# sender: a course code; kwargs: user (or None). The quizzes domain answers with the
# active quizzes that follow that course (with a user, those it may take by their
# target units).
course_quizzes_asked = _signals.signal("course-quizzes-asked")

# sender: a finished Attempt that passed. The certificates domain answers with the
# valid certificate that attempt's campaign gave its holder, as {"url", "serial"}
# (None when there is none: no campaign of that quiz in whose window it finished,
# or the campaign not completed yet).
attempt_certificate_asked = _signals.signal("attempt-certificate-asked")

# sender: a sealed Quiz (a contest round); kwargs: user. The contests domain
# answers with the attempt of `user` that the round's latest ranking counts, as
# {"attempt_id": id} (None: not in it), or None while the round has no ranking:
# which attempt counts is the ranking's rule (app.contests.candidates.
# best_attempts), not the best percent the quizzes know.
counted_attempt_asked = _signals.signal("counted-attempt-asked")

# sender: a Unit; kwargs: day. The records domain answers with the code of the
# campaign a report of that unit on that day opens (app.records.campaigns.
# campaign_on), or None: the admin page of an ended unit links its reports of its
# last day with it.
unit_campaign_asked = _signals.signal("unit-campaign-asked")

# sender: the quizzes/ folder (a Path, or None) that `flask content check|sync` has
# just loaded; kwargs: quizzes, the QuizContent read from it (its banks). Each domain
# keeping files of its own there (the contests, in quizzes/contests/) answers with an
# app.content.load.ContentPart: its files' problems and how to sync them, so the one
# check and the one sync cover them although content cannot import that domain.
content_parts_asked = _signals.signal("content-parts-asked")

# sender: a list of quiz codes. The records domain answers with when the latest
# campaign using each was created, {code: created_at} (a code no campaign uses left
# out): a campaign created on a quiz begins a new round of it, and an accommodation
# granted before then has lapsed (app.quizzes.windows.in_force).
quiz_campaigns_asked = _signals.signal("quiz-campaigns-asked")
