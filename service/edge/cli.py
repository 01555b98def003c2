"""The `qms` command line: serve, project, migrate, rebuild, token, demo, policy, check, import, config; the
auditor's verify, export and checkpoint live in cli_audit.py."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from service.edge.cli_audit import cmd_checkpoint, cmd_export, cmd_verify
from service.edge.cli_audit import with_services as _with_services
from service.settings import ConfigError, Settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.edge.app import create_app
    from service.edge.logs import configure_logging, uvicorn_log_config
    from service.edge.process import tune_gc
    from service.edge.supervisor import ProjectionProcess

    given = {k: v for k, v in (("host", args.host), ("port", args.port), ("projections", args.projections),
                               ("workers", args.workers), ("access_log", args.access_log or None)) if v is not None}
    settings = Settings.from_env(**given)
    args.projections, args.workers = settings.projections, settings.workers
    in_process = args.projections == "in-process"
    settings = Settings.from_env(run_projections=in_process, **given)
    configure_logging(settings.effective_log_format, settings.access_log)
    print(f"qms: serving GraphQL on http://{settings.host}:{settings.port}/graphql "
          f"({'DATABASE_URL' if settings.database_url else 'embedded PostgreSQL in ' + str(settings.data_dir)}; "
          f"projections {args.projections})")
    if in_process and args.workers > 1:
        print("qms: --projections in-process needs --workers 1", file=sys.stderr)
        return 2
    if not settings.database_url:
        # This process holds the embedded server for the whole family (API workers, projection process): it exits
        # after them, so it is the last user and stops the server, whichever of them died before.
        from service.bootstrap import resolve_database_url

        resolve_database_url(settings)
    worker = ProjectionProcess() if args.projections == "process" else None
    try:
        if worker is not None:
            worker.start()
        if args.workers > 1:  # each worker process builds its own app from the same environment
            uvicorn.run("service.edge.app:create_app_from_env", factory=True, workers=args.workers, host=settings.host,
                        port=settings.port, log_level="info", loop="uvloop", http="httptools",
                        access_log=False, log_config=uvicorn_log_config())
        else:
            app = create_app(settings)
            tune_gc()
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                        loop="uvloop", http="httptools", access_log=False, log_config=uvicorn_log_config())
    finally:
        if worker is not None:
            worker.stop()
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    """Run the projection runners only, until stopped (SIGTERM or Ctrl-C), or until the parent process named by
    --with-parent is gone (so a `qms serve` killed with -9 leaves no orphan behind)."""
    import signal
    import threading
    import time

    from service.edge.process import lower_priority, tune_gc

    if args.with_parent:
        def watch_parent() -> None:  # a thread: it works whatever state the event loop is in
            while os.getppid() == args.with_parent:
                time.sleep(1.0)
            # The parent is gone (killed with -9?): stop as on SIGTERM, leaving the embedded server, which this
            # process stops if it was the last user. Should the loop not get there, leave it from here.
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(PARENT_GONE_GRACE)
            from service.eventstore.embedded import release_all

            release_all()
            os._exit(0)  # every batch applied so far is committed with its position

        threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
        lower_priority()  # the projections beside `qms serve` give way to its requests

    async def run() -> None:
        from service import tracing
        from service.bootstrap import start_services

        tracing.configure()
        services = await start_services(Settings.from_env(run_projections=True))
        tune_gc()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await services.close()

    import uvloop  # the event loop `qms serve` runs on too: the runners' database round trips cost less on it

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run())
    from service.edge.signals import exit_on_signals

    exit_on_signals()  # the closed loop left the default actions, which would skip leaving the embedded server
    return 0


PARENT_GONE_GRACE = 15.0  # seconds `qms project` may take to stop once its parent is gone (Services.close: 10)


def cmd_migrate(_: argparse.Namespace) -> int:
    from service.bootstrap import resolve_database_url
    from service.eventstore.database import create_pool, migrate

    async def run() -> list[str]:
        pool = await create_pool(resolve_database_url(Settings.from_env()), min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                return await migrate(conn)
        finally:
            await pool.close()

    applied = asyncio.run(run())
    print("applied: " + (", ".join(applied) if applied else "nothing, already up to date"))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from service.eventstore.projection_runner import rebuild

    async def work(services):  # type: ignore[no-untyped-def]
        chosen = [p for p in services.projections if not args.projection or p.name in args.projection]
        for p in chosen:
            await rebuild(services.pool, p)
            services.notifier.positions[p.name] = 0
        head = await services.store.head()
        with Progress() as progress:
            tasks = {p.name: progress.add_task(f"Rebuilding {p.name}", total=max(head, 1)) for p in chosen}
            while True:
                done = True
                for name, task in tasks.items():
                    position = services.notifier.positions.get(name, 0)
                    progress.update(task, completed=position)
                    done = done and position >= head
                if done:
                    break
                await services.notifier.wait_changed(0.5)
        print(f"rebuilt {', '.join(tasks)} up to position {head}")

    asyncio.run(_with_services(Settings.from_env(), work))
    return 0


def _integration_principal(settings: Settings, integration_id: str) -> tuple[str, str, list[str]] | None:
    """A registered integration's token: its id as the subject, role INTEGRATION, its team (read from the
    Integration aggregate itself, so a registration just made is found)."""
    from dataclasses import replace

    from domain.planning.integration import Integration
    from service.ids import valid_uuid

    if not valid_uuid(integration_id):
        return None

    async def work(services):  # type: ignore[no-untyped-def]
        return await services.repository.load(integration_id)

    found = asyncio.run(_with_services(replace(settings, run_projections=False), work))
    if not isinstance(found, Integration) or found.retired:
        return None
    return integration_id, "INTEGRATION", [found.team_id]


def cmd_token(args: argparse.Namespace) -> int:
    from service.bootstrap import token_service

    settings = Settings.from_env()
    if args.graphiql is not None and not settings.development:
        print("qms: GraphiQL is off in production (QMS_ENV=production)", file=sys.stderr)
        return 2
    if args.integration:
        found = _integration_principal(settings, args.integration)
        if found is None:
            print(f"qms: no registered integration has id {args.integration}", file=sys.stderr)
            return 2
        subject, role, teams = found
    elif not (args.subject and args.role):
        print("qms: token needs --subject and --role, or --integration ID", file=sys.stderr)
        return 2
    else:
        subject, role, teams = args.subject, args.role.upper(), args.team or []
    token = token_service(settings).issue(subject, role, teams, ttl_seconds=args.hours * 3600)
    if args.graphiql is None:
        print(token)
        return 0
    from schema.graphiql import graphiql_url

    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(graphiql_url(args.graphiql or f"http://{host}:{settings.port}", token))
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from service.edge.demo import load_demo

    async def work(services):  # type: ignore[no-untyped-def]
        ids = await load_demo(services)
        if not ids:
            print("the demo organisation is already loaded")
            return
        await services.wait_for_projections(await services.store.head())
        for name, measure_id in ids.items():
            print(f"{measure_id}  {name}")

    asyncio.run(_with_services(Settings.from_env(), work))
    return 0


def cmd_policy(_: argparse.Namespace) -> int:
    from service.auth.permissions import policy_markdown

    print(policy_markdown())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """For container healthchecks: `live` (the API answers), `ready` (its read models are caught up), `projections`
    (a runner holds each projection's lock, somewhere)."""
    settings = Settings.from_env()
    if args.what in ("live", "ready"):
        import urllib.error
        import urllib.request

        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        url = f"http://{host}:{settings.port}/{'healthz' if args.what == 'live' else 'readyz'}"
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return 0 if response.status == 200 else 1
        except (urllib.error.URLError, OSError) as e:
            print(f"qms: {url}: {e}", file=sys.stderr)
            return 1

    async def work(services):  # type: ignore[no-untyped-def]
        from service.eventstore.projection_runner import lock_key

        names = [p.name for p in services.projections]
        async with services.pool.acquire() as conn:
            held = {r[0] for r in await conn.fetch(
                "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
                "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")}
        return [n for n in names if lock_key(n) not in held]

    missing = asyncio.run(_with_services(Settings.from_env(run_projections=False), work))
    if missing:
        print(f"qms: no runner holds {', '.join(missing)}", file=sys.stderr)
    return 1 if missing else 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from service.edge.importer import ImportFailed, file_key, import_file, kind_of

    path = Path(args.file)
    try:
        kind_of(path)
        size = path.stat().st_size
    except (ValueError, OSError) as e:
        print(f"qms: {e}", file=sys.stderr)
        return 2
    token = args.token or os.environ.get("QMS_TOKEN")
    if not token:
        print("qms: import needs --token (or QMS_TOKEN): a token whose teams own the measures, e.g. from "
              "`qms token --role INTEGRATION --team TEAM_ID --subject feed`", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = args.url or f"http://{host}:{settings.port}"
    key = args.idempotency_key or file_key(path)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task(f"importing {path.name}", total=size)
        try:
            totals = import_file(path, url, token, key, on_chunk=lambda _, n: progress.advance(task, n))
        except ImportFailed as e:
            progress.stop()
            print(f"qms: import stopped: {e}\nWhat was sent before is stored; rerun the same command "
                  f"(--idempotency-key {key}) to resume without double counting.", file=sys.stderr)
            return 1
    print(f"{totals.rows:,} rows in {totals.chunks} chunks: {totals.accepted:,} accepted, "
          f"{totals.duplicates:,} duplicates, {totals.corrected:,} corrected, {len(totals.errors):,} errors")
    for error in totals.errors[:20]:
        print(f"  row {error['index']}: {error['code']}: {error['message']}")
    if len(totals.errors) > 20:
        print(f"  ... and {len(totals.errors) - 20:,} more")
    return 0 if not totals.errors else 3


def cmd_config(_: argparse.Namespace) -> int:
    rows = Settings.from_env().describe()
    width = max(len(v) for v, _, _ in rows)
    shown = max(len(v) for _, v, _ in rows)
    for variable, value, doc in rows:
        print(f"{variable:<{width}}  {value:<{shown}}  # {doc}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from service.edge.logs import configure_logging
    from service.edge.signals import Stopped, end_by, exit_on_signals

    production = os.environ.get("QMS_ENV") == "production"
    configure_logging(os.environ.get("QMS_LOG_FORMAT") or ("json" if production else "text"))
    exit_on_signals()
    parser = argparse.ArgumentParser(prog="qms", description="Event-sourced quality management service.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service (embedded PostgreSQL unless DATABASE_URL is set)")
    serve.add_argument("--host", help="default QMS_HOST, else 127.0.0.1")
    serve.add_argument("--port", type=int, help="default QMS_PORT, else 8000")
    serve.add_argument("--projections", choices=("process", "in-process", "none"),
                       help="run the projections in a child process (default: the API keeps its core), in the API "
                            "process, or not at all (another process runs them)")
    serve.add_argument("--access-log", action="store_true",
                       help="log every request (off by default: at thousands of requests a second it costs)")
    serve.add_argument("--workers", type=int,
                       help="API processes sharing the port (default 1; each has its own pool and caches)")
    serve.set_defaults(run=cmd_serve)
    project = sub.add_parser("project", help="run the projections only (one runner per projection across processes)")
    project.add_argument("--with-parent", type=int, help=argparse.SUPPRESS)
    project.set_defaults(run=cmd_project)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    rebuild = sub.add_parser("rebuild", help="rebuild projections from the event log")
    rebuild.add_argument("projection", nargs="*", help="names (default: all)")
    rebuild.set_defaults(run=cmd_rebuild)
    token = sub.add_parser("token", help="print a signed development token")
    token.add_argument("--subject")
    token.add_argument("--role")
    token.add_argument("--integration", metavar="ID",
                       help="a registered integration's token: its id as the subject, its team, role INTEGRATION")
    token.add_argument("--team", action="append", help="a team id (repeatable)")
    token.add_argument("--hours", type=int, default=12)
    token.add_argument("--graphiql", nargs="?", const="", metavar="BASE_URL",
                       help="print instead a GraphiQL address that carries the token (development only; the server "
                            "at BASE_URL, by default http://QMS_HOST:QMS_PORT)")
    token.set_defaults(run=cmd_token)
    sub.add_parser("demo", help="load a demo organisation with two years of data").set_defaults(run=cmd_demo)
    verify = sub.add_parser("verify", help="check the event log's hash chain (or an export, or a checkpoint)")
    verify.add_argument("--checkpoint", help="a checkpoint file from `qms checkpoint` that must still hold")
    verify.add_argument("--export", help="verify an export file from `qms export` instead of the database")
    verify.set_defaults(run=cmd_verify)
    export = sub.add_parser("export", help="write the log as JSON lines with hashes, for third-party audit")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)
    checkpoint = sub.add_parser("checkpoint", help="sign the chain head (Ed25519) for later checks")
    checkpoint.add_argument("--out", help="file to write (default: standard output)")
    checkpoint.set_defaults(run=cmd_checkpoint)
    sub.add_parser("policy", help="print the permission policy as a table").set_defaults(run=cmd_policy)
    imports = sub.add_parser("import", help="post a CSV or NDJSON file of observations to a server's intake, in "
                                            "chunks, resumable")
    imports.add_argument("file", metavar="FILE.csv|FILE.ndjson")
    imports.add_argument("--idempotency-key", help="the import's key (default: from the file's content); a rerun "
                                                   "with the same key stores only what is not stored yet")
    imports.add_argument("--url", help="the server (default http://QMS_HOST:QMS_PORT)")
    imports.add_argument("--token", help="a bearer token (default QMS_TOKEN)")
    imports.set_defaults(run=cmd_import)
    sub.add_parser("config", help="print the effective configuration (secrets masked)").set_defaults(run=cmd_config)
    check = sub.add_parser("check", help="exit 0 when healthy: live, ready, or projections (for healthchecks)")
    check.add_argument("what", choices=("live", "ready", "projections"))
    check.set_defaults(run=cmd_check)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as e:
        print(f"qms: bad configuration: {e}", file=sys.stderr)
        return 2
    except Stopped as stopped:
        end_by(stopped)
        raise  # the signal's default action does not apply to pid 1 (a container's): exit with 128 + its number


if __name__ == "__main__":
    sys.exit(main())
