"""The `flask …` commands speak the platform's default language
(BABEL_DEFAULT_LOCALE): Vietnamese as configured, English when it is "en"."""

import click
import pytest
from flask_babel.speaklater import LazyString

VI = {"BABEL_DEFAULT_LOCALE": "vi"}
EN = {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.mark.parametrize(
    ("config_overrides", "expected"),
    [
        (VI, "Đã xóa 0 kết quả hết hạn.\n"),
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


# --- `--help`: every command's and option's text is Vietnamese, from the catalogue

VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")


def _ours(command) -> bool:
    """Whether a command is the app's own (its code under app/), not an extension's
    added to app.cli (Flask-Migrate's `flask db`, flask-smorest's `flask openapi`)."""
    if isinstance(command, click.Group):
        return any(_ours(c) for c in command.commands.values())
    return command.callback.__module__.startswith("app.")


def _commands(group, path=()):
    """(path, command) for the app's own commands and groups under `group`,
    recursively."""
    for name, command in sorted(group.commands.items()):
        if not _ours(command):
            continue
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _is_vietnamese(text) -> bool:
    return bool(VIETNAMESE & set(str(text).lower()))


def test_every_command_has_a_vietnamese_help_from_the_catalogue(app):
    commands = dict(_commands(app.cli))
    assert {("reports", "annual"), ("contests", "rank-due"), ("units", "merge")} <= set(
        commands
    )
    assert len([c for c in commands.values() if not isinstance(c, click.Group)]) >= 50
    for path, command in commands.items():
        # Lazy: read from the catalogue when shown, in the default language.
        assert isinstance(command.help, LazyString), path
        assert str(command.help).strip() and _is_vietnamese(command.help), path
        if command.short_help is not None:
            assert isinstance(command.short_help, LazyString), path
            assert _is_vietnamese(command.short_help), path


def test_every_option_of_a_command_has_a_vietnamese_help(app):
    for path, command in _commands(app.cli):
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and _is_vietnamese(param.help), (path, param.name)


@pytest.mark.parametrize("config_overrides", [VI])
def test_a_groups_help_lists_its_commands_in_vietnamese(runner):
    result = runner.invoke(args=["reports", "--help"])
    assert result.exit_code == 0, result.output
    assert "Xuất kết quả bồi dưỡng và báo cáo năm." in result.output
    assert "annual  Ghi báo cáo năm (theo từng đơn vị" in result.output
    assert "Write the" not in result.output
    result = runner.invoke(args=["reports", "annual", "--help"])
    assert "Ghi báo cáo năm (theo từng đơn vị" in result.output
    assert "Tệp ghi ra." in result.output
    assert "Write the annual report" not in result.output


# --- counts in thousands are written the language's way, as the pages write them


@pytest.mark.parametrize(
    ("config_overrides", "expected"),
    [
        (VI, "1.234 dòng: 1.234 tạo mới, 0 cập nhật"),
        (EN, "1,234 rows: 1,234 created, 0 updated"),
    ],
)
def test_a_count_in_thousands_has_the_languages_separator(
    app, runner, tmp_path, expected
):
    from tests.factories import make_tree

    with app.app_context():
        make_tree()
    lines = ["ma can bo,ho va ten"]
    lines += [f"Q{number},Nguyễn Văn An" for number in range(1234)]
    path = tmp_path / "cadres.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(
        args=["cadres", "import", str(path), "--unit", "D", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_the_content_summaries_write_counts_in_thousands_in_vietnamese(ctx):
    from app.content.export import ExportResult
    from app.content.sync_rules import SyncResult

    synced = SyncResult(unchanged=[f"Q{number}" for number in range(1234)])
    assert "0 tạo mới, 0 cập nhật, 1.234 không đổi" in synced.summary()
    assert "1.234 mục không đổi" in ExportResult(unchanged=1234).summary()
