"""HR dashboard: figures, drill-down, the cadre list, a cadre's detail, the ranking,
and that an HR officer never sees outside its subtree."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts
from app.records import services as records
from app.reports import queries
from app.reports.dashboard import ranked
from app.timeutil import utcnow
from tests.factories import make_user
from tests.quizzes.helpers import make_quiz
from tests.records.helpers import make_campaign, read_all


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _pass_quiz(person, now, quiz="Q"):
    attempt = attempts.start_attempt(person, attempts.get_quiz(quiz), now)
    for slot in attempt.slots:
        right = [
            i
            for i, k in enumerate(slot.option_order)
            if any(o["key"] == k and o["correct"] for o in slot.version.options)
        ]
        attempts.save_answer(attempt, slot.position, right, now)
    attempts.finalise(attempt, now)


def _fail_quiz(person, now, quiz="Q"):
    attempts.finalise(attempts.start_attempt(person, attempts.get_quiz(quiz), now), now)


def build(tmp_path) -> dict:
    """Campaign C2026 (subtree D, quiz Q) and CP2026 (the whole province P, quiz
    Q2: a quiz serves one running campaign at a time); each cadre sits both alike.

    D  (direct) in3 Phạm Thị Ánh    not started
    D1          in2 Lê Thị Bình     read all               in progress
    D1A         in1 Nguyễn Văn An   read all + passed 100  completed
    D1A         in4 Hoàng Văn Dũng  read all + failed 0    in progress
    D1A         in5 Vũ Thị Đào      nothing                not started
    C1          out Trần Văn Cường  (in CP2026 only)       not started
    """
    campaign, tree = make_campaign(tmp_path)
    make_user("in3", tree["D"], full_name="Phạm Thị Ánh", employee_code="CB003")
    make_user("in4", tree["D1A"], full_name="Hoàng Văn Dũng")
    make_user("in5", tree["D1A"], full_name="Vũ Thị Đào")
    records.ensure_records(campaign)
    make_quiz(code="Q2", course="T")
    now = utcnow()
    province = records.create_campaign(
        "CP2026",
        "Bồi dưỡng toàn tỉnh 2026",
        2026,
        "T",
        "Q2",
        now - timedelta(days=1),
        now + timedelta(days=30),
        [tree["P"]],
    )
    # officers who are not learners: they take no training, so hold no record
    make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    make_user("hrc", tree["C"], roles=[("hr", tree["C"])])
    make_user("adm", tree["P"], roles=[("admin", None)])
    read_all(user("in1"), now)
    for quiz in ("Q", "Q2"):
        _pass_quiz(user("in1"), now + timedelta(minutes=1), quiz)
    read_all(user("in2"), now)
    read_all(user("in4"), now)
    for quiz in ("Q", "Q2"):
        _fail_quiz(user("in4"), now + timedelta(minutes=1), quiz)
    db.session.commit()
    ids = {k: u.id for k, u in tree.items()}
    ids.update({name: user(name).id for name in ("in1", "in2", "in4", "out")})
    ids["campaign"], ids["province"] = campaign.id, province.id
    return ids


@pytest.fixture
def ids(app, tmp_path):
    with app.app_context():
        return build(tmp_path)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def names_in(html):
    return re.findall(r'href="/reports/cadres/\d+[^"]*">([^<]+)</a>', html)


# --- figures ---------------------------------------------------------------


def test_subtree_figures_equal_the_hand_computed_ones(app, ids):
    with app.app_context():
        d = db.session.get(queries.Unit, ids["D"])
        s = queries.subtree_summary(ids["campaign"], d)
        assert (s.total, s.completed, s.in_progress, s.not_started) == (5, 1, 2, 2)
        assert (s.passed, s.completion_percent, s.pass_percent) == (1, 20.0, 20.0)
        assert s.mean_score == 50.0  # (100 + 0) / 2: cadres without a score skipped
        rows = queries.children_summary(ids["campaign"], d)
        summary = [(r.unit.code, r.direct_only, r.total, r.completed) for r in rows]
        assert summary == [("D1", False, 4, 1), ("D", True, 1, 0)]
        d1 = db.session.get(queries.Unit, ids["D1"])
        (team, direct) = queries.children_summary(ids["campaign"], d1)
        assert (team.unit.code, team.total, team.completion_percent) == ("D1A", 3, 33.3)
        assert (direct.unit.code, direct.total, direct.in_progress) == ("D1", 1, 1)


def test_dashboard_shows_the_figures_and_the_child_units(client, auth, ids):
    auth.login("hr")
    html = page(client, "/reports/?campaign=C2026")
    assert "Bồi dưỡng năm 2026" in html
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Cán bộ trong phạm vi"] == "5"
    assert figures["Đã hoàn thành"] == "1"
    assert figures["Tỷ lệ hoàn thành"] == "20,0\u00a0%"
    assert figures["Tỷ lệ đạt bài kiểm tra"] == "20,0\u00a0%"
    assert figures["Điểm trung bình"] == "50,0\u00a0%"
    assert "Hoàn thành: 1" in html and "Đang học: 2" in html
    assert "Chưa bắt đầu: 2" in html
    assert "Phòng Công chức" in html and "(trực thuộc)" in html
    assert f"/reports/?campaign=C2026&amp;unit={ids['D1']}" in html  # drill-down
    assert "<svg" in html and "style=" not in html  # the CSP forbids inline styles
    assert "/reports/ranking" in html and "status=completed" in html


def test_every_link_on_the_report_pages_works(client, auth, ids):
    auth.login("hr")
    urls = [
        "/reports/?campaign=C2026",
        f"/reports/?campaign=C2026&unit={ids['D1']}",
        "/reports/cadres?campaign=C2026",
        f"/reports/cadres/{ids['in1']}",
        "/reports/ranking?campaign=CP2026",
    ]
    links = set()
    for url in urls:
        html = page(client, url)
        found = re.findall(r'href="(/[^"]*)"', html.split('id="main"')[1])
        links.update(link.replace("&amp;", "&") for link in found)
    assert any(link.startswith("/reports/ranking") for link in links)
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_drill_down_shows_the_child_subtree_and_a_breadcrumb(client, auth, ids):
    auth.login("hr")
    html = page(client, f"/reports/?campaign=C2026&unit={ids['D1']}")
    assert "Tiến độ bồi dưỡng: Phòng Công chức</h1>" in html
    assert f"unit={ids['D1A']}" in html and "Tổ Đào tạo" in html
    assert "33,3\u00a0%" in html  # D1A: 1 of 3
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Cán bộ trong phạm vi"] == "4"
    assert figures["Tỷ lệ hoàn thành"] == "25,0\u00a0%"
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert "Sở Nội vụ" in crumbs and "Tỉnh Thử" not in crumbs  # never above scope


def test_admin_sees_the_whole_province_and_defaults_to_the_campaign_target(
    client, auth, ids
):
    auth.login("adm")
    html = page(client, "/reports/?campaign=CP2026")
    assert "Tỉnh Thử" in html and "UBND xã Hòa An" in html
    html = page(client, f"/reports/cadres?campaign=CP2026&unit={ids['C']}")
    assert names_in(html) == ["Trần Văn Cường"]
    html = page(client, "/reports/cadres?campaign=CP2026&q=cuong")
    assert names_in(html) == ["Trần Văn Cường"]  # the same search, in scope
    page(client, f"/reports/cadres/{ids['out']}?campaign=CP2026")


def test_the_default_campaign_is_the_newest_visible_one(client, auth, ids):
    auth.login("hrc")  # HR of commune C: campaign C2026 (subtree D) is not theirs
    html = page(client, "/reports/")
    assert "Bồi dưỡng toàn tỉnh 2026" in html and "Bồi dưỡng năm 2026" not in html
    page(client, "/reports/?campaign=C2026", 404)
    page(client, "/reports/?campaign=NOPE", 404)


# --- the list of cadres ----------------------------------------------------


def test_cadres_are_sorted_the_vietnamese_way(client, auth, ids):
    auth.login("hr")
    html = page(client, "/reports/cadres?campaign=C2026")
    # by given name (An < Ánh < Bình < Dũng < Đào), not by family name
    assert names_in(html) == [
        "Nguyễn Văn An",
        "Phạm Thị Ánh",
        "Lê Thị Bình",
        "Hoàng Văn Dũng",
        "Vũ Thị Đào",
    ]
    assert "CB003" in html and "3/3" in html and "100,0\u00a0%" in html


def test_cadres_filter_by_status_and_direct_members(client, auth, ids):
    auth.login("hr")
    base = "/reports/cadres?campaign=C2026"
    done = names_in(page(client, base + "&status=completed"))
    doing = names_in(page(client, base + "&status=in_progress"))
    todo = names_in(page(client, base + "&status=not_started"))
    assert done == ["Nguyễn Văn An"]
    assert doing == ["Lê Thị Bình", "Hoàng Văn Dũng"]
    assert todo == ["Phạm Thị Ánh", "Vũ Thị Đào"]
    assert len(names_in(page(client, base + "&status=bogus"))) == 5
    direct = names_in(page(client, f"{base}&unit={ids['D1']}&direct=1"))
    assert direct == ["Lê Thị Bình"]


def test_search_ignores_diacritics_and_case(client, auth, ids):
    auth.login("hr")
    base = "/reports/cadres?campaign=C2026&q="
    assert names_in(page(client, base + "nguyen van an")) == ["Nguyễn Văn An"]
    assert names_in(page(client, base + "ĐÀO")) == ["Vũ Thị Đào"]
    assert names_in(page(client, base + "dao")) == ["Vũ Thị Đào"]
    assert names_in(page(client, base + "CB003")) == ["Phạm Thị Ánh"]
    # the accounts' one search: "%" and "_" are no wildcards in a code
    assert names_in(page(client, base + "%25")) == []
    assert names_in(page(client, base + "CB00_")) == []


def test_cadres_are_paginated(app, client, auth, ids):
    app.config["PAGE_SIZE"] = 2
    auth.login("hr")
    first = page(client, "/reports/cadres?campaign=C2026")
    assert names_in(first) == ["Nguyễn Văn An", "Phạm Thị Ánh"]
    assert "Trang 1 / 3" in first and "5 người" in first
    last = page(client, "/reports/cadres?campaign=C2026&page=3")
    assert names_in(last) == ["Vũ Thị Đào"]
    assert names_in(page(client, "/reports/cadres?campaign=C2026&page=9")) == []


# --- a cadre's detail ------------------------------------------------------


def test_cadre_detail_shows_modules_and_attempts(client, auth, ids):
    auth.login("hr")
    html = page(client, f"/reports/cadres/{ids['in1']}?campaign=C2026")
    assert "Nguyễn Văn An" in html and "Tổ Đào tạo" in html
    assert "Hoàn thành</span></dd>" in html and "3/3" in html
    modules = html.split("<h3>Học phần</h3>")[1].split("</table>")[0]
    assert modules.count("✓ Đã đọc") == 3
    assert all(f"Học phần {n}" in modules for n in (1, 2, 3))
    tries = html.split("Các lần làm bài kiểm tra")[1].split("</table>")[0]
    assert "✓ Đạt" in tries and "100,0\u00a0%" in tries and "Tự nộp bài" in tries
    failed = page(client, f"/reports/cadres/{ids['in4']}?campaign=C2026")
    assert "Hoàng Văn Dũng" in failed and "Chưa đạt" in failed
    assert ">0,0\u00a0%<" in failed
    other = page(client, f"/reports/cadres/{ids['in2']}")
    assert "Chưa làm bài kiểm tra lần nào." in other


def test_cadre_detail_reads_the_viewers_campaigns_once(app, client, auth, ids):
    """The cadre's campaigns and the one shown are both chosen among those the
    viewer may see (visibility.visible_campaigns, which reads the units' history):
    read once for the page."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    auth.login("hr")
    statements = []
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for query in ("", "?campaign=C2026"):
            statements.clear()
            html = page(client, f"/reports/cadres/{ids['in1']}{query}")
            assert "Nguyễn Văn An" in html and "Các lần làm bài kiểm tra" in html
            history = [s for s in statements if " FROM unit_succession" in s]
            assert len(history) == 1, statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


# --- scope -----------------------------------------------------------------


def test_hr_of_d_cannot_reach_commune_c_by_any_route_or_parameter(client, auth, ids):
    auth.login("hr")
    for campaign in ("C2026", "CP2026"):
        q = f"campaign={campaign}&unit={ids['C']}"
        page(client, f"/reports/?{q}", 404)
        page(client, f"/reports/cadres?{q}", 404)
        page(client, f"/reports/cadres?{q}&q=Cường", 404)
        page(client, f"/reports/ranking?{q}", 404)
        page(client, f"/reports/?campaign={campaign}&unit={ids['C1']}", 404)
        page(client, f"/reports/?campaign={campaign}&unit={ids['P']}", 404)  # above
        page(client, f"/reports/cadres/{ids['out']}?campaign={campaign}", 404)
    page(client, f"/reports/cadres/{ids['out']}", 404)
    for text in ("Cường", "cuong", "Trần Văn"):
        found = page(client, f"/reports/cadres?campaign=CP2026&q={text}")
        assert names_in(found) == [] and "Trần Văn Cường" not in found
        assert "0 người" in found
    whole = page(client, "/reports/?campaign=CP2026")
    assert "UBND xã Hòa An" not in whole and "Văn phòng xã" not in whole
    assert "Tỉnh Thử" not in whole


def test_learners_get_403_and_visitors_are_sent_to_sign_in(client, auth, ids):
    urls = [
        "/reports/",
        "/reports/cadres",
        f"/reports/cadres/{ids['in1']}",
        "/reports/ranking",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location
    auth.login("in1")
    for url in urls:
        assert client.get(url).status_code == 403, url


# --- ranking ---------------------------------------------------------------


def test_ranking_orders_child_units_by_completion(app, client, auth, ids):
    auth.login("adm")
    html = page(client, f"/reports/ranking?campaign=CP2026&unit={ids['P']}")
    rows = re.findall(
        r'class="num rank">(\d+)</td>\s*<th scope="row"><a[^>]*>([^<]+)', html
    )
    assert rows == [("1", "Sở Nội vụ"), ("2", "UBND xã Hòa An")]
    assert "20,0\u00a0%" in html and "style=" not in html
    auth.logout()
    auth.login("hr")
    html = page(client, "/reports/ranking?campaign=C2026")
    assert re.findall(r'class="num rank">(\d+)', html) == ["1"]
    assert "Phòng Công chức" in html


def test_equal_rates_share_a_rank(ctx):
    row = queries.SummaryRow
    rows = [row(None, 2, 1, 0, 1, 1, None), row(None, 4, 2, 0, 2, 2, None)]
    rows.append(row(None, 3, 0, 0, 3, 0, None))
    assert [r for r, _ in ranked(rows)] == [1, 1, 3]


def test_the_bars_write_percentages_in_the_readers_language(client, auth, ids):
    """The number beside a bar, and the figures, through the `percent` filter:
    "33,3 %" (a no-break space) on a Vietnamese page, "33.3%" on an English one."""
    auth.login("hr")
    html = page(client, f"/reports/?campaign=C2026&unit={ids['D1']}")
    beside = re.findall(r'<span class="bar-num">([^<]+)</span>', html)
    assert "33,3\u00a0%" in beside  # D1A: 1 of 3
    assert beside.count("25,0\u00a0%") >= 2  # D1: completed and passed, 1 of 4
    assert "<title>90–100\u00a0%: 1</title>" in html  # the score chart's bar
    token = auth.token("/reports/")
    client.post("/language", data={"language": "en", "csrf_token": token})
    html = page(client, f"/reports/?campaign=C2026&unit={ids['D1']}")
    beside = re.findall(r'<span class="bar-num">([^<]+)</span>', html)
    assert "33.3%" in beside and beside.count("25.0%") >= 2
    assert "<title>90–100%: 1</title>" in html
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Completion rate"] == "25.0%"
    assert "\u00a0%" not in html and "33,3" not in html
