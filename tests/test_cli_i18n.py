"""The `flask …` commands speak the platform's default language
(BABEL_DEFAULT_LOCALE): Vietnamese as configured, English when it is "en"."""

import pytest

VI = {"BABEL_DEFAULT_LOCALE": "vi"}
EN = {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.mark.parametrize(
    ("config_overrides", "expected"),
    [
        (VI, "Đã xoá 0 kết quả hết hạn.\n"),
        (EN, "Removed 0 expired results.\n"),
    ],
)
def test_a_command_prints_in_the_default_language(runner, expected):
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output == expected


@pytest.mark.parametrize(
    ("config_overrides", "expected"),
    [
        (VI, "Error: Cho đúng một trong hai: --round hoặc --contest."),
        (EN, "Error: Give exactly one of --round or --contest."),
    ],
)
def test_a_usage_error_is_in_the_default_language(runner, expected):
    result = runner.invoke(args=["contests", "rank"])
    assert result.exit_code == 2
    assert expected in result.output


@pytest.mark.parametrize(
    ("config_overrides", "expected"),
    [
        (VI, "Chưa có mã truy cập nào.\n"),
        (EN, "No access tokens yet.\n"),
    ],
)
def test_an_empty_list_says_so_in_the_default_language(runner, expected):
    result = runner.invoke(args=["api-tokens", "list"])
    assert result.exit_code == 0, result.output
    assert result.output == expected
