"""A PostgreSQL server for the example, its tests and its benchmark.

``GUBERNATOR_PG_DSN`` names an existing server (a libpq connection string
or URI, e.g. ``postgresql://me@localhost/postgres``) whose user may
``CREATE DATABASE``; it is used as it is.

Without it, :func:`postgres_server` starts a throwaway cluster: ``initdb``
and ``pg_ctl`` in a new temporary folder, listening on a Unix socket in
that folder only (no TCP port, so nothing else on the machine can reach it
and no free port has to be found), with ``trust`` authentication for the
superuser ``gubernator``. PostgreSQL refuses to run as root; when this
process is root, the cluster belongs to the unprivileged ``nobody`` user
(the folder is handed to it and the server binaries run under its uid).
The server is stopped and the folder deleted when the ``with`` block ends.

Server binaries are looked up in ``GUBERNATOR_PG_BIN`` (a folder), on
``PATH``, then in ``/usr/lib/postgresql/<version>/bin`` (newest first) and
``/usr/local/pgsql/bin``. When none is found, :class:`ServerUnavailable`
says how to get one.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: An existing server to use instead of a throwaway cluster.
DSN_VARIABLE = "GUBERNATOR_PG_DSN"
#: A folder holding ``initdb`` and ``pg_ctl``, searched first.
BIN_VARIABLE = "GUBERNATOR_PG_BIN"
#: The superuser of a throwaway cluster.
SUPERUSER = "gubernator"
#: The user that owns a throwaway cluster when this process is root.
UNPRIVILEGED_USER = "nobody"

HOW_TO_RUN = (
    f"install the PostgreSQL server (e.g. 'apt-get install postgresql'; the "
    f"tests start a throwaway cluster with its initdb and pg_ctl), set "
    f"{BIN_VARIABLE} to the folder holding them, or set {DSN_VARIABLE} to a "
    f"server whose user may CREATE DATABASE, e.g. "
    f"{DSN_VARIABLE}=postgresql://me@localhost/postgres"
)

# Throwaway data: durability costs a disk flush per commit and buys nothing.
_FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class ServerUnavailable(RuntimeError):
    """No server can be had; the message says how to provide one."""


@dataclass(frozen=True, slots=True)
class ServerBinaries:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres``."""

    folder: Path

    @property
    def initdb(self) -> str:
        """The ``initdb`` program."""
        return str(self.folder / "initdb")

    @property
    def pg_ctl(self) -> str:
        """The ``pg_ctl`` program."""
        return str(self.folder / "pg_ctl")


def find_server_binaries() -> ServerBinaries | None:
    """Where ``initdb`` and ``pg_ctl`` are, or ``None``."""
    candidates: list[Path] = []
    configured = os.environ.get(BIN_VARIABLE)
    if configured:
        candidates.append(Path(configured))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)

    def version(folder: Path) -> tuple[int, ...]:
        digits = re.findall(r"\d+", folder.parent.name)
        return tuple(int(d) for d in digits)

    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version)
    candidates.extend(reversed(installed))
    candidates.append(Path("/usr/local/pgsql/bin"))
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return ServerBinaries(folder)
    return None


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running throwaway cluster: its folder, owner and connection string."""

    binaries: ServerBinaries
    folder: Path
    owner: pwd.struct_passwd | None

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.folder / "data"

    @property
    def dsn(self) -> str:
        """Connection string of the ``postgres`` database as the superuser."""
        return f"host={self.folder} port=5432 user={SUPERUSER} dbname=postgres"

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """Run a server program as the cluster's owner; raise with its output."""
        user = None if self.owner is None else self.owner.pw_uid
        group = None if self.owner is None else self.owner.pw_gid
        completed = subprocess.run(
            command,
            user=user,
            group=group,
            extra_groups=[] if self.owner is not None else None,
            cwd=self.folder,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(
                f"{' '.join(command)} failed ({completed.returncode}):\n"
                f"{completed.stdout}{completed.stderr}{tail}"
            )
        return completed


def start_cluster(binaries: ServerBinaries, *, durable: bool = False) -> Cluster:
    """``initdb`` and start a cluster in a new temporary folder.

    ``durable=False`` turns off fsync and synchronous commit (test data);
    ``durable=True`` keeps PostgreSQL's defaults (for benchmarks).
    """
    owner = _unprivileged_owner()
    # A short path: a Unix socket path must fit in about 100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="gg-pg-", dir="/tmp"))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(binaries, folder, owner)
    try:
        cluster.run(
            binaries.initdb,
            "--pgdata",
            str(cluster.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{folder}'",
            "max_connections": "100",
            **({} if durable else _FAST_SETTINGS),
        }
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# gubernator-gen throwaway cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        cluster.run(
            binaries.pg_ctl,
            "start",
            "--pgdata",
            str(cluster.data),
            "--log",
            str(folder / "server.log"),
            "--wait",
            "--timeout",
            "60",
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    """Stop the server (fast, then immediate) and delete its folder."""
    try:
        for mode in ("fast", "immediate"):
            with contextlib.suppress(ServerUnavailable, subprocess.TimeoutExpired):
                cluster.run(
                    cluster.binaries.pg_ctl,
                    "stop",
                    "--pgdata",
                    str(cluster.data),
                    "--mode",
                    mode,
                    "--wait",
                )
                break
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[str]:
    """A server for the ``with`` block; yields the superuser's connection string.

    ``GUBERNATOR_PG_DSN`` if set, else a throwaway cluster (see the module
    docstring); :class:`ServerUnavailable` when neither can be had.
    """
    existing = os.environ.get(DSN_VARIABLE)
    if existing:
        yield existing
        return
    binaries = find_server_binaries()
    if binaries is None:
        raise ServerUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) found; " + HOW_TO_RUN
        )
    cluster = start_cluster(binaries, durable=durable)
    try:
        yield cluster.dsn
    finally:
        stop_cluster(cluster)


def _unprivileged_owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise ServerUnavailable(
            f"running as root, and PostgreSQL refuses to; there is no "
            f"{UNPRIVILEGED_USER!r} user to run it as. Create one, run as another "
            f"user, or {HOW_TO_RUN}"
        ) from None
