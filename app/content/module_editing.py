"""Editing a module in the browser: a draft per module, a preview through the learner
page's own pipeline, publishing as a new version, history, diff and revert.

Learners only ever see `Module.current_version`; a draft is never shown to them, and
a published version is never edited (progress rows keep pointing at the one read).
Operations flush, never commit.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.audit import services as audit
from app.courses import services as courses
from app.courses.models import Course, Module, ModuleDraft, ModuleVersion
from app.errors import Conflict, InvalidInput, NotFound, Stale, lazy_join
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.markdown import Rendered, render_markdown, slugify
from app.timeutil import utcnow
from app.vntext import clean_text, nfc

from . import links
from .frontmatter import CODE
from .modules import MODULE_ORDER, ModuleFile, content_hash
from .ownership import get_owned
from .sync_courses import (
    link_resolver,
    module_file_for,
    new_version,
    url_builders,
)


@dataclass
class ModuleText:
    """What an author edits: the front matter fields and the Markdown body."""

    title: str
    minutes: int
    objectives: list[str]
    sources: list[str]
    body: str

    @classmethod
    def of(cls, row: ModuleVersion | ModuleDraft) -> "ModuleText":
        return cls(
            row.title,
            row.minutes,
            list(row.objectives),
            list(row.sources),
            row.body_md,
        )

    @classmethod
    def from_form(cls, title, minutes, objectives: str, sources: str, body: str):
        """Normalised as the file loader does: NFC, "\\n" line ends, one item a
        line; the body otherwise as typed, so that it reads back from its file the
        same (flask content export writes it right after the front matter)."""
        return cls(
            clean_text(title),
            int(minutes),
            _lines(objectives),
            _lines(sources),
            nfc(body.replace("\r\n", "\n").replace("\r", "\n")),
        )


def _lines(text: str) -> list[str]:
    return [clean_text(line) for line in (text or "").splitlines() if line.strip()]


def get_module(user: User, code: str) -> Module:
    """The module `code` if its course is in the user's authoring scope."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None:
        raise NotFound(
            _l("Không tìm thấy học phần này trong phạm vi biên soạn của bạn.")
        )
    get_owned(Course, user, id=module.course_id)
    return module


def draft_of(module: Module) -> ModuleDraft | None:
    return db.session.scalar(
        select(ModuleDraft).where(ModuleDraft.module_id == module.id)
    )


def editing_text(module: Module) -> ModuleText:
    """The text the editor opens with: the draft, else the published version."""
    draft = draft_of(module)
    if draft is not None:
        return ModuleText.of(draft)
    if module.current_version is not None:
        return ModuleText.of(module.current_version)
    return ModuleText("", 5, [], [], "")


def resolver_for(course: Course):
    """Links between modules of `course` and to its images, as on the learner page."""
    by_file = {m.filename: m.code for m in course.modules if m.filename}
    return link_resolver(by_file, course.folder, *url_builders())


def render(module: Module, body: str) -> Rendered:
    """The learner page's rendering and sanitising of `body`."""
    return render_markdown(body, resolver_for(module.course))


@dataclass
class _PublishedCourse:
    """A course folder as `flask content check` sees it (links.Folder), made of what
    learners are shown: the published modules (with `text` in place of the one being
    edited) and the images in the course's folder on disk."""

    directory: Path
    bodies: dict[str, str]  # module file name → Markdown body

    @property
    def module_names(self) -> set[str]:
        return set(self.bodies)

    def anchors(self, filename: str) -> set[str] | None:
        body = self.bodies.get(filename)
        return None if body is None else links.anchors(body)


def _published_course(module: Module, text: ModuleText) -> _PublishedCourse:
    course = module.course
    bodies = {
        m.filename: m.current_version.body_md
        for m in courses.active_modules(course)
        if m.filename
    }
    bodies[module.filename] = text.body
    directory = Path(current_app.config["COURSES_DIR"]) / course.folder
    return _PublishedCourse(directory, bodies)


def problems(module: Module, text: ModuleText) -> list:
    """What stops a text of `module` from being published, as (lazy) messages
    naming the line: what `flask content check` refuses in a module file
    (unsupported Markdown, links to a module, heading or image that does not
    exist)."""
    found = [
        _l("Dòng %(line)s: %(message)s", line=p.line, message=p.message)
        for p in links.body_problems(
            text.body, 1, module.filename, _published_course(module, text)
        )
    ]
    if not text.title:
        found.insert(0, _l("Tiêu đề không được để trống."))
    if not text.body.strip():
        found.append(_l("Nội dung không được để trống."))
    return found


STALE_DRAFT = _l(
    "Bản nháp của học phần này đã được lưu ở nơi khác (một thẻ khác hoặc một người "
    "khác) sau khi bạn mở trang, hoặc đã được xuất bản hay hủy. Chưa lưu: các ô bên "
    "dưới vẫn giữ những gì bạn nhập; bấm “Lưu bản nháp” lần nữa để ghi đè, hoặc mở "
    "lại trang để xem bản mới."
)


def editing_base(module: Module) -> str:
    """The hash of the text the editor opens with (editing_text): the base a
    draft save is checked against."""
    return digest(module, editing_text(module))


