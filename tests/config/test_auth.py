"""The `auth` section and `server.trusted-proxies`: what loads, and every problem with its position."""

from __future__ import annotations

import base64
import ipaddress
from pathlib import Path

import bcrypt
import pytest

from luna.config.loader import print_config_text
from luna.config.models import DEFAULT_TRUSTED_PROXIES
from tests.config.support import MINIMAL_PAGES, load, only_problem, problems_of, where, write_file

GLANCE_KEY = base64.b64encode(bytes(range(64))).decode()
# Go's bcrypt writes the $2a$ prefix; cost 4 keeps the test fast.
GLANCE_HASH = "$2a$" + bcrypt.hashpw(b"hunter22", bcrypt.gensalt(4)).decode()[4:]


def auth_file(folder: Path, auth: str, server: str = "") -> Path:
    """Write a configuration with the given `auth:` body (indented two spaces) and the minimal page."""

    server_part = f"server:\n{server}" if server else ""
    return write_file(folder, "luna.yml", server_part + "auth:\n" + auth + MINIMAL_PAGES.lstrip("\n"))


def test_glance_key_and_hash_load(tmp_path: Path) -> None:
    path = auth_file(tmp_path, f'  secret-key: {GLANCE_KEY}\n  users:\n    admin:\n      password-hash: "{GLANCE_HASH}"\n')

    auth = load(path).config.auth

    assert auth.enabled
    assert auth.key_bytes == bytes(range(64))
    assert auth.users["admin"].password_hash == GLANCE_HASH


def test_url_safe_key_loads(tmp_path: Path) -> None:
    key = base64.urlsafe_b64encode(bytes([251] * 48)).decode().rstrip("=")
    path = auth_file(tmp_path, f"  secret-key: {key}\n  users:\n    admin:\n      password: hunter22\n")

    auth = load(path).config.auth

    assert auth.key_bytes == bytes([251] * 48)


def test_no_auth_section_means_open(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", MINIMAL_PAGES)

    auth = load(path).config.auth

    assert not auth.enabled
    assert auth.login_limit.failures == 5
    assert auth.login_limit.window == 300.0


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("c2hvcnQ=", "the secret key decodes to 5 bytes; it needs at least 32, so make a new one with `luna secret make`"),
        ("not base64!", "the secret key is not base64 text; make one with `luna secret make`"),
        ('""', "`auth.users` needs `secret-key` to sign sessions; make one with `luna secret make`"),
    ],
    ids=["too short", "not base64", "empty"],
)
def test_bad_secret_key_located(tmp_path: Path, key: str, message: str) -> None:
    path = auth_file(tmp_path, f"  secret-key: {key}\n  users:\n    admin:\n      password: hunter22\n")

    problem = only_problem(path)

    assert problem.message == message
    assert where(problem)[:2] == ("luna.yml", 2)


def test_users_without_key_rejected(tmp_path: Path) -> None:
    path = auth_file(tmp_path, "  users:\n    admin:\n      password: hunter22\n")

    problem = only_problem(path)

    assert problem.message == "`auth.users` needs `secret-key` to sign sessions; make one with `luna secret make`"
    assert problem.key_path == "auth"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("al", 'the user name "al" is too short; use at least 3 characters'),
        ("a" * 51, "the user name is 51 characters long; use at most 50"),
        ('"al ice"', 'the user name "al ice" contains spaces or control characters; use letters, digits and punctuation'),
    ],
    ids=["short", "long", "space"],
)
def test_bad_user_name_located(tmp_path: Path, name: str, message: str) -> None:
    path = auth_file(tmp_path, f"  secret-key: {GLANCE_KEY}\n  users:\n    {name}:\n      password: hunter22\n")

    problem = only_problem(path)

    assert problem.message == message
    assert where(problem) == ("luna.yml", 4, 5)


@pytest.mark.parametrize(
    ("user", "line", "column", "message"),
    [
        ("password: short", 5, 17, "the password is too short; use at least 6 characters"),
        (
            "password: " + "é" * 40,
            5,
            17,
            "the password is 80 bytes long in UTF-8; bcrypt reads at most 72, so use a shorter one",
        ),
        (
            "password-hash: 5f4dcc3b5aa765d61d8327deb882cf99",
            5,
            22,
            "the value is not a bcrypt hash (60 characters starting with $2a$, $2b$ or $2y$); "
            "make one with `luna password hash`, or use `password:` for a plain password",
        ),
        (
            "password-hash: $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
            5,
            22,
            "argon2 hashes are not supported; make a bcrypt hash with `luna password hash`",
        ),
        (
            f"password: hunter22\n      password-hash: '{GLANCE_HASH}'",
            5,
            7,
            "the user has both `password` and `password-hash`; keep only `password-hash`",
        ),
        (
            "{}",
            4,
            12,
            "the user needs a `password-hash` (make one with `luna password hash`) or a `password`",
        ),
    ],
    ids=["short password", "long password", "md5 hash", "argon2 hash", "both", "neither"],
)
def test_bad_credential_located(tmp_path: Path, user: str, line: int, column: int, message: str) -> None:
    body = f"  secret-key: {GLANCE_KEY}\n  users:\n    admin:\n      {user}\n"
    if user == "{}":
        body = f"  secret-key: {GLANCE_KEY}\n  users:\n    admin: {{}}\n"
    path = auth_file(tmp_path, body)

    problem = only_problem(path)

    assert problem.message == message
    assert where(problem) == ("luna.yml", line, column)


