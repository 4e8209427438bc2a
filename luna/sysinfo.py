"""Readings of a machine's load, temperatures, memory and disks: from this machine through psutil, or from a Glance agent.

The server-stats widget and the `luna sensors print` and `luna mountpoints
print` commands share these readings. Values here are as read; the widget
rounds them for display.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import psutil

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# Sensors that are the CPU's on common boards, in the order they are preferred
# when `cpu-temp-sensor` is not set: Intel, AMD (two drivers), Raspberry Pi.
CPU_SENSOR_CHIPS = ("coretemp", "k10temp", "zenpower", "cpu_thermal")
# Labels of the whole-package reading of a multi-core chip.
PACKAGE_LABELS = ("package id 0", "tctl", "tdie")


@dataclass(frozen=True)
class SensorReading:
    """One temperature sensor: `key` is what `cpu-temp-sensor` names, such as coretemp_package_id_0."""

    key: str
    chip: str
    label: str
    celsius: float


@dataclass(frozen=True)
class Partition:
    """A mounted file system as psutil lists it."""

    device: str
    mountpoint: str
    fstype: str


@dataclass(frozen=True)
class DiskReading:
    path: str
    device: str
    filesystem: str
    total_mb: float
    used_mb: float
    percent: float


@dataclass(frozen=True)
class Reading:
    """The readings of one machine; a part that could not be read is None and explained in `problems`."""

    hostname: str = ""
    platform: str = ""
    boot_time: float | None = None
    load1_percent: float | None = None
    load15_percent: float | None = None
    temperature_c: float | None = None
    memory_total_mb: float | None = None
    memory_used_mb: float | None = None
    swap_total_mb: float | None = None
    swap_used_mb: float | None = None
    disks: tuple[DiskReading, ...] = ()
    problems: tuple[str, ...] = field(default=())


def sensor_key(chip: str, label: str) -> str:
    """Name a sensor as gopsutil does, which Glance's `cpu-temp-sensor` uses: chip, then the label in snake case."""

    label_part = re.sub(r"\s+", "_", label.strip().lower())
    return f"{chip}_{label_part}" if label_part else chip


def read_sensors() -> list[SensorReading]:
    """Read every temperature sensor psutil finds; none on systems without sensors or without the permission."""

    try:
        chips = psutil.sensors_temperatures()
    except (AttributeError, OSError) as error:
        # psutil has no sensors_temperatures on macOS and Windows.
        logger.debug("temperature sensors unavailable: %s", error)
        return []

    readings = []
    for chip, entries in chips.items():
        for entry in entries:
            readings.append(SensorReading(sensor_key(chip, entry.label), chip, entry.label, float(entry.current)))
    return readings


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_sensor(readings: list[SensorReading], wanted: str) -> SensorReading | None:
    """Find a sensor by key, ignoring case and punctuation; a chip name alone means its first reading."""

    target = _normalise(wanted)
    for reading in readings:
        if _normalise(reading.key) == target:
            return reading
    for reading in readings:
        if _normalise(reading.chip) == target:
            return reading
    return None


def guess_cpu_sensor(readings: list[SensorReading]) -> SensorReading | None:
    for chip in CPU_SENSOR_CHIPS:
        candidates = [reading for reading in readings if reading.chip.replace("-", "_") == chip]
        package = [reading for reading in candidates if reading.label.strip().lower() in PACKAGE_LABELS]
        if package or candidates:
            return (package or candidates)[0]
    return None


def list_partitions(all_mounts: bool = False) -> list[Partition]:
    """List the file systems on a device, which server-stats shows, or with `all_mounts` every mount, virtual ones too."""

    return [Partition(part.device, part.mountpoint, part.fstype) for part in psutil.disk_partitions(all=all_mounts)]


