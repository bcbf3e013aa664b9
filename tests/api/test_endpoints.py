"""Every endpoint of the JSON API: scope (a token of D sees nothing of C), pages,
filters, bad parameters, error bodies, 401 and 429."""

import pytest

from tests.api.conftest import get

UNITS = "/api/v1/units"
CADRES = "/api/v1/cadres"
CERTIFICATES = "/api/v1/certificates"
RECORDS = "/api/v1/campaigns/C2026/records"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_units_are_the_tokens_subtree_paged_and_filtered(client, seeded):
    token = seeded["token"]
    body = get(client, token, UNITS).get_json()
    assert [u["code"] for u in body["items"]] == ["D", "D1", "D1A"]
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 50
    assert body["items"][0]["parent_code"] is None  # P lies outside the scope
    assert body["items"][1]["parent_code"] == "D"
    first = get(client, token, UNITS, per_page=2).get_json()
    assert [u["code"] for u in first["items"]] == ["D", "D1"]
    assert first["next"].startswith("http://localhost/api/v1/units?")
    assert "page=2" in first["next"] and first["previous"] is None
    second = client.get(first["next"], headers={"Authorization": f"Bearer {token}"})
    assert [u["code"] for u in second.get_json()["items"]] == ["D1A"]
    assert second.get_json()["next"] is None and second.get_json()["previous"]
    children = get(client, token, UNITS, parent="D").get_json()["items"]
    assert [u["code"] for u in children] == ["D1"]
    teams = get(client, token, UNITS, kind="team").get_json()["items"]
    assert [u["code"] for u in teams] == ["D1A"]
    assert get(client, token, UNITS, active="false").get_json()["total"] == 0
    assert get(client, token, f"{UNITS}/D1A").get_json()["name"] == "Tổ Đào tạo"
    for code in ("C", "C1", "P", "NOPE"):
        _error(get(client, token, f"{UNITS}/{code}"), 404, "not_found")
        _error(get(client, token, UNITS, parent=code), 404, "not_found")
    c_units = get(client, seeded["c_token"], UNITS).get_json()["items"]
    assert "D" not in {u["code"] for u in c_units} and c_units[0]["code"] == "C"


def test_cadres_are_those_of_the_subtree(client, seeded):
    token = seeded["token"]
    body = get(client, token, CADRES).get_json()
    names = {c["full_name"] for c in body["items"]}
    assert body["total"] == 3 and len(names) == 3
    assert "out" not in str(body) and "Đỗ Văn Sự" not in names  # C1 and P
    hoa = next(c for c in body["items"] if c["employee_code"] == "H1")
    assert hoa["unit"] == {"code": "D", "name": "Sở Nội vụ"}
    assert get(client, token, CADRES, unit="D1").get_json()["total"] == 2
    assert get(client, token, CADRES, q="nguyen van").get_json()["total"] == 1
    assert get(client, token, CADRES, q="H1").get_json()["total"] == 1
    assert get(client, token, CADRES, active="false").get_json()["total"] == 0
    _error(get(client, token, CADRES, unit="C"), 404, "not_found")
    assert get(client, token, f"{CADRES}/H1").get_json()["id"] == hoa["id"]
    assert get(client, token, f"{CADRES}/{hoa['id']}").get_json()["employee_code"]
    c_cadres = get(client, seeded["c_token"], CADRES).get_json()["items"]
    assert len(c_cadres) == 1 and c_cadres[0]["unit"]["code"] == "C1"
    out_id = c_cadres[0]["id"]
    _error(get(client, token, f"{CADRES}/{out_id}"), 404, "not_found")
    _error(get(client, token, f"{CADRES}/99999999999999"), 404, "not_found")


