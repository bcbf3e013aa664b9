from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses.models import Course, Module, ModuleProgress, ModuleVersion
from app.errors import ImportRejected
from app.extensions import db
from tests.courses.content import write_course, write_module
from tests.factories import make_tree, make_user

REAL_COURSES = Path(__file__).resolve().parents[2] / "courses"


def sync(root: Path):
    return sync_content(load_content(root), *url_builders())


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_real_course_syncs_then_second_sync_changes_nothing(ctx):
    first = sync(REAL_COURSES)
    db.session.commit()
    assert len(first.created) >= 10  # the course and at least nine modules
    versions = count(ModuleVersion)
    second = sync(REAL_COURSES)
    db.session.commit()
    assert second.created == [] and second.updated == []
    assert count(ModuleVersion) == versions
    course = db.session.scalar(select(Course).where(Course.code == "VHCV"))
    assert len([m for m in course.modules if m.active]) >= 9


def test_an_edited_file_makes_exactly_one_new_version_and_keeps_the_old(ctx, tmp_path):
    folder = write_course(tmp_path)
    sync(tmp_path)
    db.session.commit()
    tree = make_tree()
    reader = make_user("reader", tree["C1"])
    module = db.session.scalar(select(Module).where(Module.code == "T-M2"))
    old_version = module.current_version
    db.session.add(
        ModuleProgress(
            user_id=reader.id, module_id=module.id, version_id=old_version.id
        )
    )
    db.session.commit()

    write_module(folder, 2, body="Nội dung đã sửa.")
    result = sync(tmp_path)
    db.session.commit()
    assert result.updated == ["T-M2"]
    versions = db.session.scalars(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module.id)
        .order_by(ModuleVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert "Nội dung đã sửa." in module.current_version.html
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.version_id == old_version.id
    assert "Nội dung." in progress.version.html


def test_links_between_modules_become_app_urls_and_anchors_stay_readable(ctx, tmp_path):
    write_course(tmp_path)
    sync(tmp_path)
    db.session.commit()
    module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
    html = module.current_version.html
    assert 'href="/modules/T-M2#md-dieu-2-dinh-nghia"' in html
    assert 'id="md-dieu-1-dinh-nghia"' in html
    assert module.current_version.toc[0]["anchor"] == "md-dieu-1-dinh-nghia"


def test_content_with_problems_is_rejected_and_writes_nothing(ctx, tmp_path):
    folder = write_course(tmp_path)
    (folder / "03-ba.md").write_text("---\ncode: [unclosed\n---\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as excinfo:
        sync(tmp_path)
    assert any("03-ba.md:" in p for p in excinfo.value.problems)
    db.session.rollback()
    assert count(Course) == 0 and count(Module) == 0


def test_a_removed_file_retires_the_module_but_keeps_it(ctx, tmp_path):
    folder = write_course(tmp_path)
    sync(tmp_path)
    db.session.commit()
    (folder / "03-ba.md").unlink()
    result = sync(tmp_path)
    db.session.commit()
    assert result.retired == ["T-M3"]
    module = db.session.scalar(select(Module).where(Module.code == "T-M3"))
    assert module is not None and not module.active


def test_cli_check_and_sync(app, runner, tmp_path):
    write_course(tmp_path)
    result = runner.invoke(args=["content", "check", "--courses", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 khóa học, 3 học phần" in result.output
    result = runner.invoke(args=["content", "sync", "--courses", str(tmp_path)])
    assert "4 tạo mới" in result.output, result.output
    result = runner.invoke(args=["content", "sync", "--courses", str(tmp_path)])
    assert "0 tạo mới, 0 cập nhật, 4 không đổi" in result.output


def test_cli_check_reports_file_line_and_fails(app, runner, tmp_path):
    folder = write_course(tmp_path)
    write_module(folder, 2, body="Xem [không có](09-khong-co.md).")
    result = runner.invoke(args=["content", "check", "--courses", str(tmp_path)])
    assert result.exit_code != 0
    assert "02-hai.md:" in result.output and "09-khong-co.md" in result.output


def test_cli_check_on_missing_folder_fails_clearly(app, runner, tmp_path):
    result = runner.invoke(
        args=["content", "check", "--courses", str(tmp_path / "nope")]
    )
    assert result.exit_code != 0
    assert "nope" in result.output
