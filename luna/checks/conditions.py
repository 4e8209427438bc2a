"""Conditions on an HTTP response body: `body-contains` and a `json` path with its expected value."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import httpx

from luna.checks.result import CheckResult, ErrorClass, Status
from luna.gotemplate import gjson

# Bodies are read at most this far; a condition not met by then fails.
MAX_BODY_BYTES = 1024 * 1024
MISSING = object()


@dataclass(frozen=True)
class BodyConditions:
    body_contains: str | None = None
    # A GJSON path (https://github.com/tidwall/gjson/blob/master/SYNTAX.md).
    json_path: str | None = None
    # The value expected at `json_path`; MISSING means the path only has to exist.
    json_value: Any = MISSING

    @property
    def active(self) -> bool:
        return self.body_contains is not None or self.json_path is not None

    @property
    def needs_whole_body(self) -> bool:
        return self.json_path is not None


async def judge_body(result: CheckResult, response: httpx.Response, conditions: BodyConditions) -> CheckResult:
    """Read the body as far as the conditions need and mark the result down when one fails."""

    body, complete = await read_body(response, conditions)
    failure = body_failure(body, complete, conditions)
    if failure is None:
        return result
    return dataclasses.replace(result, status=Status.DOWN, error=failure, error_class=ErrorClass.CONDITION, label="Down")


async def read_body(response: httpx.Response, conditions: BodyConditions) -> tuple[bytes, bool]:
    """Read until the text sought appears, the body ends, or `MAX_BODY_BYTES`; return it and whether it ended."""

    wanted = conditions.body_contains.encode() if conditions.body_contains is not None else None
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= MAX_BODY_BYTES:
            return bytes(body[:MAX_BODY_BYTES]), False
        if wanted is not None and not conditions.needs_whole_body and wanted in body:
            return bytes(body), False
    return bytes(body), True


def body_failure(body: bytes, complete: bool, conditions: BodyConditions) -> str | None:
    limit = "" if complete else f" (in the first {MAX_BODY_BYTES // 1024} KiB)"
    if conditions.body_contains is not None and conditions.body_contains.encode() not in body:
        return f'the response does not contain "{conditions.body_contains}"{limit}'
    if conditions.json_path is not None:
        return json_failure(body, complete, conditions)
    return None


def json_failure(body: bytes, complete: bool, conditions: BodyConditions) -> str | None:
    path = conditions.json_path
    if not complete:
        return f"the response is larger than {MAX_BODY_BYTES // 1024} KiB, too large to read the JSON path {path}"
    try:
        document = json.loads(body)
    except ValueError:
        return f"the response is not JSON, so the path {path} cannot be read"

    result = gjson.get(document, path)
    if not result.exists:
        return f"the JSON path {path} is not in the response"
    found = json.loads(result.raw())

    if conditions.json_value is MISSING or values_match(found, conditions.json_value):
        return None
    return f"{path} is {json.dumps(found)[:80]}, expected {json.dumps(conditions.json_value)[:80]}"


def values_match(found: Any, expected: Any) -> bool:
    """Compare a JSON value with the YAML one; `"200"` in YAML also matches the number 200."""

    # True == 1 in Python, but a JSON true is not the number 1.
    if isinstance(found, bool) != isinstance(expected, bool):
        return False
    if found == expected:
        return True
    if isinstance(expected, str) and isinstance(found, (int, float)):
        return expected == json.dumps(found)
    return False
