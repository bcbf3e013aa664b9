import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.content.modules import content_hash, load_content
from app.content.sync_courses import module_file_for
from app.courses.models import Module, ModuleDraft, ModuleProgress, ModuleVersion
from app.extensions import db
from tests.authoring.helpers import make_authoring

EDIT = "/authoring/modules/T-M1"


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _form(auth, **fields):
    data = {
        "csrf_token": auth.token(EDIT),
        "title": "Học phần 1 (sửa)",
        "minutes": "6",
        "objectives": "Hiểu quy tắc\nÁp dụng",
        "sources": "Quyết định 1847/QĐ-TTg, Điều 3",
        "body": "## Mục mới\n\nNội dung **mới**.\n",
        "action": "save",
    }
    data.update(fields)
    return data


def _module(app, code="T-M1"):
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == code))
        draft = db.session.scalar(
            select(ModuleDraft).where(ModuleDraft.module_id == module.id)
        )
        return module.current_version.number, draft is not None


def test_draft_is_not_seen_by_learners_until_published(app, client, auth, content):
    auth.login("trainer")
    page = client.get(EDIT).get_data(as_text=True)
    assert "Đã xuất bản phiên bản 1" in page and 'name="body"' in page
    response = client.post(EDIT, data=_form(auth))
    assert response.status_code == 302
    assert _module(app) == (1, True)
    auth.logout()
    auth.login("learner")
    learner_page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Nội dung <strong>mới</strong>" not in learner_page
    auth.logout()
    auth.login("trainer")
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    assert _module(app) == (2, False)
    auth.logout()
    auth.login("learner")
    learner_page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Nội dung <strong>mới</strong>" in learner_page
    with app.app_context():
        version = db.session.scalar(
            select(ModuleVersion).where(ModuleVersion.number == 2)
        )
        assert version.origin == "browser" and version.created_by_id is not None
        module = version.module
        same = module_file_for(
            module,
            title=version.title,
            minutes=version.minutes,
            objectives=version.objectives,
            sources=version.sources,
            body=version.body_md,
        )
        assert version.content_hash == content_hash(same)
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "content.published")
        )


def test_progress_keeps_the_version_read(app, client, auth, content):
    with app.app_context():
        from app.accounts.models import User
        from app.courses import services as courses

        learner = db.session.scalar(select(User).where(User.username == "learner"))
        module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
        courses.open_module(learner, module)
        progress = db.session.scalar(select(ModuleProgress))
        progress.seconds_spent, progress.completed_at = 600, progress.first_opened_at
        db.session.commit()
        first = module.current_version_id
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress))
        assert progress.version_id == first and progress.completed_at is not None
        course = db.session.scalar(select(Module).where(Module.code == "T-M1")).course
        learner = db.session.scalar(select(User).where(User.username == "learner"))
        rows = courses.course_progress(learner, course).rows
        assert rows[0].status == courses.READ


def test_publishing_an_unchanged_draft_makes_no_version(app, client, auth, content):
    auth.login("trainer")
    client.get(EDIT)
    with app.app_context():
        v = db.session.scalar(select(ModuleVersion).where(ModuleVersion.number == 1))
        text = {
            "title": v.title,
            "minutes": str(v.minutes),
            "objectives": "\n".join(v.objectives),
            "sources": "\n".join(v.sources),
            "body": v.body_md,
        }
    client.post(EDIT, data=_form(auth, **text))
    response = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    assert "không có phiên bản mới" in response.get_data(as_text=True)
    assert _module(app) == (1, False)


