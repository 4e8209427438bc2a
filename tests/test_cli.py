"""The `luna` command: `config validate`, `config print`, `secret make`, `password hash`, `sensors print`,
`mountpoints print`, their colon spellings and `--version`."""

from __future__ import annotations

import base64
import getpass
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest

from luna import __version__
from luna.cli import main
from tests.config.support import MINIMAL_PAGES, write_file
from tests.support.mounts import inject_mounts

BROKEN = """
port: 8080
pages:
  - name: Home
    path: home.yml
    columns:
      - size: full
        widgets:
          - type: monitors
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run each command in an empty folder, and undo what its `.env` adds to the environment."""

    monkeypatch.chdir(tmp_path)
    for name in ("LUNA_CONFIG", "PORT", "NAS_HOST"):
        monkeypatch.delenv(name, raising=False)

    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(arguments)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", [["config", "validate"], ["config:validate"]])
def test_validate_valid_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    write_file(tmp_path, "luna.yml", MINIMAL_PAGES)

    code, out, err = run(command, capsys)

    assert code == 0
    assert out == ""
    assert err == ""


@pytest.mark.parametrize("command", [["config", "validate"], ["config:validate"]])
def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    write_file(tmp_path, "luna.yml", BROKEN)

    code, out, _ = run(command, capsys)

    assert code == 1
    assert out.splitlines() == [
        'luna.yml:1:1: port: unknown key "port"; did you mean `server.port`? Write it as `server: {port: 8080}`',
        'luna.yml:4:5: pages[0].path: unknown key "path"; to take a page from another file, '
        'list it as `- $include: home.yml` under `pages:` (in page "Home")',
        'luna.yml:8:19: pages[0].columns[0].widgets[0].type: unknown widget type "monitors"; '
        'did you mean "monitor"? (in page "Home")',
    ]


def test_validate_problem_in_included_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_file(
        tmp_path,
        "luna.yml",
        """
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - type: monitor
                    sites:
                      - $include: sites/qb.yml
        """,
    )
    write_file(tmp_path, "sites/qb.yml", "- url: http://${QB_HOST}:8080\n")

    code, out, _ = run(["config", "validate"], capsys)

    assert code == 1
    assert out.startswith("sites/qb.yml:1:15: environment variable QB_HOST is not set")


def test_validate_named_config_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_file(tmp_path, "conf/dashboard.yml", BROKEN)

    code, out, _ = run(["config", "validate", "--config", "conf/dashboard.yml"], capsys)

    assert code == 1
    assert out.splitlines()[0].startswith("conf/dashboard.yml:1:1: port:")


def test_validate_config_from_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file(tmp_path, "elsewhere.yml", MINIMAL_PAGES)
    monkeypatch.setenv("LUNA_CONFIG", "elsewhere.yml")

    code, out, err = run(["config:validate"], capsys)

    assert (code, out, err) == (0, "", "")


def test_validate_without_config_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["config", "validate"], capsys)

    assert code == 1
    assert out == ""
    assert err == "luna: no configuration file: give --config PATH, set LUNA_CONFIG, or create luna.yml here\n"


def test_validate_reads_dotenv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_file(tmp_path, "luna.yml", "server:\n  port: ${PORT}\n" + MINIMAL_PAGES)
    write_file(tmp_path, ".env", "PORT=9000\n")

    code, out, _ = run(["config", "validate"], capsys)

    assert code == 0
    assert out == ""


PRINTABLE = """
server:
  port: ${PORT}
pages:
  - $include: home.yml
"""

PRINTABLE_HOME = """
- name: Home
  columns:
    - size: full
      widgets:
        - type: monitor
          sites:
            - url: http://${NAS_HOST}/
              basic-auth:
                username: admin
                password: hunter22
"""


@pytest.mark.parametrize("command", [["config", "print"], ["config:print"]])
def test_print_resolves_and_redacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    write_file(tmp_path, "luna.yml", PRINTABLE)
    write_file(tmp_path, "home.yml", PRINTABLE_HOME)
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("NAS_HOST", "nas.local")

    code, out, err = run(command, capsys)

    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "server:",
        "  port: 9000",
        "pages:",
        "  - name: Home",
        "    columns:",
        "      - size: full",
        "        widgets:",
        "          - type: monitor",
        "            sites:",
        "              - url: http://nas.local/",
        "                basic-auth:",
        "                  username: admin",
        "                  password: ***",
    ]


