"""Virtuoso Open Source 7: a local server in one command, and the bulk loader through ``isql-vt``.

What was measured on Virtuoso 7.2.5 and is done here for that reason:

- it loads ``graph.nq`` (N-Quads), never ``graph.trig`` (its TriG parser keeps ``\\/`` in graph
  names, so ``GRAPH ?claim … ?claim cvekg:quote`` joins find nothing);
- the bulk loader (``ld_dir``, ``rdf_loader_run()``, ``checkpoint``) reads files on the
  server's own disk, in a folder its ``DirsAllowed`` lists: ``graph.nq`` is linked (or copied)
  into a fresh folder under the first allowed one this machine can write, and removed after;
- its default graph is the union of every graph *including its system graphs*: those go into
  the ``virtrdf#PrivateGraphs`` group, and anonymous users (``nobody``) get read access to the
  other graphs only, so the default graph is exactly our union;
- anonymous SPARQL is read-only and refuses ``SERVICE``; the authenticated ``/sparql-auth`` and
  ``/sparql-graph-crud-auth`` paths are removed after loading, so HTTP leaves only reads;
- the default ``dba``/``dba`` password is replaced at once by a random one, written to a file
  only its owner can read.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import CvekgError, display_path

__all__ = [
    "LocalServer",
    "Isql",
    "start",
    "stop",
    "running",
    "bulk_load",
    "SYSTEM_GRAPHS",
    "OUR_GRAPHS",
]

#: Graphs a fresh Virtuoso holds of its own (kept private: out of the default graph).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: Every graph a build holds starts so: what publishing again replaces.
OUR_GRAPHS = "https://w3id.org/cvekg/"
#: Where a dump's default graph goes (``graph.store.remote.DEFAULT_GRAPH_IRI``).
DEFAULT_GRAPH = "https://w3id.org/cvekg/graph/default"
_PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"

_INI = """\
; Written by cvekg virtuoso start: a loopback-only server for trying cvekg on Virtuoso.
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxClientConnections = 20
DirsAllowed = {load}
ThreadsPerQuery = 2
DisableTcpSocket = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxSortedTopRows = {sorted_rows}
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
DefaultGraph =
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CvekgError(
            f"{name} not found: install Virtuoso Open Source 7 (Debian: apt-get install -y "
            "--no-install-recommends virtuoso-opensource-7-bin)"
        )
    return found


