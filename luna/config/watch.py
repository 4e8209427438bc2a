"""Hot reload: notice edits to the configuration and its includes, and apply them.

The watcher polls each file's metadata instead of using inotify on the file,
because editors that save by writing a temporary file and renaming it, a file
deleted and created again, and single files bind-mounted into a container all
defeat a watch on the original inode. Each poll also hashes the content,
because two saves within one timestamp tick can leave the size and mtime as
they were. Reading a few small files twice a second costs next to nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from luna.clock import Clock, SystemClock
from luna.config.errors import ConfigError, display_path
from luna.config.loader import LoadedConfig
from luna.config.source import read_config_source

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
# A change is applied once the files stop changing for this long, so a
# half-written file from a slow editor is not read.
SETTLE_TIME = 0.25

FileStamp = tuple[int, int, int, bytes] | None
Loader = Callable[[], LoadedConfig]
Applier = Callable[[LoadedConfig], Awaitable[None]]


class ConfigWatcher:
    def __init__(
        self,
        loaded: LoadedConfig,
        load: Loader,
        apply: Applier,
        clock: Clock | None = None,
        poll_interval: float = POLL_INTERVAL,
        settle_time: float = SETTLE_TIME,
    ) -> None:
        if loaded.path is None:
            raise ValueError("only a configuration read from a file can be watched")
        self.path = loaded.path
        self.load = load
        self.apply = apply
        self.clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.settle_time = settle_time
        self.fingerprint = loaded.fingerprint
        self.files = set(loaded.files) | {self.path}
        # NOTE: these first stamps are taken now, not when `loaded` was read, so
        # a save in between goes unnoticed until the files change again.
        self.stamps = self._stamps()

    def _stamps(self) -> dict[Path, FileStamp]:
        return {path: _stamp(path) for path in sorted(self.files)}

    def _watch(self, files: list[Path], seen: dict[Path, FileStamp]) -> None:
        """Watch `files` from now on, comparing them with `seen`, the stamps taken before the load.

        Stamps taken after the load would hide a save that landed while the
        load ran, so the earlier stamps stay and the next poll notices that
        save. Only files new to the watch are stamped now.
        """

        self.files = set(files) | {self.path}
        self.stamps = {path: seen[path] if path in seen else _stamp(path) for path in sorted(self.files)}

    async def run(self) -> None:
        logger.info(
            "watching %d configuration %s for changes", len(self.files), "file" if len(self.files) == 1 else "files"
        )
        while True:
            await self.clock.sleep(self.poll_interval)
            try:
                await self.check_once()
            except Exception:
                # The watcher must outlive a bug in one reload, so the next save is tried again.
                logger.exception("checking the configuration for changes failed; luna keeps the running configuration")

    async def check_once(self) -> bool:
        """Reload if any watched file changed since the last look; return whether a reload was applied."""

        current = self._stamps()
        if current == self.stamps:
            return False

        await self.clock.sleep(self.settle_time)
        settled = self._stamps()
        if settled != current:
            return False  # still being written; the next poll looks again

        changed = [path for path, stamp in settled.items() if self.stamps.get(path) != stamp]
        self.stamps = settled
        return await self._reload(settled, changed)

    async def _reload(self, seen: dict[Path, FileStamp], changed: list[Path] | None = None) -> bool:
        try:
            loaded = await asyncio.to_thread(self.load)
        except ConfigError as error:
            self._watch_files_of_broken_config(seen)
            logger.error(
                "configuration change not applied, luna keeps running with the previous one:\n%s",
                "\n".join(f"  {problem}" for problem in error.problems),
            )
            return False

        self._watch(loaded.files, seen)
        if loaded.fingerprint == self.fingerprint:
            logger.debug("configuration files touched but their content is unchanged")
            return False

        names = ", ".join(display_path(path) for path in changed or [self.path])
        logger.info("configuration changed in %s; reloading", names)
        try:
            await self.apply(loaded)
        except Exception:
            # The fingerprint stays at the running configuration, so saving
            # the same content again retries the reload.
            logger.exception("configuration change could not be applied; luna keeps running with the previous one")
            return False

        self.fingerprint = loaded.fingerprint
        return True

    def _watch_files_of_broken_config(self, seen: dict[Path, FileStamp]) -> None:
        # A new include may be missing or broken; watch it so fixing it reloads.
        # Files the broken version no longer names stay watched, so a revert
        # that names them again is noticed too.
        source, _ = read_config_source(self.path)
        self._watch(list(self.files | set(source.files)), seen)


def _stamp(path: Path) -> FileStamp:
    try:
        info = os.stat(path)
        content = path.read_bytes()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, hashlib.blake2b(content, digest_size=16).digest())
