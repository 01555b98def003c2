"""The root schema: merges each feature's queries and mutations, and sets the execution limits."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from schema.feedback import FeedbackMutations, FeedbackQueries
from schema.history import HistoryQueries
from schema.measures import MeasureMutations, MeasureQueries
from schema.teams import TeamMutations, TeamQueries

Query = merge_types("Query", (MeasureQueries, HistoryQueries, TeamQueries, FeedbackQueries))
Mutation = merge_types("Mutation", (TeamMutations, MeasureMutations, FeedbackMutations))

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


class Schema(strawberry.Schema):
    """Errors are reported to the client, not logged here: schema/http.py logs the unexpected ones, with the
    request id, and a client's invalid query or a domain refusal is not a server problem."""

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        return None


# The limit rules are built once: the validation cache is keyed by the rule classes, and building them per
# request (as the limiter extensions do) would make every request a cache miss and revalidate the document.
LIMIT_RULES = [*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
               *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules]


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema with its limits; introspection can be switched off (production)."""
    extensions: list[object] = [
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return Schema(query=Query, mutation=Mutation, extensions=extensions)  # type: ignore[arg-type]