def test_history_diff_and_revert(app, client, auth, content):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    history = client.get(f"{EDIT}/versions").get_data(as_text=True)
    assert "trình duyệt" in history and "So sánh với phiên bản trước" in history
    diff = client.get(f"{EDIT}/diff?a=1&b=2").get_data(as_text=True)
    assert "<ins>" in diff and "Mục mới" in diff and "<del>" in diff
    assert "Tiêu đề: Học phần 1 (sửa)" in diff
    response = client.post(
        f"{EDIT}/revert/1",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    assert "thành phiên bản mới 3" in response.get_data(as_text=True)
    with app.app_context():
        versions = db.session.scalars(select(ModuleVersion).order_by("number")).all()
        t_m1 = [v for v in versions if v.module.code == "T-M1"]
        assert [v.number for v in t_m1] == [1, 2, 3]
        assert t_m1[2].content_hash == t_m1[0].content_hash
        assert t_m1[2].module.current_version_id == t_m1[2].id
    assert client.get(f"{EDIT}/diff?a=1&b=9").status_code == 404


def test_revert_is_refused_while_a_draft_exists(app, client, auth, content):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    client.post(EDIT, data=_form(auth, title="Khác"))
    response = client.post(
        f"{EDIT}/revert/1",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    assert "đang có bản nháp" in response.get_data(as_text=True)
    assert _module(app) == (2, True)


XSS = (
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
    '[bấm](javascript:alert(3))\n\n<a href="#" onclick="alert(4)">x</a>\n'
)


# What Markdown itself lets an author write: links and images with script URLs or
# quotes meant to break out of the attribute.
MARKDOWN_XSS = (
    "[bấm](javascript:alert(3)) [b](JaVaScRiPt:alert(5))\n\n"
    '![x](x" onerror="alert(6)) [c](data:text/html;base64,PHNjcmlwdD4=)\n'
)


def _assert_clean(html: str) -> None:
    """No live script: tags and handlers may only survive as escaped text."""
    assert "<script>alert" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html)
    assert not re.search(r"(href|src)=[\"']?\s*(javascript|data):", html, re.I)


def test_xss_is_neutralised_in_preview_and_learner_page(app, client, auth, content):
    auth.login("trainer")
    preview = client.post(
        f"{EDIT}/preview", data={"csrf_token": auth.token(EDIT), "body": XSS}
    )
    assert preview.status_code == 200
    _assert_clean(preview.get_data(as_text=True))
    no_script = client.post(EDIT, data=_form(auth, body=XSS, action="preview"))
    assert no_script.status_code == 200
    _assert_clean(no_script.get_data(as_text=True).split('id="module-preview"')[1])
    client.post(EDIT, data=_form(auth, body=XSS))
    refused = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    assert "HTML thô không được phép" in refused.get_data(as_text=True)
    assert _module(app)[0] == 1  # raw HTML is never published
    client.post(EDIT, data=_form(auth, body=MARKDOWN_XSS))
    refused = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )  # as `flask content check` refuses it: links of a forbidden scheme
    assert "liên kết dùng giao thức không được phép" in refused.get_data(as_text=True)
    _assert_clean(refused.get_data(as_text=True))  # its preview is clean all the same
    assert _module(app)[0] == 1
    auth.logout()
    auth.login("learner")
    _assert_clean(client.get("/modules/T-M1").get_data(as_text=True))


def test_preview_uses_the_learner_link_resolver(app, client, auth, content):
    auth.login("trainer")
    preview = client.post(
        f"{EDIT}/preview",
        data={"csrf_token": auth.token(EDIT), "body": "[tiếp](02-hai.md#muc)"},
    ).get_data(as_text=True)
    assert 'href="/modules/T-M2#md-muc"' in preview


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "Vui lòng điền trường này"),
        ({"minutes": "0"}, "Từ 1 đến 600 phút."),
        ({"minutes": "9999"}, "Từ 1 đến 600 phút."),
        ({"minutes": "abc"}, "Cần nhập một số nguyên."),
        ({"body": ""}, "Nội dung không được để trống."),
        ({"title": "x" * 300}, "255"),
    ],
)
def test_bad_module_input_changes_nothing(app, client, auth, content, fields, message):
    auth.login("trainer")
    response = client.post(EDIT, data=_form(auth, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _module(app) == (1, False)


def test_publish_refuses_markdown_problems(app, client, auth, content):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth, body="## A\n\n```\nkhông đóng\n"))
    response = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Chưa xuất bản được" in page
    assert _module(app) == (1, True)


@pytest.mark.parametrize(
    "body, message",
    [
        ("Xem [học phần](99-khong-co.md).", "liên kết tới học phần không tồn tại"),
        ("Xem [mục](02-hai.md#khong-co-muc).", "không có mục #khong-co-muc"),
        ("![Sơ đồ](images/khong-co.png)", "thiếu hình ảnh: images/khong-co.png"),
        ("[tệp](../../etc/passwd)", "tệp ảnh và tệp đính kèm phải nằm trong"),
        ("[x](javascript:alert(1))", "liên kết dùng giao thức không được phép"),
    ],
)
def test_publish_refuses_what_content_check_refuses(
    app, client, auth, content, body, message
):
    """The browser's publish runs the checks of `flask content check`: links to a
    module, a heading or an image that does not exist are refused, with the line."""
    auth.login("trainer")
    client.post(EDIT, data=_form(auth, body=f"## Mục\n\n{body}\n"))
    response = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Chưa xuất bản được" in page and f"Dòng 3: {message}" in page
    assert _module(app) == (1, True)


def test_publish_takes_links_that_exist(app, client, auth, content):
    auth.login("trainer")
    body = (
        "## Mục\n\nXem [học phần 2](02-hai.md#dieu-2-dinh-nghia) và "
        "![Logo](images/logo.png), [mục này](#muc).\n"
    )
    client.post(EDIT, data=_form(auth, body=body))
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    assert _module(app) == (2, False)


def test_new_module_is_hidden_until_published(app, client, auth, content):
    auth.login("trainer")
    url = "/authoring/courses/T/modules/new"
    token = auth.token(url)
    bad = client.post(url, data={"csrf_token": token, "code": "có dấu", "title": "X"})
    assert "Mã học phần chỉ gồm" in bad.get_data(as_text=True)
    duplicate = client.post(
        url, data={"csrf_token": token, "code": "T-M1", "title": "X"}
    )
    assert "đã có" in duplicate.get_data(as_text=True)
    response = client.post(
        url, data={"csrf_token": token, "code": "T-M4", "title": "Ứng xử số"}
    )
    assert response.headers["Location"].endswith("/authoring/modules/T-M4")
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == "T-M4"))
        assert module.filename == "04-ung-xu-so.md" and module.current_version is None
    auth.logout()
    auth.login("learner")
    assert "Ứng xử số" not in client.get("/courses/T").get_data(as_text=True)
    assert client.get("/modules/T-M4").status_code == 404
    auth.logout()
    auth.login("trainer")
    client.post("/authoring/modules/T-M4", data=_form(auth, title="Ứng xử số"))
    client.post(
        "/authoring/modules/T-M4/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
    )
    auth.logout()
    auth.login("learner")
    assert "Ứng xử số" in client.get("/courses/T").get_data(as_text=True)


