"""The root schema: merges each feature's queries, mutations and subscriptions, and sets the execution limits."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from schema.actions import ActionMutations, ActionQueries
from schema.assurance import AssuranceMutations, AssuranceQueries
from schema.balance import BalanceQueries
from schema.board import BoardQueries
from schema.escalations import EscalationMutations, EscalationQueries
from schema.executor import Executor
from schema.feedback import FeedbackMutations, FeedbackQueries
from schema.history import HistoryQueries
from schema.huddles import HuddleMutations, HuddleQueries
from schema.improvement import ImprovementMutations, ImprovementQueries
from schema.inputs import compile_inputs
from schema.integrations import IntegrationMutations, IntegrationQueries
from schema.measures import MeasureBrowsing, MeasureMutations, MeasureQueries
from schema.planning import PlanningMutations, PlanningQueries
from schema.signals import SignalMutations, SignalQueries
from schema.subscriptions import Subscription
from schema.teams import TeamMutations, TeamQueries

Query = merge_types("Query", (MeasureQueries, MeasureBrowsing, HistoryQueries, TeamQueries, FeedbackQueries,
                              PlanningQueries, ActionQueries, HuddleQueries, EscalationQueries, AssuranceQueries,
                              ImprovementQueries, BalanceQueries, SignalQueries, BoardQueries,
                              IntegrationQueries))
Mutation = merge_types("Mutation", (TeamMutations, MeasureMutations, FeedbackMutations, PlanningMutations,
                                    ActionMutations, HuddleMutations, EscalationMutations, AssuranceMutations,
                                    ImprovementMutations, SignalMutations, IntegrationMutations))

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000

# strawberry's limiter extensions make their validation rules; the rules are taken once and run by the executor
# with graphql-core's own (see schema/executor.py).
LIMIT_RULES = [*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
               *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules]


def build_schema() -> strawberry.Schema:
    """The schema's types and resolvers (its SDL is `build_schema().as_str()`)."""
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)


def build_executor(*, introspection: bool = True) -> Executor:
    """The schema with its limits, as the endpoint runs it; introspection can be switched off (production)."""
    schema = build_schema()
    compile_inputs(schema)
    return Executor(schema, limit_rules=LIMIT_RULES, max_tokens=MAX_TOKENS, introspection=introspection)
