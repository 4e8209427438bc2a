"""The `luna` command: serve a dashboard, check or print its configuration."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from luna import __version__
from luna.auth.passwords import DEFAULT_ROUNDS, MIN_ROUNDS, hash_password
from luna.auth.sessions import make_secret_key
from luna.config.errors import ConfigError, display_path
from luna.config.loader import find_config_path, load_config, load_dotenv_file, print_config_text

if TYPE_CHECKING:
    from luna.sysinfo import DiskReading, Partition

logger = logging.getLogger("luna")

# Glance spells sub-commands with a colon.
COLON_COMMANDS = {
    "config:validate": ["config", "validate"],
    "config:print": ["config", "print"],
    "secret:make": ["secret", "make"],
    "password:hash": ["password", "hash"],
    "sensors:print": ["sensors", "print"],
    "mountpoint:info": ["mountpoints", "print"],
    "mountpoints:print": ["mountpoints", "print"],
}


def build_parser() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--config", "-c", metavar="PATH", default=argparse.SUPPRESS, help="configuration file (default: $LUNA_CONFIG, else luna.yml, luna.yaml, glance.yml or glance.yaml here)")

    serving = argparse.ArgumentParser(add_help=False)
    serving.add_argument("--host", default=argparse.SUPPRESS, help="address to listen on (default: server.host, or all interfaces)")
    serving.add_argument("--port", type=int, default=argparse.SUPPRESS, help="port to listen on (default: server.port, or 8080)")
    serving.add_argument("--log-level", default=argparse.SUPPRESS, choices=["debug", "info", "warning", "error"], help="how much to log (default: info)")

    parser = argparse.ArgumentParser(
        prog="luna",
        description="A self-hosted dashboard configured by one YAML file. With no command, serve it.",
        parents=[shared, serving],
    )
    parser.add_argument("--version", "-v", action="version", version=f"luna {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("serve", parents=[shared, serving], help="serve the dashboard (the default)")
    commands.add_parser("version", help="print the version")

    config = commands.add_parser("config", help="check or print the configuration")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_commands.add_parser(
        "validate", parents=[shared], help="report every problem as FILE:LINE:COLUMN: message; exit 1 if any"
    )
    config_commands.add_parser(
        "print", parents=[shared], help="print the configuration with includes and variables resolved, secrets as ***"
    )

    secret = commands.add_parser("secret", help="make a secret key for auth.secret-key")
    secret_commands = secret.add_subparsers(dest="secret_command", metavar="ACTION", required=True)
    secret_commands.add_parser("make", help="print a new random key (64 bytes, base64) for auth.secret-key")

    password = commands.add_parser("password", help="hash a password for auth.users.NAME.password-hash")
    password_commands = password.add_subparsers(dest="password_command", metavar="ACTION", required=True)
    hashing = password_commands.add_parser(
        "hash",
        help="print the bcrypt hash of a password; without PASSWORD, read it from standard input",
        description="Print the bcrypt hash of a password, for auth.users.NAME.password-hash. "
        "Leave out PASSWORD to type it at a prompt or pipe it in, which keeps it out of the shell history.",
    )
    hashing.add_argument("password", nargs="?", metavar="PASSWORD", help="the password (default: read from standard input)")
    hashing.add_argument(
        "--rounds", type=int, default=DEFAULT_ROUNDS, choices=range(MIN_ROUNDS, 32), metavar="N",
        help=f"bcrypt cost: each step doubles the work (default: {DEFAULT_ROUNDS}, allowed {MIN_ROUNDS} to 31)",
    )

    sensors = commands.add_parser("sensors", help="list this machine's temperature sensors")
    sensors.add_subparsers(dest="sensors_command", metavar="ACTION", required=True).add_parser(
        "print", help="print each sensor as KEY: N°C, where KEY is a value for server-stats' cpu-temp-sensor"
    )

    mountpoints = commands.add_parser("mountpoints", help="list this machine's mounted file systems")
    mountpoints_print = mountpoints.add_subparsers(dest="mountpoints_command", metavar="ACTION", required=True).add_parser(
        "print",
        help="print each mountpoint with its device, file system and usage, or only the given paths; "
        "a path that server-stats cannot show is explained and makes the exit status 1",
    )
    mountpoints_print.add_argument("paths", nargs="*", metavar="PATH", help="a path whose file system to show")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _expand_colon_commands(list(sys.argv[1:] if argv is None else argv))
    options = build_parser().parse_args(arguments)
    load_dotenv_file(Path.cwd(), os.environ)

    if options.command == "version":
        print(f"luna {__version__}")
        return 0
    if options.command == "config":
        return _config_command(options)
    if options.command == "secret":
        print(make_secret_key())
        return 0
    if options.command == "password":
        return _hash_password(options)
    if options.command == "sensors":
        return _print_sensors()
    if options.command == "mountpoints":
        return _print_mountpoints(options.paths)
    return _serve(options)


def _expand_colon_commands(arguments: list[str]) -> list[str]:
    expanded: list[str] = []
    for argument in arguments:
        expanded += COLON_COMMANDS.get(argument, [argument])
    return expanded


def _config_command(options: argparse.Namespace) -> int:
    path = find_config_path(getattr(options, "config", None), os.environ)
    if path is None:
        print("luna: no configuration file: give --config PATH, set LUNA_CONFIG, or create luna.yml here", file=sys.stderr)
        return 1

    try:
        if options.config_command == "validate":
            load_config(path)
        else:
            sys.stdout.write(print_config_text(path))
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr if options.config_command == "print" else sys.stdout)
        return 1
    return 0


def _hash_password(options: argparse.Namespace) -> int:
    if options.password is not None:
        password: str | None = options.password
    elif sys.stdin is not None and sys.stdin.isatty():
        password = _prompt_password()
        if password is None:
            return 1
    else:
        password = _read_piped_password()
    if password is None:
        print("luna: no password given: pass it as an argument or on standard input", file=sys.stderr)
        return 1

    try:
        print(hash_password(password, options.rounds))
    except ValueError as error:
        print(f"luna: {error}", file=sys.stderr)
        return 1
    return 0


def _read_piped_password() -> str | None:
    """Read the password as the first line of piped input."""

    if sys.stdin is None:
        return None
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r") if line else None


def _prompt_password() -> str | None:
    """Ask twice at the terminal, since a typo would end up in the hash unseen; None when the user gives up."""

    try:
        password = getpass.getpass("Password: ")
        again = getpass.getpass("Same password again: ")
    except (EOFError, KeyboardInterrupt):
        print("\nluna: cancelled; nothing was hashed", file=sys.stderr)
        return None

    if password != again:
        print("luna: the two passwords differ; nothing was hashed, so run the command again", file=sys.stderr)
        return None
    return password


def _print_sensors() -> int:
    from luna import sysinfo

    readings = sysinfo.read_sensors()
    if not readings:
        print(
            "luna: no temperature sensors found; psutil reads them from /sys/class/hwmon, "
            "which virtual machines and many containers do not have",
            file=sys.stderr,
        )
        return 0

    guessed = sysinfo.guess_cpu_sensor(readings)
    for reading in readings:
        note = "  (server-stats uses it when cpu-temp-sensor is not set)" if reading == guessed else ""
        print(f"{reading.key}: {reading.celsius:.0f}°C{note}")
    return 0


def _print_mountpoints(paths: list[str]) -> int:
    from luna import sysinfo

    if not paths:
        disks, problems = sysinfo.read_disks()
        for disk in disks:
            print(_describe_disk(disk))
        for problem in problems:
            print(f"luna: {problem}", file=sys.stderr)
        return 0

    device_partitions = sysinfo.list_partitions()
    all_partitions = sysinfo.list_partitions(all_mounts=True)
    failed = False
    for path in paths:
        disk, problem = _read_mountpoint(path, device_partitions, all_partitions)
        if disk is not None:
            print(_describe_disk(disk))
        else:
            print(f"luna: {problem}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def _read_mountpoint(
    path: str, device_partitions: list[Partition], all_partitions: list[Partition]
) -> tuple[DiskReading, None] | tuple[None, str]:
    """Read a path given to `mountpoints print`, or explain why server-stats cannot show it as a mountpoint."""

    from luna import sysinfo

    partition = next((partition for partition in device_partitions if partition.mountpoint == path), None)
    try:
        disk = sysinfo.read_disk(path, partition.device, partition.fstype) if partition else sysinfo.read_disk(path)
    except OSError as error:
        return None, f"cannot read the file system of {path}: {error.strerror or error}"
    if partition is not None:
        return disk, None

    # A folder inside a file system: name the mountpoint that the widget can show instead.
    containing = sysinfo.containing_mount(path, all_partitions)
    if containing is not None and containing.mountpoint != os.path.normpath(os.path.abspath(path)):
        return None, f"{path}: not a mount point; its file system is mounted at {containing.mountpoint}"
    return None, sysinfo.mountpoint_problem(path, device_partitions, all_partitions) or f"{path}: not a mount point"


def _describe_disk(disk: DiskReading) -> str:
    from luna.sysinfo import format_megabytes

    source = " ".join(part for part in (disk.device, disk.filesystem) if part)
    usage = f"{format_megabytes(disk.used_mb)} of {format_megabytes(disk.total_mb)} used ({disk.percent:.0f}%)"
    return f"{disk.path}  {source}  {usage}" if source else f"{disk.path}  {usage}"


def _serve(options: argparse.Namespace) -> int:
    from luna.server import serve  # imported here so `luna config …` starts fast

    level = getattr(options, "log_level", None) or os.environ.get("LUNA_LOG_LEVEL", "info")
    configure_logging(level)

    path = find_config_path(getattr(options, "config", None), os.environ)
    try:
        return serve(path, host=getattr(options, "host", None), port=getattr(options, "port", None))
    except ConfigError as error:
        where = display_path(path) if path else "configuration"
        count = len(error.problems)
        logger.error("cannot start: %s has %d problem%s:", where, count, "" if count == 1 else "s")
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    # httpx logs every request at INFO; monitors make many.
    logging.getLogger("httpx").setLevel(logging.WARNING)