def test_print_prefers_environment_over_dotenv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file(tmp_path, "luna.yml", PRINTABLE)
    write_file(tmp_path, "home.yml", PRINTABLE_HOME)
    write_file(tmp_path, ".env", "PORT=9000\nNAS_HOST=from-dotenv.local\n")
    monkeypatch.setenv("PORT", "7000")

    code, out, _ = run(["config", "print"], capsys)

    assert code == 0
    assert "  port: 7000" in out.splitlines()
    assert "              - url: http://from-dotenv.local/" in out.splitlines()


def test_print_problems_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_file(tmp_path, "luna.yml", PRINTABLE)
    write_file(tmp_path, "home.yml", PRINTABLE_HOME)

    code, out, err = run(["config", "print"], capsys)

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "home.yml:7:27: environment variable NAS_HOST is not set (used as ${NAS_HOST}); set it in the environment "
        "or in a .env file in the working folder, or write \\${NAS_HOST} to keep the text as it is",
        "luna.yml:2:9: environment variable PORT is not set (used as ${PORT}); set it in the environment "
        "or in a .env file in the working folder, or write \\${PORT} to keep the text as it is",
    ]


@pytest.mark.parametrize("flag", ["--version", "-v"])
def test_version_flag_prints_version(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main([flag])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"luna {__version__}\n"


def test_version_command_prints_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["version"], capsys)

    assert code == 0
    assert out == f"luna {__version__}\n"


