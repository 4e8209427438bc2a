"""Hot reload: each way an editor or a person changes the files is noticed and applied."""

from __future__ import annotations

import asyncio
import logging
import os
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from luna.clock import ManualClock
from luna.config.loader import LoadedConfig, load_config
from luna.config.watch import SETTLE_TIME, ConfigWatcher
from luna.dashboard import Dashboard
from luna.runtime import Runtime
from luna.server import Services, build_app
from tests.support.dashboards import running_dashboard, write_config
from tests.support.servers import serve_in_thread

MARKER = '<p id="marker">'


def page_config(text: str) -> str:
    """A one-page configuration whose only widget shows `text`."""

    return textwrap.dedent(f"""\
        pages:
          - name: Home
            columns:
              - size: full
                widgets:
                  - type: html
                    source: {MARKER}{text}</p>
        """)


# `widgets:` indented one space short, which YAML reports at line 5, column 8.
MISINDENTED = page_config("broken").replace("        widgets:", "       widgets:")

INCLUDING = """\
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          $include: widgets.yml
"""


def widgets_file(text: str) -> str:
    return f"- type: html\n  source: {MARKER}{text}</p>\n"


def save(path: Path, text: str) -> None:
    """Save the way many editors do: write a temporary file, then rename it over the original."""

    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def marker_of(page: str) -> str:
    start = page.index(MARKER) + len(MARKER)
    return page[start : page.index("</p>", start)]


@dataclass
class Reloading:
    """A started runtime on a ManualClock, a client for its app and a watcher on its file."""

    runtime: Runtime
    client: httpx.AsyncClient
    clock: ManualClock
    watcher: ConfigWatcher
    path: Path
    applied: list[Dashboard] = field(default_factory=list)

    async def check(self) -> bool:
        """Run one poll of the watcher, moving the clock through its wait for writes to settle."""

        return await self.clock.run_until_complete(self.watcher.check_once())

    async def marker(self) -> str:
        """Return the marker text of the page the app serves, as a browser would receive it."""

        return marker_of((await self.client.get("/")).text)


@asynccontextmanager
async def reloading(
    folder: Path,
    text: str,
    clock: ManualClock | None = None,
    load: Callable[[Path], LoadedConfig] | None = None,
) -> AsyncIterator[Reloading]:
    clock = clock or ManualClock()
    async with running_dashboard(folder, text, clock=clock) as (runtime, client):
        path = folder / "luna.yml"

        def reload() -> LoadedConfig:
            return load(path) if load else load_config(path, environ={})

        watcher = ConfigWatcher(runtime.dashboard.loaded, reload, runtime.apply, clock=clock)
        reloads = Reloading(runtime, client, clock, watcher, path)
        runtime.reload_listeners.append(lambda old, new: reloads.applied.append(new))
        yield reloads


async def test_editor_rename_save_applied(tmp_path: Path) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        inode_before = reloads.path.stat().st_ino
        save(reloads.path, page_config("two"))

        applied = await reloads.check()
        marker = await reloads.marker()

    assert reloads.path.stat().st_ino != inode_before
    assert applied
    assert marker == "two"
    assert reloads.applied == [reloads.runtime.dashboard]