def read_disks(partitions: list[Partition] | None = None) -> tuple[list[DiskReading], list[str]]:
    """Usage of every mounted file system on a device, each mountpoint once; unreadable ones become problems."""

    disks: list[DiskReading] = []
    problems: list[str] = []
    seen: set[str] = set()
    for partition in list_partitions() if partitions is None else partitions:
        if partition.mountpoint in seen:
            continue
        seen.add(partition.mountpoint)
        try:
            disks.append(read_disk(partition.mountpoint, partition.device, partition.fstype))
        except OSError as error:
            problems.append(f"could not read the usage of {partition.mountpoint}: {error.strerror or error}")
    return disks, problems


def mountpoint_problem(path: str, device_partitions: list[Partition], all_partitions: list[Partition]) -> str | None:
    """Explain why server-stats shows no disk for the mountpoint `path`; None when it shows one.

    `device_partitions` are the file systems on a device (`list_partitions()`),
    and `all_partitions` are all mounts (`list_partitions(all_mounts=True)`).
    """

    if any(partition.mountpoint == path for partition in device_partitions):
        return None

    normalised = os.path.normpath(path)
    if any(partition.mountpoint == normalised for partition in device_partitions):
        return f"{path}: write it as {normalised}"
    virtual = next((partition for partition in all_partitions if partition.mountpoint == normalised), None)
    if virtual is not None:
        return f"{path}: a {virtual.fstype} file system, which server-stats leaves out because it is virtual, not a disk"
    return f"{path}: not mounted"


def mountpoint_problems(paths: Collection[str], device_partitions: list[Partition]) -> list[str]:
    """Explain each of `paths` that server-stats shows no disk for, reading the list of all mounts only when one is missing."""

    missing = [path for path in paths if all(partition.mountpoint != path for partition in device_partitions)]
    if not missing:
        return []

    all_partitions = list_partitions(all_mounts=True)
    problems = (mountpoint_problem(path, device_partitions, all_partitions) for path in missing)
    return [problem for problem in problems if problem is not None]


def containing_mount(path: str, all_partitions: list[Partition]) -> Partition | None:
    """Find the mount whose file system contains `path`: the one with the longest mountpoint above it."""

    target = os.path.normpath(os.path.abspath(path))
    above = [
        partition
        for partition in all_partitions
        if target == partition.mountpoint or target.startswith(partition.mountpoint.rstrip("/") + "/")
    ]
    return max(above, key=lambda partition: len(partition.mountpoint), default=None)


def read_disk(path: str, device: str = "", filesystem: str = "") -> DiskReading:
    # NOTE: a hung network mount blocks this call; the widget runs it in a
    # worker thread, so only that thread waits.
    usage = psutil.disk_usage(path)
    return DiskReading(path, device, filesystem, usage.total / MB, usage.used / MB, usage.percent)


def read_local(cpu_temp_sensor: str | None = None, mountpoints: Collection[str] = ()) -> Reading:
    """Read this machine now. Blocking: call it from a worker thread in async code.

    Each of `mountpoints` (the paths the configuration names) that is not
    read is explained in the reading's problems.
    """

    problems: list[str] = []
    load1, load15 = _load_percents(problems)
    temperature = _cpu_temperature(cpu_temp_sensor, problems)
    memory = psutil.virtual_memory()
    swap = _swap(problems)
    partitions = list_partitions()
    disks, disk_problems = read_disks(partitions)
    disk_problems += mountpoint_problems(mountpoints, partitions)

    return Reading(
        hostname=socket.gethostname(),
        platform=_platform_name(),
        boot_time=float(int(psutil.boot_time())),
        load1_percent=load1,
        load15_percent=load15,
        temperature_c=temperature,
        memory_total_mb=memory.total / MB,
        memory_used_mb=memory.used / MB,
        swap_total_mb=swap.total / MB if swap else None,
        swap_used_mb=swap.used / MB if swap else None,
        disks=tuple(disks),
        problems=tuple(problems + disk_problems),
    )