def test_empty_user_explained(tmp_path: Path) -> None:
    path = auth_file(tmp_path, f"  secret-key: {GLANCE_KEY}\n  users:\n    admin:\n")

    problem = only_problem(path)

    assert problem.message == "the user needs a `password-hash` (make one with `luna password hash`) or a `password`"
    assert problem.key_path == "auth.users.admin"


def test_every_auth_problem_listed(tmp_path: Path) -> None:
    body = "  secret-key: c2hvcnQ=\n  users:\n    al:\n      password: hunter22\n    bob:\n      password: abc\n"
    path = auth_file(tmp_path, body)

    problems = problems_of(path)

    assert [problem.key_path for problem in problems] == ["auth.secret-key", "auth.users.al", "auth.users.bob.password"]


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("failures: 0", "must be at least 1"),
        ("window: 5", "a duration needs a unit: write 5ms, 5s, 5m or 5h"),
        ("window: soon", 'invalid duration "soon": use a number followed by ms, s, m, h or d, for example 30s or 5m'),
    ],
)
def test_bad_login_limit_located(tmp_path: Path, limit: str, message: str) -> None:
    body = f"  secret-key: {GLANCE_KEY}\n  login-limit:\n    {limit}\n  users:\n    admin:\n      password: hunter22\n"
    path = auth_file(tmp_path, body)

    problem = only_problem(path)

    assert problem.message == message
    assert where(problem)[:2] == ("luna.yml", 4)


def test_misspelt_auth_key_suggested(tmp_path: Path) -> None:
    path = auth_file(tmp_path, f"  secret-kee: {GLANCE_KEY}\n")

    problem = only_problem(path)

    assert problem.message == 'unknown key "secret-kee"; did you mean "secret-key"?'
    assert where(problem) == ("luna.yml", 2, 3)


def test_password_outside_user_explained(tmp_path: Path) -> None:
    path = auth_file(tmp_path, f"  secret-key: {GLANCE_KEY}\n  password: hunter22\n")

    problem = only_problem(path)

    assert problem.message == 'unknown key "password"; a password belongs to a user: `users: {NAME: {password-hash: ...}}`'


@pytest.mark.parametrize("slug", ["login", "logout"])
def test_login_slugs_reserved(tmp_path: Path, slug: str) -> None:
    path = write_file(tmp_path, "luna.yml", f"pages:\n  - name: Home\n    slug: {slug}\n    columns:\n      - size: full\n")

    problem = only_problem(path)

    assert problem.message.startswith(f'the slug "{slug}" is a path luna uses itself')
    assert where(problem) == ("luna.yml", 3, 11)


def test_trusted_proxies_default_private(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", MINIMAL_PAGES)

    proxies = load(path).config.server.trusted_proxies

    assert proxies == DEFAULT_TRUSTED_PROXIES
    assert ipaddress.ip_address("192.168.1.10") in proxies[4]


def test_trusted_proxies_read(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "server:\n  trusted-proxies: [203.0.113.7, 2001:db8::/32]\n" + MINIMAL_PAGES.lstrip("\n"))

    proxies = load(path).config.server.trusted_proxies

    assert [str(network) for network in proxies] == ["203.0.113.7/32", "2001:db8::/32"]


def test_bad_trusted_proxy_located(tmp_path: Path) -> None:
    text = "server:\n  trusted-proxies:\n    - 10.0.0.0/8\n    - proxy.lan\n" + MINIMAL_PAGES.lstrip("\n")
    path = write_file(tmp_path, "luna.yml", text)

    problem = only_problem(path)

    assert problem.message == (
        'invalid address or range "proxy.lan": write an IP address such as 10.0.0.2 or a range such as 10.0.0.0/8'
    )
    assert where(problem) == ("luna.yml", 4, 7)


def test_print_hides_credentials(tmp_path: Path) -> None:
    body = f'  secret-key: {GLANCE_KEY}\n  users:\n    admin:\n      password-hash: "{GLANCE_HASH}"\n    bob:\n      password: hunter22\n'
    path = auth_file(tmp_path, body)

    printed = print_config_text(path, environ={})

    assert "  secret-key: ***" in printed
    assert '      password-hash: ***' in printed
    assert "      password: ***" in printed
    assert GLANCE_HASH not in printed
