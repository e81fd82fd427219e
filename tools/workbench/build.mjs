// Builds static/vendor/codemirror-sparql.js: CodeMirror 6 and its SPARQL mode in one file,
// with a header naming each bundled package's version and licence. Run: npm ci && npm run build
import { build } from "esbuild";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "../../src/medkg/templates/server/static/vendor/codemirror-sparql.js");
const result = await build({
  entryPoints: [join(here, "entry.mjs")],
  bundle: true, minify: true, format: "iife", globalName: "CM", target: "es2020",
  write: false, metafile: true, legalComments: "none",
});
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (!m || packages.has(m[1])) continue;
  const pkg = JSON.parse(readFileSync(join(here, "node_modules", m[1], "package.json"), "utf8"));
  packages.set(m[1], `${pkg.name} ${pkg.version} (${pkg.license})`);
}
const header = "/*! medkg query editor: CodeMirror 6 with its SPARQL mode, bundled by\n" +
  " * tools/workbench/build.mjs (esbuild). Licences: see codemirror-sparql-LICENSE.txt.\n" +
  [...packages.values()].sort().map((p) => " *   " + p).join("\n") + "\n */\n";
writeFileSync(out, header + result.outputFiles[0].text);
// Every bundled package's own licence text, next to the bundle.
const licences = [...packages.keys()].sort().map((name) => {
  const dir = join(here, "node_modules", name);
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt"].find((f) => existsSync(join(dir, f)));
  return `== ${packages.get(name)} ==\n` + (file ? readFileSync(join(dir, file), "utf8") : "MIT\n");
});
writeFileSync(out.replace(/\.js$/, "-LICENSE.txt"), licences.join("\n"));
console.log(`wrote ${out} (${result.outputFiles[0].text.length} bytes)\n${header}`);