def _load_percents(problems: list[str]) -> tuple[float | None, float | None]:
    """Load averages over 1 and 15 minutes as a share of the logical CPUs, capped at 100 %."""

    try:
        load1, _, load15 = psutil.getloadavg()
    except OSError as error:
        problems.append(f"could not read the load average: {error}")
        return None, None
    cpus = psutil.cpu_count(logical=True) or 1
    return min(load1 / cpus * 100, 100.0), min(load15 / cpus * 100, 100.0)


def _cpu_temperature(wanted: str | None, problems: list[str]) -> float | None:
    readings = read_sensors()
    if wanted:
        found = find_sensor(readings, wanted)
        if found is None:
            problems.append(f'temperature sensor "{wanted}" not found; `luna sensors print` lists the sensors here')
            return None
        return found.celsius
    guessed = guess_cpu_sensor(readings)
    return guessed.celsius if guessed else None


def _swap(problems: list[str]) -> Any:
    try:
        return psutil.swap_memory()
    except (OSError, RuntimeError) as error:
        problems.append(f"could not read swap: {error}")
        return None


def _platform_name() -> str:
    try:
        return platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        return f"{platform.system()} {platform.release()}".strip()


def parse_agent_reply(payload: Any) -> Reading:
    """Read `GET /api/sysinfo/all` of the Glance agent (the same shape Glance's own sysinfo package writes).

    Each part carries an `*_is_available` flag; a part whose flag is false,
    or that is missing, reads as None.
    """

    if not isinstance(payload, Mapping):
        raise ValueError("the reply is not a JSON object")
    cpu = payload.get("cpu") if isinstance(payload.get("cpu"), Mapping) else {}
    memory = payload.get("memory") if isinstance(payload.get("memory"), Mapping) else {}
    host_available = payload.get("host_info_is_available", True)

    load_available = cpu.get("load_is_available", "load1_percent" in cpu)
    temperature_available = cpu.get("temperature_is_available", "temperature_c" in cpu)
    memory_available = memory.get("memory_is_available", "total_mb" in memory)
    swap_available = memory.get("swap_is_available", "swap_total_mb" in memory)

    return Reading(
        hostname=str(payload.get("hostname") or "") if host_available else "",
        platform=str(payload.get("platform") or "") if host_available else "",
        boot_time=_number(payload.get("boot_time")) if host_available else None,
        load1_percent=_number(cpu.get("load1_percent")) if load_available else None,
        load15_percent=_number(cpu.get("load15_percent")) if load_available else None,
        temperature_c=_number(cpu.get("temperature_c")) if temperature_available else None,
        memory_total_mb=_number(memory.get("total_mb")) if memory_available else None,
        memory_used_mb=_number(memory.get("used_mb")) if memory_available else None,
        swap_total_mb=_number(memory.get("swap_total_mb")) if swap_available else None,
        swap_used_mb=_number(memory.get("swap_used_mb")) if swap_available else None,
        disks=tuple(_agent_disks(payload.get("mountpoints"))),
    )


def _agent_disks(mountpoints: Any) -> list[DiskReading]:
    disks = []
    for item in mountpoints if isinstance(mountpoints, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            continue
        total = _number(item.get("total_mb")) or 0.0
        used = _number(item.get("used_mb")) or 0.0
        percent = _number(item.get("used_percent"))
        disks.append(DiskReading(item["path"], "", "", total, used, percent if percent is not None else _share(used, total)))
    return disks


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _share(used: float, total: float) -> float:
    return used / total * 100 if total > 0 else 0.0


def format_megabytes(value: float) -> str:
    """Sizes as "512 MB", "3.2 GB", "120 GB" or "1.8 TB": about two significant digits, which is all a gauge needs."""

    if value < 1024:
        return f"{value:.0f} MB"
    gigabytes = value / 1024
    if gigabytes < 10:
        return f"{gigabytes:.1f} GB"
    if gigabytes < 1024:
        return f"{gigabytes:.0f} GB"
    return f"{gigabytes / 1024:.1f} TB"
