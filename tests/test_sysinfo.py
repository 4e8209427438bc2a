"""Readings of this machine through psutil, with psutil's sensors replaced where a test needs known values."""

from __future__ import annotations

from collections import namedtuple

import psutil
import pytest

from luna import sysinfo
from luna.sysinfo import Partition, SensorReading, find_sensor, format_megabytes, guess_cpu_sensor, sensor_key
from tests.support.mounts import inject_mounts

# The shape of psutil's readings (psutil._common.shwtemp).
Temperature = namedtuple("Temperature", "label current high critical")

CHIPS = {
    "acpitz": [Temperature("", 38.0, None, None)],
    "coretemp": [Temperature("Core 0", 47.0, 80.0, 100.0), Temperature("Package id 0", 49.5, 80.0, 100.0)],
    "nvme": [Temperature("Composite", 36.9, 84.8, 89.8)],
}


@pytest.fixture
def sensors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psutil, "sensors_temperatures", lambda: CHIPS, raising=False)


def test_sensor_key_snake_case_label() -> None:
    assert sensor_key("coretemp", "Package id 0") == "coretemp_package_id_0"


def test_sensor_key_without_label_is_chip() -> None:
    assert sensor_key("acpitz", "") == "acpitz"


def test_sensors_read_with_keys(sensors: None) -> None:
    keys = [reading.key for reading in sysinfo.read_sensors()]

    assert keys == ["acpitz", "coretemp_core_0", "coretemp_package_id_0", "nvme_composite"]


def test_sensor_found_ignoring_punctuation(sensors: None) -> None:
    found = find_sensor(sysinfo.read_sensors(), "CoreTemp-Package-ID-0")

    assert found is not None
    assert found.celsius == 49.5


def test_chip_name_finds_first_reading(sensors: None) -> None:
    found = find_sensor(sysinfo.read_sensors(), "nvme")

    assert found is not None
    assert found.key == "nvme_composite"


def test_unknown_sensor_not_found(sensors: None) -> None:
    assert find_sensor(sysinfo.read_sensors(), "k10temp_tctl") is None


def test_cpu_package_sensor_guessed(sensors: None) -> None:
    guessed = guess_cpu_sensor(sysinfo.read_sensors())

    assert guessed is not None
    assert guessed.key == "coretemp_package_id_0"


def test_no_cpu_sensor_no_guess() -> None:
    assert guess_cpu_sensor([SensorReading("nvme_composite", "nvme", "Composite", 36.9)]) is None


def test_local_reading_uses_guessed_sensor(sensors: None) -> None:
    assert sysinfo.read_local().temperature_c == 49.5


def test_local_reading_uses_named_sensor(sensors: None) -> None:
    assert sysinfo.read_local("nvme_composite").temperature_c == 36.9


def test_local_reading_shape() -> None:
    reading = sysinfo.read_local()

    assert reading.hostname != ""
    assert reading.memory_total_mb is not None and reading.memory_total_mb > 0
    assert reading.load1_percent is not None and 0 <= reading.load1_percent <= 100
    assert reading.boot_time is not None and reading.boot_time > 0
    assert len({disk.path for disk in reading.disks}) == len(reading.disks)


def test_missing_sensor_api_gives_no_sensors(monkeypatch: pytest.MonkeyPatch) -> None:
    # psutil has no sensors_temperatures on macOS and Windows.
    monkeypatch.delattr(psutil, "sensors_temperatures", raising=False)

    assert sysinfo.read_sensors() == []


@pytest.mark.parametrize(
    ("megabytes", "text"),
    [(512.0, "512 MB"), (3276.8, "3.2 GB"), (122880.0, "120 GB"), (1887436.8, "1.8 TB")],
)
def test_megabytes_formatted(megabytes: float, text: str) -> None:
    assert format_megabytes(megabytes) == text


SHOWN = [Partition("/dev/sda2", "/", "ext4"), Partition("/dev/sdb1", "/srv/media", "xfs")]
MOUNTED = SHOWN + [Partition("tmpfs", "/dev/shm", "tmpfs")]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/srv/media", None),
        ("/nonexistent", "/nonexistent: not mounted"),
        ("/srv/media/", "/srv/media/: write it as /srv/media"),
        ("/dev/shm", "/dev/shm: a tmpfs file system, which server-stats leaves out because it is virtual, not a disk"),
    ],
)
def test_mountpoint_problem_explained(path: str, problem: str | None) -> None:
    assert sysinfo.mountpoint_problem(path, SHOWN, MOUNTED) == problem


def test_containing_mount_longest_above() -> None:
    found = sysinfo.containing_mount("/srv/media/films", MOUNTED)

    assert found == Partition("/dev/sdb1", "/srv/media", "xfs")


def test_local_reading_names_missing_mountpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    inject_mounts(monkeypatch)

    reading = sysinfo.read_local(mountpoints=["/", "/nonexistent", "/dev/shm"])

    assert [disk.path for disk in reading.disks] == ["/", "/boot/efi"]
    assert [problem for problem in reading.problems if problem.startswith("/")] == [
        "/nonexistent: not mounted",
        "/dev/shm: a tmpfs file system, which server-stats leaves out because it is virtual, not a disk",
    ]


def test_unreadable_mountpoint_one_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    inject_mounts(monkeypatch, unreadable={"/boot/efi"})

    reading = sysinfo.read_local(mountpoints=["/boot/efi"])

    assert [problem for problem in reading.problems if "/boot/efi" in problem] == [
        "could not read the usage of /boot/efi: Permission denied"
    ]
