"""The module editor: draft, live preview, publish, history, diff, revert (publish
and revert through a confirm step that shows the diff)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import EmptyForm
from app.content import module_editing as modules
from app.content.module_diff import diff
from app.content.module_editing import ModuleText
from app.content.ownership import owned_course
from app.database import int_arg
from app.errors import DomainError
from app.extensions import db

from ..history import author_names
from ..module_forms import ModuleForm, NewModuleForm
from .blueprint import bp, refused


def _fill(form: ModuleForm, text: ModuleText) -> None:
    form.title.data, form.minutes.data = text.title, text.minutes
    form.objectives.data = "\n".join(text.objectives)
    form.sources.data = "\n".join(text.sources)
    form.body.data = text.body


def _text(form: ModuleForm) -> ModuleText:
    return ModuleText.from_form(
        form.title.data or "",
        form.minutes.data or 1,
        form.objectives.data or "",
        form.sources.data or "",
        form.body.data or "",
    )


@bp.route("/modules/<code>", methods=["GET", "POST"])
def module_edit(code: str):
    """GET opens the draft (else the published text); POST previews the posted text
    (the no-script path) or saves it as the draft."""
    module = modules.get_module(current_user, code)
    form = ModuleForm()
    if request.method == "GET":
        _fill(form, modules.editing_text(module))
        form.base.data = modules.editing_base(module)
    elif form.validate_on_submit() and request.form.get("action") == "save":
        try:
            modules.save_draft(module, current_user, _text(form), form.base.data)
        except DomainError as error:
            refused(error, form, modules.editing_base(module))
        else:
            db.session.commit()
            flash(_("Đã lưu bản nháp. Người học vẫn thấy bản đã xuất bản."), "success")
            return redirect(url_for("authoring.module_edit", code=code))
    body = form.body.data or ""
    return render_template(
        "authoring/modules/edit.html",
        module=module,
        form=form,
        draft=modules.draft_of(module),
        rendered=modules.render(module, body),
        problems=modules.problems(module, _text(form)) if form.body.data else [],
    )


@bp.post("/modules/<code>/preview")
def module_preview(code: str):
    """The preview fragment of the posted body, for the editor's script."""
    module = modules.get_module(current_user, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    text = _text(ModuleForm())
    return render_template(
        "authoring/modules/_preview.html",
        rendered=modules.render(module, text.body),
        problems=modules.problems(module, text) if text.body.strip() else [],
    )


def _current_text(module) -> ModuleText:
    if module.current_version is None:
        return ModuleText("", 0, [], [], "")
    return ModuleText.of(module.current_version)


def _confirm_page(module, title, effects, hunks, old_label, new_label, **form):
    return render_template(
        "authoring/modules/confirm.html",
        module=module,
        title=title,
        effects=effects,
        hunks=hunks,
        old_label=old_label,
        new_label=new_label,
        **form,
    )


@bp.get("/modules/<code>/publish")
def module_publish_preview(code: str):
    """The confirm step: what learners will see change (draft against the version
    in use); changes nothing."""
    module = modules.get_module(current_user, code)
    draft = modules.draft_of(module)
    if draft is None:
        flash(_("Không có bản nháp nào để xuất bản."), "info")
        return redirect(url_for("authoring.module_edit", code=code))
    over_newer = request.args.get("over_newer") == "1"
    effects = [
        _("tạo một phiên bản mới từ bản nháp; người học thấy nội dung này ngay;"),
        _("bản nháp được xóa; phiên bản cũ vẫn trong lịch sử để khôi phục."),
    ]
    if draft.base_version_id != module.current_version_id:
        effects.append(
            _("Chú ý: bản nháp bắt đầu từ một phiên bản cũ hơn bản đang dùng.")
        )
    current = module.current_version
    return _confirm_page(
        module,
        _("Xuất bản bản nháp của %(code)s?", code=module.code),
        effects,
        diff(_current_text(module), ModuleText.of(draft)),
        _("Bản %(n)d", n=current.number) if current else _("Chưa có"),
        _("Bản nháp"),
        action=url_for("authoring.module_publish", code=code),
        fields={"over_newer": "1"} if over_newer else {},
        button=_("Xuất bản"),
        cancel=url_for("authoring.module_edit", code=code),
    )


@bp.post("/modules/<code>/publish")
def module_publish(code: str):
    module = modules.get_module(current_user, code)
    if request.form.get("confirm") != "1":
        over = "1" if request.form.get("over_newer") == "1" else None
        return redirect(
            url_for("authoring.module_publish_preview", code=code, over_newer=over)
        )
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        version = modules.publish_draft(
            module, current_user, over_newer=request.form.get("over_newer") == "1"
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.module_edit", code=code))
    db.session.commit()
    if version is None:
        flash(_("Bản nháp giống hệt bản đang dùng: không có phiên bản mới."), "info")
    else:
        flash(
            _(
                "Đã xuất bản phiên bản %(n)d. Người học thấy bản này từ bây giờ.",
                n=version.number,
            ),
            "success",
        )
    return redirect(url_for("authoring.module_edit", code=code))


@bp.get("/modules/<code>/discard")
def module_discard_preview(code: str):
    """The confirm step: the draft's changes that would be lost; changes nothing."""
    module = modules.get_module(current_user, code)
    draft = modules.draft_of(module)
    if draft is None:
        flash(_("Không có bản nháp nào để hủy."), "info")
        return redirect(url_for("authoring.module_edit", code=code))
    current = module.current_version
    return _confirm_page(
        module,
        _("Hủy bản nháp của %(code)s?", code=module.code),
        [
            _("xóa bản nháp; những thay đổi dưới đây mất hẳn, không khôi phục được;"),
            _("người học không bị ảnh hưởng: vẫn thấy bản đang dùng."),
        ],
        diff(_current_text(module), ModuleText.of(draft)),
        _("Bản %(n)d", n=current.number) if current else _("Chưa có"),
        _("Bản nháp"),
        action=url_for("authoring.module_discard", code=code),
        button=_("Hủy bản nháp"),
        cancel=url_for("authoring.module_edit", code=code),
        preview_heading=_("Thay đổi của bản nháp sẽ mất"),
    )


@bp.post("/modules/<code>/discard")
def module_discard(code: str):
    module = modules.get_module(current_user, code)
    if request.form.get("confirm") != "1":
        return redirect(url_for("authoring.module_discard_preview", code=code))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if modules.discard_draft(module, current_user):
        db.session.commit()
        flash(_("Đã hủy bản nháp."), "success")
    else:
        flash(_("Không có bản nháp nào để hủy."), "info")
    return redirect(url_for("authoring.module_edit", code=code))


@bp.get("/modules/<code>/versions")
def module_versions(code: str):
    module = modules.get_module(current_user, code)
    versions = modules.versions(module)
    return render_template(
        "authoring/modules/versions.html",
        module=module,
        versions=versions,
        authors=author_names(versions),
        form=EmptyForm(),
    )


@bp.get("/modules/<code>/diff")
def module_diff(code: str):
    """Version a against version b (default: the one before b, and the current)."""
    module = modules.get_module(current_user, code)
    if module.current_version is None:
        flash(_("Học phần chưa có phiên bản nào."), "info")
        return redirect(url_for("authoring.module_edit", code=code))
    b = int_arg("b", module.current_version.number)
    a = int_arg("a", max(1, b - 1))
    old, new = modules.get_version(module, a), modules.get_version(module, b)
    return render_template(
        "authoring/modules/diff.html",
        module=module,
        old=old,
        new=new,
        hunks=diff(ModuleText.of(old), ModuleText.of(new)),
    )


@bp.get("/modules/<code>/revert/<int:number>")
def module_revert_preview(code: str, number: int):
    """The confirm step: the version in use against version `number`; changes
    nothing."""
    module = modules.get_module(current_user, code)
    old = modules.get_version(module, number)
    current = module.current_version
    return _confirm_page(
        module,
        _("Khôi phục phiên bản %(n)d của %(code)s?", n=number, code=module.code),
        [
            _(
                "xuất bản lại nội dung phiên bản %(n)d thành một phiên bản mới; "
                "người học thấy nội dung này ngay;",
                n=number,
            ),
            _("phiên bản đang dùng vẫn trong lịch sử."),
        ],
        diff(_current_text(module), ModuleText.of(old)),
        _("Bản %(n)d", n=current.number) if current else _("Chưa có"),
        _("Bản %(n)d", n=number),
        action=url_for("authoring.module_revert", code=code, number=number),
        button=_("Khôi phục"),
        cancel=url_for("authoring.module_versions", code=code),
    )


@bp.post("/modules/<code>/revert/<int:number>")
def module_revert(code: str, number: int):
    module = modules.get_module(current_user, code)
    if request.form.get("confirm") != "1":
        return redirect(
            url_for("authoring.module_revert_preview", code=code, number=number)
        )
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        version = modules.revert(module, current_user, number)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("authoring.module_versions", code=code))
    db.session.commit()
    if version is None:
        flash(
            _("Phiên bản %(n)d giống bản đang dùng: không có gì thay đổi.", n=number),
            "info",
        )
    else:
        flash(
            _(
                "Đã khôi phục nội dung phiên bản %(old)d thành phiên bản mới %(new)d.",
                old=number,
                new=version.number,
            ),
            "success",
        )
    return redirect(url_for("authoring.module_versions", code=code))


@bp.route("/courses/<course>/modules/new", methods=["GET", "POST"])
def module_new(course: str):
    course_row = owned_course(current_user, course)
    form = NewModuleForm()
    if form.validate_on_submit():
        try:
            module = modules.create_module(
                course_row, current_user, form.code.data, form.title.data
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã tạo học phần (bản nháp, người học chưa thấy)."), "success")
            return redirect(url_for("authoring.module_edit", code=module.code))
    return render_template("authoring/modules/new.html", course=course_row, form=form)