def save_draft(
    module: Module, user: User, text: ModuleText, base: str | None = None
) -> ModuleDraft:
    """`text` as the module's draft. Raises Stale, changing nothing, when `base`
    (editing_base when the editor was opened) is no longer the module's and `text`
    differs from its editing text: a draft saved, published or discarded since
    would be overwritten unseen."""
    if base and base != editing_base(module) and text != editing_text(module):
        raise Stale(STALE_DRAFT)
    draft = draft_of(module)
    if draft is None:
        draft = ModuleDraft(
            module_id=module.id, base_version_id=module.current_version_id
        )
        db.session.add(draft)
    draft.title, draft.minutes = text.title, text.minutes
    draft.objectives, draft.sources = text.objectives, text.sources
    draft.body_md = text.body
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    db.session.flush()
    return draft


def discard_draft(module: Module, user: User) -> bool:
    draft = draft_of(module)
    if draft is None:
        return False
    db.session.delete(draft)
    audit.record("content.draft_discarded", actor=user, target=module)
    db.session.flush()
    return True


def file_of(module: Module, text: ModuleText) -> ModuleFile:
    """The module's file with this text (see module_file_for)."""
    return module_file_for(
        module,
        title=text.title,
        minutes=text.minutes,
        objectives=text.objectives,
        sources=text.sources,
        body=text.body,
    )


def digest(module: Module, text: ModuleText) -> str:
    """The hash the module's file would have with this text."""
    return content_hash(file_of(module, text))


def publish_text(
    module: Module, user: User, text: ModuleText, **detail
) -> ModuleVersion | None:
    """`text` as the module's new published version; None when it equals the current
    one. Raises InvalidInput when it has problems."""
    if not module.filename:  # a module from before the upgrade, not synced since
        raise InvalidInput(
            _l(
                "Học phần chưa biết tên tệp của mình: hãy chạy `flask content sync` "
                "một lần sau khi nâng cấp, rồi xuất bản."
            )
        )
    found = problems(module, text)
    if found:
        raise InvalidInput(_l("Chưa xuất bản được: %(found)s", found=lazy_join(found)))
    new_hash = digest(module, text)
    current = module.current_version
    if current is not None and current.content_hash == new_hash:
        return None
    version = new_version(
        module,
        file_of(module, text),
        new_hash,
        resolver_for(module.course),
        origin="browser",
        created_by_id=user.id,
    )
    module.current_version = version
    audit.record(
        "content.published",
        actor=user,
        target=module,
        version=version.number,
        origin="browser",
        **detail,
    )
    db.session.flush()
    return version


def publish_draft(
    module: Module, user: User, over_newer: bool = False
) -> ModuleVersion | None:
    """The draft as a new version (the draft is then gone); None when it changes
    nothing (the draft is dropped all the same). A draft begun on an older version
    than the current one replaces it only when `over_newer` is given."""
    draft = draft_of(module)
    if draft is None:
        raise InvalidInput(_l("Không có bản nháp nào để xuất bản."))
    if draft.base_version_id != module.current_version_id and not over_newer:
        raise Conflict(
            _l(
                "Đã có phiên bản mới hơn được xuất bản sau khi bản nháp này bắt đầu. "
                "Xem lịch sử phiên bản, rồi đánh dấu “Xuất bản đè lên phiên bản mới "
                "hơn” nếu vẫn muốn xuất bản bản nháp."
            )
        )
    version = publish_text(module, user, ModuleText.of(draft))
    db.session.delete(draft)
    db.session.flush()
    return version


def versions(module: Module) -> list[ModuleVersion]:
    return list(
        db.session.scalars(
            select(ModuleVersion)
            .where(ModuleVersion.module_id == module.id)
            .order_by(ModuleVersion.number.desc())
        )
    )


def get_version(module: Module, number: int) -> ModuleVersion:
    version = db.session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.module_id == module.id, ModuleVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_l("Học phần này không có phiên bản %(number)s.", number=number))
    return version


def revert(module: Module, user: User, number: int) -> ModuleVersion | None:
    """Publish the text of version `number` again, as a new version: history is
    never rewritten. Refused while a draft exists (it would be left behind)."""
    if draft_of(module) is not None:
        raise Conflict(
            _l(
                "Học phần đang có bản nháp: hãy xuất bản hoặc hủy bản nháp trước khi "
                "khôi phục một phiên bản cũ."
            )
        )
    old = get_version(module, number)
    return publish_text(module, user, ModuleText.of(old), reverted_to=number)


def create_module(course: Course, user: User, code: str, title: str) -> Module:
    """A new module at the end of `course`, with a draft and no published version
    (learners do not see it until it is published)."""
    code, title = code.strip(), clean_text(title)
    if not CODE.match(code) or len(code) > 40:  # the codes question banks allow
        raise InvalidInput(
            _l(
                "Mã học phần chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch "
                "dưới (tối đa 40 ký tự)."
            )
        )
    if not title:
        raise InvalidInput(_l("Tiêu đề không được để trống."))
    if db.session.scalar(select(Module.id).where(Module.code == code)):
        raise Conflict(_l("Mã học phần “%(code)s” đã có.", code=code))
    order = max((m.order for m in course.modules), default=0) + 1
    if order > MODULE_ORDER[1]:  # its file's order would be refused
        raise InvalidInput(
            _l(
                "Khóa học đã có học phần ở thứ tự cuối cùng được phép (%(high)s): "
                "không thêm học phần mới được.",
                high=MODULE_ORDER[1],
            )
        )
    module = Module(
        code=code,
        course=course,
        order=order,
        filename=f"{order:02d}-{slugify(title)[:60] or code.lower()}.md",
    )
    db.session.add(module)
    db.session.flush()
    save_draft(module, user, ModuleText(title, 5, [], [], ""))
    audit.record("content.module_created", actor=user, target=module)
    return module
