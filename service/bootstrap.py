"""The composition root: builds the database, event store, repository, projections and tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from domain.control.action import Action
from domain.control.signal import Signal
from domain.improvement.cycle import PdsaCycle
from projections.assurance import AssuranceProjection
from projections.balance import BalanceProjection
from projections.base import Projection
from projections.catalog import CatalogProjection
from projections.control.projection import ControlProjection
from projections.erasures import ErasureProjection
from projections.feedback import FeedbackProjection
from projections.improvement import ImprovementProjection
from projections.integrations import IntegrationProjection
from projections.planning import PlanningProjection
from projections.signals.projection import SignalProjection
from projections.spc.projection import SpcProjection
from service.audit.personal_data import PersonalDataVault
from service.auth.identity import OidcIssuer, TokenService, load_or_create_secret
from service.eventstore import EventCodec, EventMeta, EventStore
from service.eventstore.database import create_pool, embedded_database_url, migrate
from service.eventstore.notifications import Notifier
from service.eventstore.projection_runner import DecodedEvents, ProjectionRunner
from service.eventstore.repository import Repository
from service.reads.versions import VersionProbe
from service.settings import Settings

# Events of other aggregates that put notes on the charts of the measures they name (see projections/spc/annotations).
CHART_NOTES = (Action.ActionCreated, Action.ActionCompleted, PdsaCycle.CyclePlanned)


def make_projections() -> list[Projection]:
    return [CatalogProjection(), SpcProjection(annotating=CHART_NOTES), FeedbackProjection(), ErasureProjection(),
            PlanningProjection(), ControlProjection(), AssuranceProjection(), ImprovementProjection(),
            BalanceProjection(), SignalProjection(), IntegrationProjection()]


@dataclass
class Services:
    settings: Settings
    database_url: str
    pool: asyncpg.Pool
    store: EventStore
    codec: EventCodec
    repository: Repository
    notifier: Notifier
    tokens: TokenService
    projections: list[Projection]
    vault: PersonalDataVault
    versions: VersionProbe
    runners: list[ProjectionRunner] = field(default_factory=list)

    async def wait_for_projections(self, position: int, names: tuple[str, ...] | None = None) -> bool:
        """Read-your-writes: wait until the named projections (default: every one) have applied `position`."""
        if position <= 0:
            return True
        if names is None:
            names = tuple(p.name for p in self.projections)
        return await self.notifier.wait_for(names, position, self.settings.read_your_writes_timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop runners and writer, then the pool; a database that went away cannot hold shutdown up."""
        try:
            async with asyncio.timeout(timeout):
                for runner in self.runners:
                    await runner.stop()
                await self.store.stop()
                await self.notifier.stop()
                await self.pool.close()
        except TimeoutError:
            self.pool.terminate()


def signal_emitter(repository: Repository):  # type: ignore[no-untyped-def]
    """How the signals projection appends the signals it raises: as the service itself, each under an idempotency
    key made of its derived id, all at once (they share a group commit). A signal already in the log answers 0."""

    async def emit(signals: Sequence[Signal]) -> list[int]:
        async def one(signal: Signal) -> int:
            meta = EventMeta(actor="qms", role="SERVICE", team_id=signal.team_id, reason=signal.detail,
                             causation_id=str(signal.cause_position), source="signals")
            saved = await repository.save(signal, meta, idempotency_key=f"qms/signal/{signal.id}")
            return 0 if saved.replayed is not None else saved.position

        return list(await asyncio.gather(*(one(s) for s in signals)))

    return emit


def resolve_database_url(settings: Settings) -> str:
    return settings.database_url or embedded_database_url(settings.data_dir)


def token_service(settings: Settings) -> TokenService:
    secret = settings.jwt_secret or load_or_create_secret(settings.data_dir)
    oidc = None
    if settings.oidc_issuer and settings.oidc_jwks_url:
        oidc = OidcIssuer(settings.oidc_issuer, settings.oidc_audience or "qms", settings.oidc_jwks_url,
                          settings.oidc_roles_claim, settings.oidc_teams_claim)
    return TokenService(secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience, oidc=oidc)


async def start_services(settings: Settings) -> Services:
    url = await asyncio.to_thread(resolve_database_url, settings)
    projections = make_projections()
    # Each runner holds a connection for its advisory lock as long as it runs. The signals projection appends while
    # its batch is open, so the writer must still find a connection when every runner holds its lock and that batch
    # its own: nine runners in a pool of ten would leave it waiting forever.
    size = max(settings.pool_max, len(projections) + 3) if settings.run_projections else settings.pool_max
    pool = await create_pool(url, min_size=settings.pool_min, max_size=size)
    async with pool.acquire() as conn:
        await migrate(conn)
    store = EventStore(pool)
    await store.start()
    codec = EventCodec()
    notifier = Notifier(url, follows={p.name: p.topics for p in projections})
    await notifier.start()
    services = Services(settings=settings, database_url=url, pool=pool, store=store, codec=codec,
                        repository=Repository(store, codec), notifier=notifier, tokens=token_service(settings),
                        projections=projections, vault=PersonalDataVault(pool),
                        versions=VersionProbe.of(p.versioned for p in projections))
    for projection in projections:
        if isinstance(projection, SignalProjection):
            projection.emit = signal_emitter(services.repository)
    async with pool.acquire() as conn:
        for name, position in await conn.fetch("SELECT name, position FROM projection_tracking"):
            notifier.record(name, position)
    if settings.run_projections:
        decoded = DecodedEvents(codec)
        for projection in services.projections:
            runner = ProjectionRunner(pool, store, codec, projection, notifier,
                                      batch_size=settings.projection_batch, decoded=decoded)
            runner.start()
            services.runners.append(runner)
    return services
