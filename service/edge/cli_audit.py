"""The auditor's `qms` commands: verify the hash chain (or an export, or a signed checkpoint), export the log, sign
a checkpoint of its head."""

from __future__ import annotations

import argparse
import asyncio
import sys

from service.settings import Settings


async def with_services(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Run `work(services)` with the services started on `settings`, and close them whatever happens."""
    from service.bootstrap import start_services

    services = await start_services(settings)
    try:
        return await work(services)
    finally:
        await services.close()


def cmd_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    import orjson

    from service.audit.export import check_checkpoint, verify_export
    from service.audit.verify import verify_chain

    if args.export:
        with Path(args.export).open("rb") as lines:
            exported = verify_export(lines)
        if not exported.ok:
            print(f"TAMPERED: {exported.problem}")
            return 1
        print(f"ok: {exported.checked} exported events, hash chain intact, head {exported.head}")
        return 0

    async def work(services):  # type: ignore[no-untyped-def]
        async with services.pool.acquire() as conn:
            report = await verify_chain(conn)
            problem = None
            if report.ok and args.checkpoint:
                problem = await check_checkpoint(conn, orjson.loads(Path(args.checkpoint).read_bytes()))
            return report, problem

    report, problem = asyncio.run(with_services(Settings.from_env(run_projections=False), work))
    if not report.ok:
        print(f"TAMPERED at position {report.position}: {report.problem}")
        return 1
    if problem:
        print(f"CHECKPOINT FAILED: {problem}")
        return 1
    print(f"ok: {report.checked} events, hash chain intact" + (", checkpoint holds" if args.checkpoint else ""))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from service.audit.export import export_lines

    async def work(services):  # type: ignore[no-untyped-def]
        out = open(args.out, "wb") if args.out else sys.stdout.buffer  # noqa: SIM115
        count = 0
        try:
            async with services.pool.acquire() as conn:
                async for line in export_lines(conn):
                    out.write(line)
                    count += 1
        finally:
            if args.out:
                out.close()
        return count

    count = asyncio.run(with_services(Settings.from_env(run_projections=False), work))
    print(f"exported {count} events", file=sys.stderr)
    return 0


def cmd_checkpoint(args: argparse.Namespace) -> int:
    import orjson

    from service.audit.export import load_or_create_signing_key, make_checkpoint

    settings = Settings.from_env(run_projections=False)

    async def work(services):  # type: ignore[no-untyped-def]
        async with services.pool.acquire() as conn:
            return await make_checkpoint(conn, load_or_create_signing_key(settings.data_dir))

    checkpoint = asyncio.run(with_services(settings, work))
    text = orjson.dumps(checkpoint, option=orjson.OPT_INDENT_2)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(text)
    else:
        print(text.decode())
    return 0
