"""Question banks in the browser: list, editor with preview, uploads, GIFT export."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import EmptyForm
from app.content import question_editing as questions
from app.content.gift_export import export_gift
from app.content.moodle_categories import category_path
from app.content.ownership import owner_units
from app.content.problems import ConversionError
from app.content.transfer import bank_questions, version_to_data
from app.errors import DomainError
from app.extensions import db
from app.numbers import count
from app.uploads import (
    FORM_OVERHEAD,
    FileTooBig,
    UploadStore,
    check_token,
    max_bytes,
    megabytes,
    read_upload,
    takes_upload,
)

from .. import history
from ..question_forms import (
    MAX_OPTIONS,
    MIN_OPTION_ROWS,
    TYPE_LABELS,
    BankForm,
    QuestionForm,
    UploadForm,
)
from .blueprint import bp

_UPLOADS = UploadStore("question_uploads", "CADRE_IMPORT_DIR")


@bp.get("/banks/<code>")
def bank(code: str):
    bank_row = questions.get_bank(current_user, code)
    tag, text = request.args.get("tag", ""), request.args.get("q", "")
    all_rows = questions.questions_of(bank_row)
    return render_template(
        "authoring/questions/bank.html",
        bank=bank_row,
        rows=questions.listing(all_rows, tag, text),
        tags=questions.tags_of(all_rows),
        tag=tag,
        text=text,
        types=TYPE_LABELS,
        form=EmptyForm(),
    )


@bp.route("/banks/new", methods=["GET", "POST"])
def bank_new():
    form = BankForm()
    units = owner_units(current_user)
    form.owner.choices = [SelectChoice(u.id, u.name) for u in units]
    if form.validate_on_submit():
        owner = next(u for u in units if u.id == form.owner.data)
        try:
            bank_row = questions.create_bank(
                current_user,
                form.code.data,
                form.title.data,
                owner,
                form.module_code.data,
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã tạo ngân hàng câu hỏi."), "success")
            return redirect(url_for("authoring.bank", code=bank_row.code))
    return render_template("authoring/questions/bank_new.html", form=form)


def _editor(bank_row, form, code, question=None, status=200):
    """The editor page; with a preview of the posted question when asked."""
    preview = answers = None
    problems = []
    if request.method == "POST" or question is not None:
        data = form.question(code)
        if data.stem:
            preview = questions.learner_preview(data)
            answers = questions.answer_view(data)
            # what saving would refuse, said beside the preview (a refused save
            # has said it already)
            problems = questions.question_problems(data) if status == 200 else []
    return (
        render_template(
            "authoring/questions/edit.html",
            bank=bank_row,
            question=question,
            code=code,
            form=form,
            preview=preview,
            answers=answers,
            problems=problems,
            limits={"min": MIN_OPTION_ROWS, "max": MAX_OPTIONS},
        ),
        status,
    )


def _rows_changed(form: QuestionForm) -> bool:
    """A "Thêm phương án" or "Xóa" button was pressed (without JavaScript): the
    rows are changed and the form is shown again, nothing saved."""
    outcome = form.change_rows(request.form.get("action", ""))
    if outcome:
        flash(outcome, "error")
    return outcome is not None


def _save(bank_row, form, code, question=None):
    if request.form.get("action") != "save":
        return _editor(bank_row, form, code, question)
    try:
        saved, changed = questions.save_question(
            bank_row, current_user, form.question(code)
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _editor(bank_row, form, code, question, 400)
    db.session.commit()
    if changed:
        flash(
            _(
                "Đã lưu câu %(code)s (phiên bản %(n)d).",
                code=saved.code,
                n=saved.current_version.number,
            ),
            "success",
        )
    else:
        flash(_("Không có gì thay đổi: không tạo phiên bản mới."), "info")
    return redirect(url_for("authoring.question_edit", question_id=saved.id))


@bp.route("/banks/<code>/questions/new", methods=["GET", "POST"])
def question_new(code: str):
    bank_row = questions.get_bank(current_user, code)
    form = QuestionForm()
    new_code = questions.next_code(bank_row)
    if request.method == "GET":
        form.pad_options()
    elif not _rows_changed(form) and form.validate_on_submit():
        return _save(bank_row, form, new_code)
    return _editor(bank_row, form, new_code)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
def question_edit(question_id: int):
    question = questions.get_question(current_user, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill(version_to_data(question.code, question.current_version))
    elif not _rows_changed(form) and form.validate_on_submit():
        return _save(question.bank, form, question.code, question)
    return _editor(question.bank, form, question.code, question)


@bp.get("/questions/<int:question_id>/versions")
def question_versions(question_id: int):
    question = questions.get_question(current_user, question_id)
    versions = history.question_versions(question)
    return render_template(
        "authoring/questions/versions.html",
        question=question,
        versions=versions,
        authors=history.author_names(versions),
        types=TYPE_LABELS,
    )


@bp.get("/questions/<int:question_id>/retire")
def question_retire_preview(question_id: int):
    """The confirm step of retiring a question; changes nothing."""
    question = questions.get_question(current_user, question_id)
    bank_row = question.bank
    left = sum(1 for q in bank_row.questions if q.active and q.id != question.id)
    return render_template(
        "confirm.html",
        title=_("Ngừng dùng câu %(code)s?", code=question.code),
        effects=[
            _(
                "các lượt làm bài bắt đầu từ bây giờ không rút câu %(code)s nữa; "
                "lượt đang làm và kết quả cũ giữ nguyên;",
                code=question.code,
            ),
            ngettext(
                "ngân hàng %(bank)s còn %(n)d câu đang dùng; bài kiểm tra rút nhiều "
                "câu hơn số còn lại sẽ không bắt đầu được;",
                "ngân hàng %(bank)s còn %(n)d câu đang dùng; bài kiểm tra rút nhiều "
                "câu hơn số còn lại sẽ không bắt đầu được;",
                left,
                bank=bank_row.code,
                n=left,
            ),
            _("có thể dùng lại câu này bất cứ lúc nào."),
        ],
        action=url_for("authoring.question_set_active", question_id=question.id),
        fields={"active": "0"},
        button=pgettext("nút", "Ngừng dùng"),  # the action, not the state
        cancel=url_for("authoring.bank", code=bank_row.code),
    )


@bp.post("/questions/<int:question_id>/active")
def question_set_active(question_id: int):
    question = questions.get_question(current_user, question_id)
    active = request.form.get("active") == "1"
    if not active and request.form.get("confirm") != "1":
        return redirect(
            url_for("authoring.question_retire_preview", question_id=question.id)
        )
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions.set_active(question, current_user, active)
    db.session.commit()
    flash(
        _("Đã dùng lại câu %(code)s.", code=question.code)
        if active
        else _(
            "Đã ngừng dùng câu %(code)s: bài kiểm tra mới sẽ không rút câu này.",
            code=question.code,
        ),
        "success",
    )
    return redirect(url_for("authoring.bank", code=question.bank.code))


@bp.get("/banks/<code>/export.gift")
def bank_export_gift(code: str):
    bank_row = questions.get_bank(current_user, code)
    try:
        text = export_gift(
            bank_questions(bank_row),
            category=category_path(bank_row.title),
            subcategories=bank_row.origin != "file",  # none of a synced bank file
        )
    except ValueError as error:  # a question GIFT cannot hold (older data)
        flash(
            _(
                "Chưa xuất được tệp GIFT: %(why)s. Hãy sửa câu hỏi đó rồi xuất lại.",
                why=str(error),
            ),
            "error",
        )
        return redirect(url_for("authoring.bank", code=bank_row.code))
    return Response(
        text,
        mimetype="text/plain",
        headers={
            "Content-Disposition": f'attachment; filename="{bank_row.code}.gift"',
            "Content-Type": "text/plain; charset=utf-8",
        },
    )


@bp.route("/banks/<code>/upload", methods=["GET", "POST"])
@takes_upload
def bank_upload(code: str):
    """Upload → per-line errors, or a preview (nothing written) → confirm."""
    bank_row = questions.get_bank(current_user, code)
    limit = max_bytes()
    too_big = _("Tệp quá lớn (tối đa %(limit)s).", limit=megabytes(limit, 0))
    if (request.content_length or 0) > limit + FORM_OVERHEAD:  # refused unread
        return _upload_page(bank_row, UploadForm(formdata=None), [too_big], 413)
    check_token()  # after the bank's scope check (and the blueprint's role check)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(bank_row, form)
    upload = form.file.data
    try:
        data = read_upload(upload)
    except FileTooBig:
        return _upload_page(bank_row, form, [too_big], 413)
    name = upload.filename or "tệp"
    fmt = form.format.data
    if fmt == "auto":
        fmt = questions.guess_format(name) or "aiken"
    try:
        parsed = questions.parse_upload(data, fmt, bank_row)
    except ConversionError as error:
        return _upload_page(bank_row, form, [error.message, *error.problems], 400)
    token = _UPLOADS.store(data, bank=bank_row.code, format=fmt, filename=name)
    return render_template(
        "authoring/questions/upload_preview.html",
        bank=bank_row,
        questions=parsed,
        warnings=questions.upload_warnings(parsed),
        replaced=questions.replaced_codes(bank_row, parsed),
        token=token,
        fmt=fmt,
        name=name,
        form=EmptyForm(),
        types=TYPE_LABELS,
    )


def _upload_page(bank_row, form, errors=(), status=200):
    return (
        render_template(
            "authoring/questions/upload.html", bank=bank_row, form=form, errors=errors
        ),
        status,
    )


@bp.post("/banks/<code>/upload/<token>")
def bank_upload_confirm(code: str, token: str):
    bank_row = questions.get_bank(current_user, code)
    stored = _UPLOADS.load(token)
    if stored is None or stored[0].get("bank") != bank_row.code:
        flash(
            _("Bản xem trước đã hết hạn hoặc đã được nhập. Hãy tải tệp lên lại."),
            "error",
        )
        return redirect(url_for("authoring.bank_upload", code=code))
    if not EmptyForm().validate_on_submit():
        abort(400)
    meta, data = stored
    try:
        parsed = questions.parse_upload(data, meta["format"], bank_row)
        result = questions.import_questions(
            bank_row, current_user, parsed, meta["format"], meta["filename"]
        )
    except (ConversionError, DomainError) as error:
        db.session.rollback()
        flash(str(getattr(error, "message", error)), "error")
        return redirect(url_for("authoring.bank_upload", code=code))
    db.session.commit()
    _UPLOADS.discard(token)
    current_app.logger.info("questions imported into %s", bank_row.code)
    flash(
        _(
            "Đã nhập %(file)s: %(created)s câu mới, %(updated)s câu cập nhật, "
            "%(same)s câu không đổi.",
            file=meta["filename"],
            created=count(len(result.created)),
            updated=count(len(result.updated)),
            same=count(len(result.unchanged)),
        ),
        "success",
    )
    return redirect(url_for("authoring.bank", code=code))
