"""The development GraphiQL page and its assets, served by the service itself (no CDN), so the IDE works on a
network that reaches nothing but the service. The assets are vendored by graphiql/build.sh."""

from __future__ import annotations

import json
import os
from hashlib import sha256
from pathlib import Path
from string import Template
from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
STATIC = HERE / "static" / "graphiql"
STATIC_PATH = "/graphiql/static"
ASSETS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css")
# The asset URLs carry a digest of the assets' contents, so a browser may keep them for good: a rebuild changes
# every URL.
IMMUTABLE = "public, max-age=31536000, immutable"


class ImmutableStaticFiles(StaticFiles):
    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def assets_version() -> str:
    digest = sha256()
    for name in ASSETS:
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:16]


def graphiql_page(endpoint: str = "/graphql") -> str:
    """The IDE's HTML, pointing at the assets under STATIC_PATH and sending requests to `endpoint`."""
    template = Template((HERE / "graphiql.html").read_text())
    return template.substitute(static=STATIC_PATH, version=assets_version(), endpoint=json.dumps(endpoint))


def graphiql_routes() -> list[BaseRoute]:
    return [Mount(STATIC_PATH, app=ImmutableStaticFiles(directory=STATIC), name="graphiql-static")]


def graphiql_url(base_url: str, token: str) -> str:
    """The page's address with a bearer token in its fragment, which the page keeps for the tab and wipes from the
    address bar; a browser never sends a fragment to the server, so the token reaches no access log."""
    return f"{base_url.rstrip('/')}/graphql#token={quote(token, safe='')}"
