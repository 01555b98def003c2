// Prints the licence of every package installed here: the GraphiQL UMD bundle carries GraphiQL's own dependency
// tree inside it, and React and ReactDOM are served beside it. (GraphiQL's maintainers built the bundle from their
// own lockfile, so a bundled package's exact version may differ from the one resolved here.) Packages whose
// licence texts are identical share one copy of it.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const texts = new Map(); // licence text -> the packages that carry it
for (const path of Object.keys(lock.packages).filter((p) => p.startsWith("node_modules/")).sort()) {
  const meta = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
  const file = readdirSync(path).find((f) => /^(licen[cs]e|copying)/i.test(f));
  const text = file ? readFileSync(join(path, file), "utf8").trim()
    : `${meta.license} (the package ships no licence file; see https://spdx.org/licenses/${meta.license}.html)`;
  texts.set(text, [...(texts.get(text) ?? []), `${meta.name} ${meta.version} (${meta.license})`]);
}
console.log("Third-party software served by the qms development GraphiQL page (schema/static/graphiql/).\n");
for (const [text, names] of texts) {
  console.log("=".repeat(78));
  for (const name of names) console.log(name);
  console.log("-".repeat(78));
  console.log(text + "\n");
}
