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
        self.stamps = self._stamps()

    def _stamps(self) -> dict[Path, FileStamp]:
        return {path: _stamp(path) for path in sorted(self.files)}

    async def run(self) -> None:
        logger.info("watching %d configuration files for changes", len(self.files))
        while True:
            await self.clock.sleep(self.poll_interval)
            await self.check_once()

    async def check_once(self) -> bool:
        """Reload if any watched file changed since the last look; return whether a reload was applied."""

        current = self._stamps()
        if current == self.stamps:
            return False

        await self.clock.sleep(self.settle_time)
        settled = self._stamps()
        if settled != current:
            return False  # still being written; the next poll looks again

        self.stamps = settled
        return await self._reload()

    async def _reload(self) -> bool:
        try:
            loaded = await asyncio.to_thread(self.load)
        except ConfigError as error:
            self._watch_files_of_broken_config()
            logger.error(
                "configuration change not applied, luna keeps running with the previous one:\n%s",
                "\n".join(f"  {problem}" for problem in error.problems),
            )
            return False

        self.files = set(loaded.files) | {self.path}
        self.stamps = self._stamps()
        if loaded.fingerprint == self.fingerprint:
            logger.debug("configuration files touched but their content is unchanged")
            return False

        self.fingerprint = loaded.fingerprint
        logger.info("configuration changed in %s; reloading", display_path(self.path))
        await self.apply(loaded)
        return True

    def _watch_files_of_broken_config(self) -> None:
        # A new include may be missing or broken; watch it so fixing it reloads.
        source, _ = read_config_source(self.path)
        self.files |= set(source.files)
        self.stamps = self._stamps()


def _stamp(path: Path) -> FileStamp:
    try:
        info = os.stat(path)
        content = path.read_bytes()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, hashlib.blake2b(content, digest_size=16).digest())
