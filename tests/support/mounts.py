"""Made-up mounts in place of this machine's, for server-stats and `luna mountpoints print`.

psutil's `disk_partitions` and `disk_usage` are replaced, so test results
do not depend on what is mounted on the machine that runs them.
"""

from __future__ import annotations

import errno
import os
from collections import namedtuple
from collections.abc import Collection

import psutil
import pytest

# The shapes of psutil's results (psutil._common.sdiskpart and sdiskusage).
PsutilPartition = namedtuple("PsutilPartition", "device mountpoint fstype opts")
PsutilUsage = namedtuple("PsutilUsage", "total used free percent")

GB = 1024**3
DEVICE_MOUNTS = [
    PsutilPartition("/dev/sda2", "/", "ext4", "rw"),
    PsutilPartition("/dev/sda1", "/boot/efi", "vfat", "rw"),
]
# Listed by psutil only with all=True.
VIRTUAL_MOUNTS = [
    PsutilPartition("tmpfs", "/dev/shm", "tmpfs", "rw"),
    PsutilPartition("proc", "/proc", "proc", "rw"),
]
USAGE = PsutilUsage(100 * GB, 40 * GB, 60 * GB, 40.0)


def inject_mounts(monkeypatch: pytest.MonkeyPatch, unreadable: Collection[str] = ()) -> None:
    """Mount DEVICE_MOUNTS and VIRTUAL_MOUNTS, each 40 % full, and make the paths in `unreadable` fail with EACCES.

    A path that is not a mountpoint reads as its file system would: 40 %
    full when it exists on this machine, else failing with ENOENT.
    """

    def disk_partitions(all: bool = False) -> list[PsutilPartition]:  # noqa: A002 - psutil's parameter name
        return DEVICE_MOUNTS + VIRTUAL_MOUNTS if all else list(DEVICE_MOUNTS)

    def disk_usage(path: str) -> PsutilUsage:
        if path in unreadable:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        if path in {partition.mountpoint for partition in DEVICE_MOUNTS + VIRTUAL_MOUNTS} or os.path.exists(path):
            return USAGE
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    monkeypatch.setattr(psutil, "disk_partitions", disk_partitions)
    monkeypatch.setattr(psutil, "disk_usage", disk_usage)