@dataclass
class Isql:
    """``isql-vt`` connected to a server's SQL port as ``user``: runs SQL scripts."""

    address: str  # host:port of the SQL port
    user: str
    password: str

    def run(self, sql: str, timeout: float = 3600.0) -> str:
        """Run ``sql`` (statements ending in ``;``); its output. Raises ``CvekgError`` with
        the server's words on the first error."""
        command = [_binary("isql-vt"), self.address, self.user, self.password]
        command += ["VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"]
        try:
            done = subprocess.run(
                command, input=sql, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise CvekgError(f"Virtuoso at {self.address}: no answer in {timeout:g} s") from None
        output = done.stdout + done.stderr
        errors = [line for line in output.splitlines() if "*** Error" in line]
        if errors or done.returncode != 0:
            first = errors[0] if errors else output.strip().splitlines()[-1:] or ["failed"]
            reason = first if isinstance(first, str) else first[0]
            if "28000" in reason or "Bad login" in reason:
                reason = f"login refused for user {self.user} (wrong password?)"
            raise CvekgError(f"Virtuoso at {self.address}: {reason.strip()}")
        return output

    def value(self, sql: str) -> str:
        """The single value a ``SELECT`` gives (its last non-empty output line)."""
        lines = [line.strip() for line in self.run(sql).splitlines() if line.strip()]
        return lines[-1] if lines else ""


@dataclass
class LocalServer:
    """A Virtuoso started by :func:`start` in ``folder``."""

    folder: Path
    sql_port: int
    http_port: int
    pid: int

    @property
    def endpoint(self) -> str:
        """Its SPARQL endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def address(self) -> str:
        """Its SQL port, for ``isql-vt`` and ``cvekg publish --virtuoso``."""
        return f"127.0.0.1:{self.sql_port}"

    @property
    def password_file(self) -> Path:
        """The file holding the dba password (mode 600)."""
        return self.folder / "dba-password"

    def isql(self) -> Isql:
        """``isql-vt`` as dba."""
        return Isql(self.address, "dba", self.password_file.read_text().strip())


def _pid(folder: Path) -> int | None:
    """The process id the server wrote into its lock file, if it runs."""
    try:
        text = (folder / "db" / "virtuoso.lck").read_text()
    except OSError:
        return None
    try:
        pid = int(text.strip().partition("=")[2])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def running(folder: Path) -> LocalServer | None:
    """The server :func:`start` left running in ``folder``, if any."""
    folder = Path(folder)
    pid = _pid(folder)
    ports = folder / "ports"
    if pid is None or not ports.is_file():
        return None
    sql_port, http_port = (int(p) for p in ports.read_text().split())
    return LocalServer(folder.resolve(), sql_port, http_port, pid)


def start(
    folder: Path,
    sql_port: int = 0,
    http_port: int = 0,
    max_rows: int = 100000,
    memory_mb: int = 512,
    say: Callable[[str], None] | None = None,
) -> LocalServer:
    """Start Virtuoso with its database in ``folder`` (made if missing), bound to 127.0.0.1
    only (ports ``0``: free ones), and replace the default dba password by a random one in
    ``folder/dba-password`` (readable by its owner alone). A server already running there is
    returned as it is."""
    folder = Path(folder).resolve()
    say = say or (lambda line: None)
    already = running(folder)
    if already:
        say(f"Virtuoso already runs in {display_path(folder)} (pid {already.pid})")
        return already
    binary = _binary("virtuoso-t")
    _binary("isql-vt")
    (folder / "db").mkdir(parents=True, exist_ok=True)
    (folder / "load").mkdir(exist_ok=True)
    sql_port, http_port = sql_port or _free_port(), http_port or _free_port()
    buffers = max(2000, memory_mb * 1024 // 8 * 2 // 3 // 8 * 8)  # 8 kB pages, 2/3 of memory
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            db=folder / "db",
            load=folder / "load",
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            max_rows=max_rows,
            sorted_rows=max(1000000, max_rows),
        )  # fmt: skip
    )
    (folder / "ports").write_text(f"{sql_port} {http_port}\n")
    fresh = not (folder / "password-set").exists()
    log = folder / "virtuoso-start.log"
    with log.open("wb") as out:
        done = subprocess.run(
            [binary, "+configfile", str(ini), "+wait"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
    server = running(folder)
    if done.returncode != 0 or server is None:
        tail = (folder / "db" / "virtuoso.log").read_text(errors="replace").splitlines()[-5:]
        raise CvekgError(
            f"Virtuoso did not start in {display_path(folder)} (exit {done.returncode}): "
            + " / ".join(tail)
        )
    if fresh:
        _set_password(server)
    else:
        server.isql().run("SELECT 1;")  # the recorded password still works
    say(f"Virtuoso {server.address} started (pid {server.pid}): SPARQL at {server.endpoint}")
    return server


def _set_password(server: LocalServer) -> None:
    """Replace the default ``dba``/``dba`` (and ``dav``) passwords by random ones, the dba
    one written to a file only its owner can read, before anything else is done."""
    password = secrets.token_urlsafe(18)
    path = server.password_file
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    os.chmod(path, 0o600)
    Isql(server.address, "dba", "dba").run(
        f"USER_PASSWORD_SET('dav', '{secrets.token_urlsafe(18)}');\n"
        f"USER_PASSWORD_SET('dba', '{password}');\n"
    )
    (server.folder / "password-set").write_text("the dba password is in dba-password\n")


def stop(folder: Path, timeout: float = 60.0) -> int | None:
    """Stop the server :func:`start` left in ``folder`` (by its process id: SIGTERM, then
    SIGKILL after ``timeout``); its pid, or ``None`` when none ran there."""
    folder = Path(folder)
    pid = _pid(folder)
    if pid is None:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return pid


# --- publishing ------------------------------------------------------------------------------


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load_folder(isql: Isql, given: Path | None) -> Path:
    """A fresh folder the server may read (``DirsAllowed``) and this machine can write."""
    if given is not None:
        candidates = [Path(given)]
    else:
        allowed = isql.value(
            "SELECT cfg_item_value(virtuoso_ini_path(), 'Parameters', 'DirsAllowed');"
        )
        candidates = [Path(d.strip()) for d in allowed.split(",") if d.strip().startswith("/")]
    for base in candidates:
        if base.is_dir() and os.access(base, os.W_OK):
            folder = base / f"cvekg-{os.getpid()}-{secrets.token_hex(4)}"
            folder.mkdir()
            return folder
    raise CvekgError(
        f"Virtuoso at {isql.address}: none of the folders it may load from "
        f"({', '.join(map(str, candidates)) or 'DirsAllowed is empty'}) is writable here; "
        "give --load-dir, a folder both this machine and the server see, listed in DirsAllowed"
    )


def bulk_load(
    isql: Isql,
    nquads: Path,
    load_dir: Path | None = None,
    phase: Callable[[str], None] | None = None,
) -> int:
    """Replace the dataset on the server with ``nquads`` and leave it read-only over HTTP.

    Every graph under ``https://w3id.org/cvekg/`` is dropped first (a claim graph the new
    build no longer has does not survive), then the bulk loader reads the file and a
    checkpoint makes it durable. The number of quads the server then holds in our graphs.
    """
    phase = phase or (lambda name: None)
    folder = _load_folder(isql, load_dir)
    try:
        target = folder / "graph.nq"
        try:
            os.link(nquads, target)
        except OSError:
            shutil.copyfile(nquads, target)
        os.chmod(folder, 0o755)
        os.chmod(target, 0o644)
        phase("clear")
        isql.run(
            "log_enable(3, 1);\n"
            "DELETE FROM DB.DBA.RDF_QUAD WHERE id_to_iri(G) LIKE "
            f"{_sql_string(OUR_GRAPHS + '%')};\n"
            f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {_sql_string(str(folder) + '/%')};\n"
        )
        phase("load")
        isql.run(
            f"ld_dir({_sql_string(str(folder))}, 'graph.nq', {_sql_string(DEFAULT_GRAPH)});\n"
            "rdf_loader_run();\n"
        )
        failed = isql.run(
            "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL AND "
            f"ll_file LIKE {_sql_string(str(folder) + '/%')};\n"
        )
        if "graph.nq" in failed:
            raise CvekgError(f"Virtuoso at {isql.address} could not load {nquads}: {failed}")
        phase("checkpoint")
        isql.run(
            f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {_sql_string(str(folder) + '/%')};\n"
            "checkpoint;\n"
        )
        phase("read-only")
        lock_down(isql)
        count = isql.value(
            "SPARQL SELECT COUNT(*) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_sql_string(OUR_GRAPHS)})) }};"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return int(count) if count.isdigit() else 0


def lock_down(isql: Isql) -> None:
    """System graphs private, anonymous users read-only on the rest, no authenticated
    SPARQL or Graph Store paths left over HTTP. Safe to run again."""
    statements = [
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE({_sql_string(_PRIVATE)}, 1);",
        *(
            f"DB.DBA.RDF_GRAPH_GROUP_INS({_sql_string(_PRIVATE)}, {_sql_string(g)});"
            for g in SYSTEM_GRAPHS
        ),
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1);",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1, 0);",
        *(
            f"DB.DBA.VHOST_REMOVE(lhost=>'*ini*', vhost=>'*ini*', lpath=>'{path}');"
            for path in ("/sparql-auth", "/sparql-graph-crud-auth")
        ),
        "checkpoint;",
    ]
    isql.run("\n".join(statements) + "\n")