def test_certificates_are_those_of_the_subtree(client, seeded):
    token, d_serial, c_serial = seeded["token"], seeded["d_serial"], seeded["c_serial"]
    body = get(client, token, CERTIFICATES).get_json()
    assert [c["serial"] for c in body["items"]] == [d_serial]
    cert = body["items"][0]
    assert cert["holder"]["full_name"] == "Nguyễn Văn An" and cert["valid"] is True
    assert cert["unit"]["code"] == "D1A" and cert["campaign"]["code"] == "C2026"
    assert cert["passed_at"] == "2026-03-06T01:30:00+07:00"
    assert get(client, token, f"{CERTIFICATES}/{d_serial}").get_json() == cert
    _error(get(client, token, f"{CERTIFICATES}/{c_serial}"), 404, "not_found")
    assert get(client, token, CERTIFICATES, campaign="NOPE").get_json()["total"] == 0
    assert get(client, token, CERTIFICATES, unit="D1A").get_json()["total"] == 1
    assert get(client, token, CERTIFICATES, valid="false").get_json()["total"] == 0
    _error(get(client, token, CERTIFICATES, unit="C1"), 404, "not_found")
    c_body = get(client, seeded["c_token"], CERTIFICATES).get_json()
    assert [c["serial"] for c in c_body["items"]] == [c_serial]


@pytest.mark.parametrize("url", [UNITS, CADRES, CERTIFICATES, RECORDS])
@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": str(2**31)},
        {"page": "9" * 40},
        {"per_page": "0"},
        {"per_page": "1001"},
        {"per_page": "x"},
        {"unit": "D\x00"},
        {"unit": "x" * 41},
    ],
)
def test_bad_parameters_are_400_with_an_error_body(client, seeded, url, query):
    if url == UNITS and "unit" in query:  # the units' filter is their parent
        query = {"parent": query["unit"]}
    error = _error(get(client, seeded["token"], url, **query), 400, "bad_request")
    assert next(iter(query)) in error["message"]


def test_per_page_is_bounded_to_100_on_the_lists(client, seeded):
    for url in (UNITS, CADRES, CERTIFICATES):
        _error(get(client, seeded["token"], url, per_page="101"), 400, "bad_request")
        assert get(client, seeded["token"], url, per_page="100").status_code == 200
    big = get(client, seeded["token"], UNITS, page=str(2**31 - 1)).get_json()
    assert big["items"] == [] and big["total"] == 3


def test_missing_and_bad_tokens_get_401_everywhere(client, seeded):
    for url in (UNITS, f"{UNITS}/D", CADRES, CERTIFICATES, RECORDS):
        for token in (None, "x" * 43, seeded["token"][:8] + "y" * 35):
            response = get(client, token, url)
            _error(response, 401, "unauthorized")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_paths_and_methods_under_the_api_answer_json(client, seeded):
    _error(get(client, seeded["token"], "/api/v1/nope"), 404, "not_found")
    response = client.post(UNITS, headers={"Authorization": "Bearer x"})
    _error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_a_campaign_outside_the_tokens_scope_is_not_found(client, seeded):
    """C2026 is for department D: a token of commune C learns nothing of it, not
    even its title, and gets the answer an unknown campaign gets."""
    outside = get(client, seeded["c_token"], RECORDS)
    unknown = get(client, seeded["c_token"], "/api/v1/campaigns/NOPE/records")
    assert outside.status_code == unknown.status_code == 404
    assert "C2026" in outside.get_data(as_text=True)  # the code asked, echoed
    assert "Bồi dưỡng" not in outside.get_data(as_text=True)
    assert get(client, seeded["token"], RECORDS).status_code == 200


@pytest.mark.parametrize(
    ("url", "query", "said"),
    [
        (UNITS, {"page": "abc"}, "page: Không phải một số nguyên."),
        (UNITS, {"per_page": "101"}, "per_page: Phải từ 1 đến 100."),
        (UNITS, {"kind": "x"}, "kind: Phải là một trong: "),
        (UNITS, {"active": "maybe"}, "active: Phải là true hoặc false."),
        (UNITS, {"pgae": "2"}, "pgae: Không có tham số này."),
        (CADRES, {"q": "x" * 101}, "q: Phải dài từ 1 đến 100 ký tự."),
        (CADRES, {"unit": "D\x01"}, "unit: Không được chứa ký tự điều khiển."),
    ],
)
def test_bad_parameters_are_explained_in_vietnamese(client, seeded, url, query, said):
    error = _error(get(client, seeded["token"], url, **query), 400, "bad_request")
    assert said in error["message"], error["message"]
    assert "Not a valid" not in error["message"]


def test_a_page_past_the_end_links_back_to_the_last_page(client, seeded):
    body = get(client, seeded["token"], UNITS, per_page=2, page=9).get_json()
    assert body["items"] == [] and body["next"] is None
    assert "page=2" in body["previous"]
