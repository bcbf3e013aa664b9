"""Load checked content files into the database: a new module version only when the
text changed. Operations flush, never commit."""

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from app.audit import services as audit
from app.courses.models import Course, Module, ModuleVersion
from app.errors import ImportRejected
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.markdown import render_markdown

from .modules import ContentSet, CourseFile, ModuleFile, content_hash, course_hash
from .sync_rules import (
    CONFLICT,
    KEEP_BROWSER,
    SAME,
    SyncResult,
    next_version_number,
    settle,
    upsert_by_code,
)

# Builds the learner URL of a module from its code, and of a course image.
UrlBuilder = Callable[[str], str]


def url_builders():
    """Functions giving a module's page URL and a course image's URL, as paths."""
    adapter = current_app.url_map.bind("")

    def module_url(code: str) -> str:
        return adapter.build("courses.module", {"code": code})

    def media_url(folder: str, target: str) -> str:
        filename = target.removeprefix("images/")
        return adapter.build("courses.media", {"folder": folder, "filename": filename})

    return module_url, media_url


def sync_content(
    content: ContentSet,
    module_url: UrlBuilder,
    media_url: Callable[[str, str], str],
    prefer_files: bool = False,
) -> SyncResult:
    """Bring courses and modules in line with `content`, by the three-way rule: a
    module edited in the browser since the last sync or export is kept when its file
    has not changed, and is a conflict (in `result.conflicts`; the caller writes
    nothing) when both changed — unless `prefer_files`, which takes the file.

    Raises ImportRejected, changing nothing, when `content` has problems. Module and
    course texts are rendered here, once per version.
    """
    if content.problems:
        raise ImportRejected(
            _nl(
                "Nội dung có %(num)d lỗi; chưa đồng bộ gì.",
                "Nội dung có %(num)d lỗi; chưa đồng bộ gì.",
                len(content.problems),
            ),
            [str(p) for p in content.problems],
        )
    result = SyncResult()
    for course_file in content.courses:
        course = _sync_course(course_file, module_url, media_url, result)
        resolver = _resolver(course_file, module_url, media_url)
        seen = set()
        for module_file in course_file.modules:
            _sync_module(course, module_file, resolver, result, prefer_files)
            seen.add(module_file.code)
        _retire_missing(course, seen, result)
    return result


def _resolver(course_file: CourseFile, module_url, media_url):
    by_file = {m.filename: m.code for m in course_file.modules}
    return link_resolver(by_file, course_file.folder, module_url, media_url)


def link_resolver(by_file: dict[str, str], folder: str, module_url, media_url):
    """Map relative links in a text to app URLs: NN-x.md#a → module page (`by_file`
    maps file names to module codes), anything else but .md → the course's media."""

    def resolve(target: str) -> str | None:
        path, _, fragment = target.partition("#")
        if path in by_file:
            return module_url(by_file[path]) + (f"#{fragment}" if fragment else "")
        if path and not path.endswith(".md"):
            return media_url(folder, path)
        return None

    return resolve


def _sync_course(course_file: CourseFile, module_url, media_url, result) -> Course:
    course, changed = upsert_by_code(
        Course, course_file.code, course_hash(course_file), result
    )
    if not changed:
        return course
    rendered = render_markdown(
        course_file.body, _resolver(course_file, module_url, media_url)
    )
    course.title = course_file.title
    course.description = course_file.description
    course.audience = course_file.audience
    course.periods = course_file.periods
    course.folder = course_file.folder
    course.intro_html = rendered.html
    course.content_hash = course_hash(course_file)
    db.session.flush()
    return course


def _sync_module(
    course: Course, module_file: ModuleFile, resolver, result, prefer_files=False
) -> None:
    module = db.session.scalar(select(Module).where(Module.code == module_file.code))
    digest = content_hash(module_file)
    if module is None:
        module = Module(code=module_file.code, course=course)
        db.session.add(module)
        db.session.flush()
        result.created.append(module_file.code)
    elif module.current_version is not None:
        at = (module_file.path, 1)
        version = module.current_version
        rule = settle(result, module, digest, prefer_files, at, "học phần", version)
        if rule in (CONFLICT, KEEP_BROWSER):
            return
        if rule == SAME:
            if module.order != module_file.order or not module.active:
                module.order, module.active = module_file.order, True
            module.filename, module.synced_hash = module_file.filename, digest
            result.unchanged.append(module_file.code)
            return
        result.updated.append(module_file.code)
    else:
        result.updated.append(module_file.code)
    module.course, module.order, module.active = course, module_file.order, True
    module.filename, module.synced_hash = module_file.filename, digest
    module.current_version = new_version(module, module_file, digest, resolver)
    audit.record(
        "content.published", target=module, version=module.current_version.number
    )


def new_version(
    module: Module,
    module_file: ModuleFile,
    digest,
    resolver,
    origin: str = "file",
    created_by_id: int | None = None,
) -> ModuleVersion:
    """A new published version of `module` from `module_file`, rendered once (from
    a file by sync, or from the browser by content.module_editing)."""
    rendered = render_markdown(module_file.body, resolver)
    version = ModuleVersion(
        module_id=module.id,
        number=next_version_number(ModuleVersion, ModuleVersion.module_id, module.id),
        title=module_file.title,
        minutes=module_file.minutes,
        objectives=list(module_file.objectives),
        sources=list(module_file.sources),
        body_md=module_file.body,
        html=rendered.html,
        toc=[
            {"level": t.level, "anchor": t.anchor, "title": t.title}
            for t in rendered.toc
        ],
        content_hash=digest,
        origin=origin,
        created_by_id=created_by_id,
    )
    db.session.add(version)
    db.session.flush()
    return version


def _retire_missing(course: Course, seen: set[str], result: SyncResult) -> None:
    """Retire modules whose file is gone. A module made in the browser and never
    exported (no synced_hash) has no file yet, and stays."""
    for module in course.modules:
        if module.code not in seen and module.active and module.synced_hash:
            module.active = False
            result.retired.append(module.code)


def module_file_for(
    module: Module,
    *,
    title: str,
    minutes: int,
    objectives: list[str],
    sources: list[str],
    body: str,
) -> ModuleFile:
    """The ModuleFile a module's file would parse to with these fields: the one
    shape from which both its content_hash and its written file are made, so a text
    published in the browser and the same text exported to a file hash alike."""
    course = module.course
    return ModuleFile(
        code=module.code,
        course=course.code,
        title=title,
        order=module.order,
        minutes=minutes,
        objectives=list(objectives),
        sources=list(sources),
        body=body,
        body_line=1,
        path=f"courses/{course.folder}/{module.filename}",
        filename=module.filename,
        folder=course.folder,
    )


def module_file_of(module: Module, version: ModuleVersion) -> ModuleFile:
    """The ModuleFile of a stored version (what `content export` writes)."""
    return module_file_for(
        module,
        title=version.title,
        minutes=version.minutes,
        objectives=version.objectives,
        sources=version.sources,
        body=version.body_md,
    )
