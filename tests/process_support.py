"""Real processes for the reliability tests: the app's own commands (celery worker, gunicorn,
manage.py) run as subprocesses with production settings, and a private PostgreSQL cluster and
Redis server in a scratch folder, which a test may stop and start at will (the shared ones on
5432/6379 are never touched).

Every process runs in a session of its own, so that killing it kills its children too (a
prefork worker's pool, gunicorn's workers). Every wait is bounded.
"""

import contextlib
import glob
import os
import shutil
import signal
import subprocess  # nosec B404 - fixed commands, no shell
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.tickets.mail_support import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET_KEY = "reliability-tests-secret-key-0123456789abcdef"  # nosec B105


def wait_until(check, timeout: float, what: str, interval: float = 0.05):
    """Call `check` until it returns something truthy, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def app_env(database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of a production process of the app (helpdesk.settings.prod)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_", "CELERY_", "EMAIL_")) and key not in ("REDIS_URL",)
    }
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings.prod",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def database_url(settings_dict: dict, name: str | None = None) -> str:
    """A DATABASE_URL for a Django connection's settings (e.g. the test database's)."""
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name or settings_dict['NAME']}"


class Process:
    """A command in a session of its own, its output in a log file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.log = args, log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(  # nosec B603 - fixed commands
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        """The pids of the process's direct children (a prefork worker's pool)."""
        found = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                found.append(int(stat.split("/")[2]))
        return found

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 15) -> None:
        """Send `sig` to the whole session and wait for the process to end."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=timeout)


def celery_worker(env: dict, log: Path, *, name: str, concurrency: int = 1) -> Process:
    """`celery -A helpdesk worker` as in production (prefork), logging each task."""
    return Process(
        [
            str(BIN / "celery"),
            "-A",
            "helpdesk",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
        ],
        {**env, "CELERY_LOG_LEVEL": "INFO"},
        log,
    )


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(  # nosec B603 - fixed commands
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def _postgres_bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL's server programs are missing: run scripts/ensure_services.sh"
    return Path(initdb).parent


class PrivatePostgres:
    """A PostgreSQL cluster of our own on a free port (initdb, trust auth on 127.0.0.1 only).

    initdb and the server refuse to run as root: as root, they run as the `postgres` user.
    """

    def __init__(self):
        self.bindir = _postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        self.port = free_port()
        self.as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        data = str(self.root / "data")
        self._run(
            "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(  # nosec B603 - fixed commands
            [*self.as_owner, str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        assert result.returncode == 0, f"{program}: {result.stdout[-2000:]}{result.stderr[-2000:]}"

    def start(self) -> None:
        # fsync off: a crash of the server process (not of the machine) still loses nothing,
        # and migrating a fresh database takes seconds instead of tens of seconds.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.root / "data"),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; "immediate" is a crash (the next start recovers from the WAL)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", mode, "-w", "stop")

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def destroy(self) -> None:
        with contextlib.suppress(AssertionError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own on a free port, keeping nothing on disk."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.process: Process | None = None

    def start(self) -> None:
        program = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = Process(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.folder)],
            dict(os.environ),
            self.folder / "redis.log",
        )
        wait_until(self._answers, 10, "redis-server to answer")

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill(signal.SIGTERM)
            self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
