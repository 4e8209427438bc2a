"""Password hashing with bcrypt, the rules for user names and passwords, and checking a login.

Glance writes bcrypt hashes (`$2a$10$…`, Go's default cost) and so does
`luna password hash`; both load as `password-hash`. A plain `password` in the
file is hashed once per process when the configuration is loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import bcrypt

logger = logging.getLogger(__name__)

# bcrypt's own default. About 0.25 s per check on one core of a 2020s x86
# server: slow for a guesser, unnoticed by a person logging in.
DEFAULT_ROUNDS = 12
MIN_ROUNDS = 4
# bcrypt reads only this many bytes of a password; the library raises beyond it.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_LENGTH = 6
MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 50

BCRYPT_HASH = re.compile(r"^\$2[aby]\$(?P<rounds>\d\d)\$[./A-Za-z0-9]{53}$")

# Plain passwords from the file, hashed once per process, so a reload that
# keeps them costs no bcrypt work and keeps their sessions.
_plain_hashes: dict[tuple[str, int], bytes] = {}
# One dummy hash per cost, checked for unknown users.
_dummy_hashes: dict[int, bytes] = {}


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """Return the bcrypt hash of a password; raise ValueError when the password breaks the rules."""

    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def password_problem(password: str) -> str | None:
    """Say what is wrong with a password for the file or `luna password hash`, or return None."""

    if not password.strip():
        return "the password is empty"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password is too short; use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return (
            f"the password is {len(password.encode())} bytes long in UTF-8; bcrypt reads at most "
            f"{MAX_PASSWORD_BYTES}, so use a shorter one"
        )
    return None


def hash_problem(text: str) -> str | None:
    """Say what is wrong with a `password-hash` value, or return None for a usable bcrypt hash."""

    if text.startswith("$argon2"):
        return "argon2 hashes are not supported; make a bcrypt hash with `luna password hash`"
    match = BCRYPT_HASH.match(text)
    if match is None:
        return (
            "the value is not a bcrypt hash (60 characters starting with $2a$, $2b$ or $2y$); "
            "make one with `luna password hash`, or use `password:` for a plain password"
        )
    if not MIN_ROUNDS <= int(match["rounds"]) <= 31:
        return f"the bcrypt cost {match['rounds']} is outside 04 to 31; make a new hash with `luna password hash`"
    return None


def username_problem(name: str) -> str | None:
    """Say what is wrong with a user name, or return None."""

    if len(name) < MIN_USERNAME_LENGTH:
        return f'the user name "{name}" is too short; use at least {MIN_USERNAME_LENGTH} characters'
    if len(name) > MAX_USERNAME_LENGTH:
        return f"the user name is {len(name)} characters long; use at most {MAX_USERNAME_LENGTH}"
    if any(character.isspace() or not character.isprintable() for character in name):
        return f'the user name "{name}" contains spaces or control characters; use letters, digits and punctuation'
    return None


def bcrypt_rounds(hashed: bytes) -> int:
    return int(hashed[4:6])


@dataclass(frozen=True)
class Account:
    """One configured user: the bcrypt hash to check and the credential as the file gives it."""

    name: str
    hashed: bytes
    # The `password` or `password-hash` text from the file. Sessions carry a
    # keyed digest of it, so changing it in the file ends them.
    credential: str


class PasswordBook:
    """The users of one configuration, checked so an unknown name costs the same bcrypt work as a known one."""

    def __init__(self, accounts: Mapping[str, Account]) -> None:
        self.accounts = dict(accounts)
        rounds = max((bcrypt_rounds(account.hashed) for account in self.accounts.values()), default=DEFAULT_ROUNDS)
        self.dummy = _dummy_hash(rounds)

    def verify(self, name: str, password: str) -> Account | None:
        """Return the account when the password is its own; one bcrypt check either way."""

        account = self.accounts.get(name)
        hashed = account.hashed if account is not None else self.dummy
        candidate = password.encode()
        if len(candidate) > MAX_PASSWORD_BYTES:
            # No stored password is this long; spend the same time and fail.
            bcrypt.checkpw(b"-", hashed)
            return None

        matches = bcrypt.checkpw(candidate, hashed)
        return account if matches and account is not None else None

    def fingerprint(self, key: bytes, name: str) -> str | None:
        """Return a digest that changes when the user's credential or the key changes; None for no such user."""

        account = self.accounts.get(name)
        if account is None:
            return None
        message = f"{account.name}\0{account.credential}".encode()
        return hmac.new(key, b"luna credential\0" + message, hashlib.sha256).hexdigest()[:32]


def plain_password_rounds(password_hashes: Iterable[str]) -> int:
    """The bcrypt cost for plain passwords: the highest cost among the file's hashes, else the default.

    A plain password hashed at another cost would make a wrong password take
    longer for one user than for another, or than for an unknown name. The
    dummy hash exists to hide exactly that difference.
    """

    return max((bcrypt_rounds(text.encode()) for text in password_hashes), default=DEFAULT_ROUNDS)


def account_from_config(
    name: str, password: str | None, password_hash: str | None, rounds: int | None = None
) -> Account:
    """Build an account from a user's `password` or `password-hash`, hashing a plain password once per process."""

    if password_hash is not None:
        return Account(name, password_hash.encode(), password_hash)
    if password is None:
        raise ValueError(f"user {name!r} has neither password nor password-hash")

    logger.warning(
        "auth.users.%s has a plain `password`; store its hash instead: run `luna password hash` "
        "and write the output as `password-hash:`",
        name,
    )
    rounds = rounds if rounds is not None else DEFAULT_ROUNDS
    hashed = _plain_hashes.get((password, rounds))
    if hashed is None:
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds))
        _plain_hashes[(password, rounds)] = hashed
    return Account(name, hashed, password)


def _dummy_hash(rounds: int) -> bytes:
    hashed = _dummy_hashes.get(rounds)
    if hashed is None:
        hashed = bcrypt.hashpw(b"luna dummy password", bcrypt.gensalt(rounds))
        _dummy_hashes[rounds] = hashed
    return hashed
