#!/usr/bin/env bash
# Rebuild the GraphiQL assets that the development IDE serves from the package (schema/static/graphiql/), so the
# page works with no CDN. Run from anywhere: `bash graphiql/build.sh`; it needs node and npm (the npm registry).
# Versions are pinned in graphiql/package.json and locked, with their integrity hashes, in package-lock.json; to
# upgrade, change package.json, run `npm install --ignore-scripts` here, then this script, and commit all three.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../schema/static/graphiql"
cd "$here"
npm ci --ignore-scripts --no-audit --no-fund --silent
rm -rf "$out" && mkdir -p "$out"
# GraphiQL 4.x is the newest line with a UMD build (a plain <script>, no bundler); it expects React and ReactDOM
# as globals, and React 18 is the newest React with UMD builds.
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css "$out/"
cp node_modules/react/umd/react.production.min.js node_modules/react-dom/umd/react-dom.production.min.js "$out/"
node licences.mjs > "$out/THIRD_PARTY_LICENSES.txt"
node -e 'const l = require("./package-lock.json").packages;
  for (const n of ["graphiql", "react", "react-dom"]) console.log(n, l["node_modules/" + n].version);' > "$out/VERSIONS"
echo "built $(ls "$out" | wc -l) files into schema/static/graphiql/:"; cat "$out/VERSIONS"