def test_no_new_module_past_the_last_order_a_file_may_have(app, client, auth, content):
    """A new module goes after the last: past order 999 its file would be refused
    (and a number past the database's integers would not be stored)."""
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == "T-M3"))
        module.order = 999
        db.session.commit()
    auth.login("trainer")
    url = "/authoring/courses/T/modules/new"
    response = client.post(
        url, data={"csrf_token": auth.token(url), "code": "T-M9", "title": "Thêm"}
    )
    assert "thứ tự cuối cùng được phép (999)" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Module).where(Module.code == "T-M9")) is None


def test_trainers_outside_the_owner_unit_get_404(app, client, auth, content):
    auth.login("outsider")
    assert client.get(EDIT).status_code == 404
    assert client.get(f"{EDIT}/versions").status_code == 404
    token = auth.token("/authoring/")
    assert client.post(f"{EDIT}/publish", data={"csrf_token": token}).status_code == 404
    assert client.get("/authoring/courses/T/modules/new").status_code == 404
    assert "T-M1" not in client.get("/authoring/").get_data(as_text=True)
    auth.logout()
    auth.login("hr")
    assert client.get(EDIT).status_code == 403


def test_the_files_load_still(tmp_path, app, content):
    """The authoring fixture leaves the course folder valid."""
    assert load_content(tmp_path).ok


def test_a_draft_older_than_the_published_version_asks_before_publishing(
    app, client, auth, content
):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))  # draft on version 1
    with app.app_context():  # meanwhile version 2 is published (a sync, a colleague)
        from app.accounts.models import User
        from app.content import module_editing as authoring

        module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
        user = db.session.scalar(select(User).where(User.username == "trainer"))
        text = authoring.ModuleText.of(module.current_version)
        text.title = "Bản của đồng nghiệp"
        authoring.publish_text(module, user, text)
        db.session.commit()
    page = client.get(EDIT).get_data(as_text=True)
    assert "Chú ý: đã có phiên bản mới" in page and 'name="over_newer"' in page
    refused = client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT)},
        follow_redirects=True,
    )
    assert "Đã có phiên bản mới hơn" in refused.get_data(as_text=True)
    assert _module(app) == (2, True)
    client.post(
        f"{EDIT}/publish",
        data={"confirm": "1", "csrf_token": auth.token(EDIT), "over_newer": "1"},
    )
    assert _module(app) == (3, False)


def _base(page: str) -> str:
    return page.split('name="base" type="hidden" value="')[1].split('"')[0]


def _draft_body(app) -> str | None:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
        draft = db.session.scalar(
            select(ModuleDraft).where(ModuleDraft.module_id == module.id)
        )
        return draft.body_md if draft else None


def test_a_stale_tab_does_not_overwrite_a_newer_draft_unseen(
    app, client, auth, content
):
    """Two tabs open the editor; the first saves its draft. The second's save would
    replace it unseen: it is refused once, keeping what was typed, and a second
    save overwrites knowingly. A draft discarded since, or saved and published
    since, makes an older tab stale too."""
    auth.login("trainer")
    old = _base(client.get(EDIT).get_data(as_text=True))
    first = client.post(EDIT, data=_form(auth, base=old, body="Bản của thẻ một.\n"))
    assert first.status_code == 302 and _draft_body(app) == "Bản của thẻ một.\n"
    stale = _form(auth, base=old, body="Bản của thẻ hai.\n")
    refused = client.post(EDIT, data=stale)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "đã được lưu ở nơi khác" in page
    assert "Bản của thẻ hai." in page and _draft_body(app) == "Bản của thẻ một.\n"
    again = client.post(EDIT, data=stale | {"base": _base(page)})
    assert again.status_code == 302 and _draft_body(app) == "Bản của thẻ hai.\n"
    opened = _base(client.get(EDIT).get_data(as_text=True))
    client.post(
        f"{EDIT}/discard", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    assert _draft_body(app) is None
    late = client.post(EDIT, data=_form(auth, base=opened, body="Muộn.\n"))
    assert late.status_code == 200 and _draft_body(app) is None
    opened = _base(client.get(EDIT).get_data(as_text=True))
    client.post(EDIT, data=_form(auth, base=opened, body="Xuất bản.\n"))
    client.post(
        f"{EDIT}/publish", data={"confirm": "1", "csrf_token": auth.token(EDIT)}
    )
    assert _module(app) == (2, False)
    after = client.post(EDIT, data=_form(auth, base=opened, body="Tiếp.\n"))
    assert after.status_code == 200 and _draft_body(app) is None
