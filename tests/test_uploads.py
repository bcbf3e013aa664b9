"""The one upload limit: UPLOAD_MAX_BYTES (env VHCV_UPLOAD_MAX_BYTES) and its reader."""

import pytest

from app import config, uploads


def test_the_limit_is_the_setting_with_a_10_mb_default(app):
    assert uploads.DEFAULT_MAX_BYTES == 10_000_000
    assert uploads.max_bytes({}) == 10_000_000
    assert uploads.max_bytes({"UPLOAD_MAX_BYTES": "2500"}) == 2500
    with app.app_context():
        app.config["UPLOAD_MAX_BYTES"] = 1234
        assert uploads.max_bytes() == 1234


@pytest.mark.parametrize("value", [0, -5, "0", True, "ten", None, 1.5j])
def test_a_limit_that_is_not_a_positive_number_is_refused(value):
    with pytest.raises((ValueError, TypeError)):
        uploads.max_bytes({"UPLOAD_MAX_BYTES": value})


def test_the_variable_or_its_former_name_or_the_default(monkeypatch):
    names = ("VHCV_UPLOAD_MAX_BYTES", "VHCV_CADRE_IMPORT_MAX_BYTES")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    assert config._env(*names, default="10000000") == "10000000"
    monkeypatch.setenv("VHCV_CADRE_IMPORT_MAX_BYTES", "3000000")
    assert config._env(*names, default="10000000") == "3000000"
    monkeypatch.setenv("VHCV_UPLOAD_MAX_BYTES", "")  # empty counts as unset
    assert config._env(*names, default="10000000") == "3000000"
    monkeypatch.setenv("VHCV_UPLOAD_MAX_BYTES", "4000000")
    assert config._env(*names, default="10000000") == "4000000"
    assert config.Config.UPLOAD_MAX_BYTES > 0


@pytest.mark.parametrize(
    ("size", "digits", "text"),
    [
        (0, 1, "0 kB"),
        (850_000, 1, "850 kB"),
        (1_000, 0, "1 kB"),
        (50_000_000, 1, "50,0 MB"),
        (10_000_000, 0, "10 MB"),
        (1_250_000, 2, "1,25 MB"),
    ],
)
def test_sizes_read_the_vietnamese_way(size, digits, text):
    assert uploads.megabytes(size, digits) == text


def test_sizes_follow_the_pages_language(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        assert uploads.megabytes(50_000_000) == "50.0 MB"
        assert uploads.megabytes(1_250_000, 2) == "1.25 MB"
        assert uploads.megabytes(850_000) == "850 kB"