def test_module_entry_point_validates(tmp_path: Path) -> None:
    write_file(tmp_path, "luna.yml", BROKEN)
    environ = {name: value for name, value in os.environ.items() if name != "LUNA_CONFIG"}

    result = subprocess.run(
        [sys.executable, "-m", "luna", "config:validate"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith('luna.yml:1:1: port: unknown key "port"')
    assert len(result.stdout.splitlines()) == 3


@pytest.mark.parametrize("command", [["secret", "make"], ["secret:make"]])
def test_secret_make_prints_key(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(command, capsys)

    assert code == 0
    assert len(base64.b64decode(out.strip(), validate=True)) == 64


def test_secret_make_differs_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(["secret", "make"], capsys)
    _, second, _ = run(["secret", "make"], capsys)

    assert first != second


@pytest.mark.parametrize("command", [["password", "hash"], ["password:hash"]])
def test_password_hash_from_argument(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run([*command, "--rounds", "4", "hunter22"], capsys)

    assert code == 0
    assert bcrypt.checkpw(b"hunter22", out.strip().encode())


def test_password_hash_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("pass word with spaces\n"))

    code, out, _ = run(["password", "hash", "--rounds", "4"], capsys)

    assert code == 0
    assert bcrypt.checkpw(b"pass word with spaces", out.strip().encode())


def test_password_hash_default_cost(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["password", "hash", "hunter22"], capsys)

    assert code == 0
    assert out.startswith("$2b$12$")


def test_password_hash_rejects_short(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["password", "hash", "abc"], capsys)

    assert code == 1
    assert out == ""
    assert err == "luna: the password is too short; use at least 6 characters\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def answer_prompts(monkeypatch: pytest.MonkeyPatch, *answers: str | type[BaseException]) -> None:
    """Stand in for the terminal: each prompt gets the next answer, or raises it when it is an exception."""

    remaining = list(answers)

    def prompt(_text: str) -> str:
        answer = remaining.pop(0)
        if isinstance(answer, type):
            raise answer
        return answer

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", prompt)


def test_password_prompt_asks_twice(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    answer_prompts(monkeypatch, "hunter22", "hunter22")

    code, out, _ = run(["password", "hash", "--rounds", "4"], capsys)

    assert code == 0
    assert bcrypt.checkpw(b"hunter22", out.strip().encode())


def test_password_prompt_mismatch_hashes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_prompts(monkeypatch, "hunter22", "hunter23")

    code, out, err = run(["password", "hash", "--rounds", "4"], capsys)

    assert code == 1
    assert out == ""
    assert err == "luna: the two passwords differ; nothing was hashed, so run the command again\n"


@pytest.mark.parametrize("give_up", [EOFError, KeyboardInterrupt])
def test_password_prompt_cancel_exits_quietly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, give_up: type[BaseException]
) -> None:
    answer_prompts(monkeypatch, give_up)

    code, out, err = run(["password", "hash"], capsys)

    assert code == 1
    assert out == ""
    assert err == "\nluna: cancelled; nothing was hashed\n"


def test_password_hash_rejects_empty_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    code, _, err = run(["password", "hash"], capsys)

    assert code == 1
    assert err == "luna: no password given: pass it as an argument or on standard input\n"


def test_validate_catches_bad_secret_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "auth:\n  secret-key: c2hvcnQ=\n  users:\n    admin:\n      password: hunter22\n" + MINIMAL_PAGES.lstrip("\n")
    write_file(tmp_path, "luna.yml", text)

    code, out, _ = run(["config", "validate"], capsys)

    assert code == 1
    assert out == (
        "luna.yml:2:15: auth.secret-key: the secret key decodes to 5 bytes; it needs at least 32, "
        "so make a new one with `luna secret make`\n"
    )


def fake_sensors(monkeypatch: pytest.MonkeyPatch, chips: dict[str, list[tuple[str, float]]]) -> None:
    from collections import namedtuple

    import psutil

    temperature = namedtuple("temperature", "label current high critical")
    readings = {chip: [temperature(label, value, None, None) for label, value in entries] for chip, entries in chips.items()}
    monkeypatch.setattr(psutil, "sensors_temperatures", lambda: readings, raising=False)


@pytest.mark.parametrize("command", [["sensors", "print"], ["sensors:print"]])
def test_sensors_printed_as_keys(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    fake_sensors(monkeypatch, {"nvme": [("Composite", 36.9)], "k10temp": [("Tctl", 51.2)]})

    code, out, err = run(command, capsys)

    assert code == 0
    assert out.splitlines() == [
        "nvme_composite: 37°C",
        "k10temp_tctl: 51°C  (server-stats uses it when cpu-temp-sensor is not set)",
    ]
    assert err == ""


def test_no_sensors_explained(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake_sensors(monkeypatch, {})

    code, out, err = run(["sensors", "print"], capsys)

    assert code == 0
    assert out == ""
    assert err.startswith("luna: no temperature sensors found")


@pytest.mark.parametrize("command", [["mountpoints", "print"], ["mountpoints:print"]])
def test_mountpoints_list_root(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(command, capsys)

    assert code == 0
    assert "/" in [line.split("  ")[0] for line in out.splitlines()]


@pytest.mark.parametrize("command", [["mountpoints", "print", "/"], ["mountpoint:info", "/"]])
def test_mountpoint_info_for_path(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(command, capsys)

    assert code == 0
    assert out.startswith("/  ")
    assert out.rstrip().endswith("%)")


def test_mountpoint_info_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent"

    code, out, err = run(["mountpoint:info", str(missing)], capsys)

    assert code == 1
    assert out == ""
    assert err == f"luna: cannot read the file system of {missing}: No such file or directory\n"


def test_mountpoint_info_names_device(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    inject_mounts(monkeypatch)

    code, out, err = run(["mountpoints", "print", "/boot/efi"], capsys)

    assert code == 0
    assert out == "/boot/efi  /dev/sda1 vfat  40 GB of 100 GB used (40%)\n"
    assert err == ""


def test_mountpoint_info_rejects_unusable_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inject_mounts(monkeypatch)

    code, out, err = run(["mountpoints", "print", str(tmp_path), "/dev/shm", "/"], capsys)

    assert code == 1
    assert out == "/  /dev/sda2 ext4  40 GB of 100 GB used (40%)\n"
    assert err.splitlines() == [
        f"luna: {tmp_path}: not a mount point; its file system is mounted at /",
        "luna: /dev/shm: a tmpfs file system, which server-stats leaves out because it is virtual, not a disk",
    ]


def test_mountpoint_info_unreadable_mountpoint(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    inject_mounts(monkeypatch, unreadable={"/boot/efi"})

    code, out, err = run(["mountpoints", "print", "/boot/efi"], capsys)

    assert code == 1
    assert out == ""
    assert err == "luna: cannot read the file system of /boot/efi: Permission denied\n"