async def test_deleted_then_recreated_file_applied(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        reloads.path.unlink()
        applied_while_missing = await reloads.check()
        marker_while_missing = await reloads.marker()
        reloads.path.write_text(page_config("two"), encoding="utf-8")

        applied = await reloads.check()
        marker = await reloads.marker()

    assert not applied_while_missing
    assert marker_while_missing == "one"
    assert f"configuration file not found: {reloads.path.resolve()}" in caplog.text
    assert applied
    assert marker == "two"


async def test_delete_and_recreate_between_polls_applied(tmp_path: Path) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        reloads.path.unlink()
        reloads.path.write_text(page_config("two"), encoding="utf-8")

        applied = await reloads.check()
        marker = await reloads.marker()

    assert applied
    assert marker == "two"


async def test_included_file_edit_applied(tmp_path: Path) -> None:
    included = tmp_path / "widgets.yml"
    included.write_text(widgets_file("one"), encoding="utf-8")
    async with reloading(tmp_path, INCLUDING) as reloads:
        marker_before = await reloads.marker()
        included.write_text(widgets_file("two"), encoding="utf-8")

        applied = await reloads.check()
        marker = await reloads.marker()

    assert marker_before == "one"
    assert applied
    assert marker == "two"


async def test_invalid_yaml_keeps_old_config(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        dashboard = reloads.runtime.dashboard
        save(reloads.path, MISINDENTED)

        applied = await reloads.check()
        marker = await reloads.marker()

        assert reloads.runtime.dashboard is dashboard
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert not applied
    assert marker == "one"
    assert len(errors) == 1
    assert f"{reloads.path.resolve()}:5:8: invalid YAML" in errors[0].getMessage()


async def test_valid_save_after_invalid_applied(tmp_path: Path) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        save(reloads.path, MISINDENTED)
        await reloads.check()
        save(reloads.path, page_config("two"))

        applied = await reloads.check()
        marker = await reloads.marker()

    assert applied
    assert marker == "two"
    assert len(reloads.applied) == 1


async def test_missing_include_applied_once_created(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    included = tmp_path / "widgets.yml"
    async with reloading(tmp_path, page_config("one")) as reloads:
        save(reloads.path, INCLUDING)
        applied_while_missing = await reloads.check()
        marker_while_missing = await reloads.marker()
        included.write_text(widgets_file("from the include"), encoding="utf-8")

        applied = await reloads.check()
        marker = await reloads.marker()

    assert not applied_while_missing
    assert marker_while_missing == "one"
    assert f"included file not found: {included.resolve()}" in caplog.text
    assert applied
    assert marker == "from the include"


async def test_touch_without_change_does_not_reload(tmp_path: Path) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        dashboard = reloads.runtime.dashboard
        modified = reloads.path.stat().st_mtime_ns
        os.utime(reloads.path, ns=(modified + 5_000_000_000, modified + 5_000_000_000))

        applied = await reloads.check()
        applied_again = await reloads.check()

        assert reloads.runtime.dashboard is dashboard
    assert reloads.path.stat().st_mtime_ns != modified
    assert not applied
    assert not applied_again
    assert reloads.applied == []


async def test_same_size_saves_within_one_tick_noticed(tmp_path: Path) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        reloads.path.write_text(page_config("two"), encoding="utf-8")
        await reloads.check()
        first = reloads.path.stat()
        # A second save in the same timestamp tick, with text of the same length.
        reloads.path.write_text(page_config("six"), encoding="utf-8")
        os.utime(reloads.path, ns=(first.st_atime_ns, first.st_mtime_ns))
        second = reloads.path.stat()

        applied = await reloads.check()
        marker = await reloads.marker()

    assert (second.st_size, second.st_mtime_ns, second.st_ino) == (first.st_size, first.st_mtime_ns, first.st_ino)
    assert applied
    assert marker == "six"


class EditingClock(ManualClock):
    """A ManualClock that makes the next queued edit when the watcher waits for writes to settle.

    Only that wait counts: the runtime's own sleepers (the event hub's pings)
    use the same clock.
    """

    def __init__(self) -> None:
        super().__init__()
        self.edits: list[Callable[[], object]] = []

    async def sleep(self, seconds: float) -> None:
        if self.edits and seconds == SETTLE_TIME:
            self.edits.pop(0)()
        await super().sleep(seconds)


async def test_change_during_settle_waits_for_next_poll(tmp_path: Path) -> None:
    clock = EditingClock()
    async with reloading(tmp_path, page_config("one"), clock=clock) as reloads:
        reloads.path.write_text(page_config("half"), encoding="utf-8")
        clock.edits.append(lambda: reloads.path.write_text(page_config("whole"), encoding="utf-8"))

        applied_mid_save = await reloads.check()
        marker_mid_save = await reloads.marker()
        applied = await reloads.check()
        marker = await reloads.marker()

    assert not applied_mid_save
    assert marker_mid_save == "one"
    assert applied
    assert marker == "whole"
    assert len(reloads.applied) == 1


async def test_save_during_load_noticed_next_poll(tmp_path: Path) -> None:
    saved_again: list[Path] = []

    def load_then_save_again(path: Path) -> LoadedConfig:
        loaded = load_config(path, environ={})
        if not saved_again:
            path.write_text(page_config("three"), encoding="utf-8")
            saved_again.append(path)
        return loaded

    async with reloading(tmp_path, page_config("one"), load=load_then_save_again) as reloads:
        save(reloads.path, page_config("two"))
        applied_first = await reloads.check()
        marker_first = await reloads.marker()

        applied = await reloads.check()
        marker = await reloads.marker()

    assert applied_first
    assert marker_first == "two"
    assert applied
    assert marker == "three"


async def test_failed_apply_retried_on_next_save(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with reloading(tmp_path, page_config("one")) as reloads:
        attempts: list[LoadedConfig] = []

        async def apply_failing_once(loaded: LoadedConfig) -> None:
            attempts.append(loaded)
            if len(attempts) == 1:
                raise RuntimeError("apply bug")
            await reloads.runtime.apply(loaded)

        reloads.watcher.apply = apply_failing_once
        save(reloads.path, page_config("two"))
        applied_first = await reloads.check()
        marker_first = await reloads.marker()
        # Saving the same text again changes only the timestamp.
        save(reloads.path, page_config("two"))

        applied = await reloads.check()
        marker = await reloads.marker()

    assert not applied_first
    assert marker_first == "one"
    assert "configuration change could not be applied" in caplog.text
    assert applied
    assert marker == "two"


async def wait_for_thread_event(event: threading.Event) -> bool:
    return await asyncio.to_thread(event.wait, 5)


def quick_watcher(
    loaded: LoadedConfig, load: Callable[[], LoadedConfig], applied: asyncio.Queue[LoadedConfig]
) -> ConfigWatcher:
    """A watcher on the system clock that polls every 10 ms, for tests of `run`."""

    return ConfigWatcher(loaded, load, applied.put, poll_interval=0.01, settle_time=0.01)


async def test_run_applies_saved_change(tmp_path: Path) -> None:
    path = write_config(tmp_path, page_config("one"))
    applied: asyncio.Queue[LoadedConfig] = asyncio.Queue()
    watcher = quick_watcher(load_config(path, environ={}), lambda: load_config(path, environ={}), applied)
    running = asyncio.create_task(watcher.run())

    save(path, page_config("two"))
    try:
        loaded = await asyncio.wait_for(applied.get(), timeout=5)
    finally:
        running.cancel()
        await asyncio.wait((running,))

    assert loaded.fingerprint == load_config(path, environ={}).fingerprint
    assert running.cancelled()


async def test_run_survives_unexpected_load_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_config(tmp_path, page_config("one"))
    first_load_failed = threading.Event()

    def load_failing_once() -> LoadedConfig:
        if not first_load_failed.is_set():
            first_load_failed.set()
            raise RuntimeError("loader bug")
        return load_config(path, environ={})

    applied: asyncio.Queue[LoadedConfig] = asyncio.Queue()
    watcher = quick_watcher(load_config(path, environ={}), load_failing_once, applied)
    running = asyncio.create_task(watcher.run())
    try:
        save(path, page_config("two"))
        assert await wait_for_thread_event(first_load_failed)
        save(path, page_config("three"))
        loaded = await asyncio.wait_for(applied.get(), timeout=5)
    finally:
        running.cancel()
        await asyncio.wait((running,))

    assert loaded.fingerprint == load_config(path, environ={}).fingerprint
    assert "checking the configuration for changes failed" in caplog.text
    assert "RuntimeError: loader bug" in caplog.text


def test_server_serves_saved_change_within_two_seconds(tmp_path: Path) -> None:
    path = write_config(tmp_path, page_config("one"))
    app, _ = build_app(load_config(path), Services())

    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=5) as client:
        marker_before = marker_of(client.get("/").text)
        save(path, page_config("two"))
        deadline = time.monotonic() + 2
        marker = marker_before
        while marker != "two" and time.monotonic() < deadline:
            time.sleep(0.05)
            marker = marker_of(client.get("/").text)

    assert marker_before == "one"
    assert marker == "two"


async def test_services_stop_after_watcher_failed(caplog: pytest.LogCaptureFixture) -> None:
    services = Services()

    async def failing_watcher() -> None:
        raise RuntimeError("watcher bug")

    services.tasks.append(asyncio.create_task(failing_watcher(), name="config watcher"))
    await asyncio.wait(services.tasks)

    await services.stop(runtime=None)  # type: ignore[arg-type]

    assert services.tasks == []
    assert "config watcher had stopped with an error: RuntimeError('watcher bug')" in caplog.text
