"""The ``membumi`` console script: the commands users need, plus Django's own.

membumi demo [--port N] [--no-serve]   migrate, load the demo world (idempotent), serve
membumi serve [--port N]               web server and background worker together
membumi worker                         background worker (django-tasks) and its scheduler
membumi remind [--at DATE] [--no-email] one reminder pass now (for cron), then the e-mails
membumi import-employees FILE          import a CSV/XLSX (or --template FILE)
membumi <django command> ...           e.g. migrate, createsuperuser, check
"""

import os
import signal
import subprocess
import sys

DEMO_ACCOUNTS = [
    "admin",
    "penyelenggara",
    "widyaiswara",
    "mentor",
    "peserta",
    "pimpinan",
    "penguji",
]


def _setup(demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("DEBUG", "1")
        os.environ.setdefault("MEMBUMI_DEMO", "1")
        os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "membumi.settings")
    import django

    django.setup()


def _port(args: list[str]) -> tuple[str, list[str]]:
    port = os.environ.get("PORT", "8000")
    rest = []
    iterator = iter(args)
    for arg in iterator:
        if arg == "--port":
            port = next(iterator, port)
        elif arg.startswith("--port="):
            port = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if not port.isdigit():
        sys.exit(f"membumi: --port needs a number, got {port!r}")
    return port, rest


def serve(port: str) -> None:
    """Run the worker in a child process and the web server in this one."""
    from django.conf import settings
    from django.core.management import call_command

    # The worker gets its own process group: with DEBUG it is an autoreloader parent with a
    # child doing the work, and both must stop with the web server (also on SIGTERM).
    worker = subprocess.Popen(
        [sys.executable, "-m", "membumi.cli", "worker"],
        env=os.environ.copy(),
        start_new_session=True,
    )
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        print(f"Membumi: http://127.0.0.1:{port}/  (Ctrl+C to stop)", flush=True)
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_group(worker)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(0)


def _stop_group(process: subprocess.Popen) -> None:
    """Stop a child started with its own session and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def demo(args: list[str]) -> None:
    port, rest = _port(args)
    _setup(demo=True)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo_world")
    print("\nDemo logins (password for all: membumi-demo):")
    for username in DEMO_ACCOUNTS:
        print(f"  {username}")
    if "--no-serve" not in rest:
        serve(port)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command == "demo":
        demo(rest)
        return
    if command == "serve":
        port, _rest = _port(rest)
        _setup()
        serve(port)
        return
    _setup()
    from django.core.management import execute_from_command_line

    if command == "worker":
        # db_worker plus the periodic scheduler (reminder pass, e-mail outbox).
        execute_from_command_line(["membumi", "worker", *rest])
        return
    execute_from_command_line(["membumi", command.replace("-", "_"), *rest])


if __name__ == "__main__":
    main()
