// Builds src/app.js into static/app.js (and its source map static/app.js.map),
// which main.go embeds and the liveview server serves instead of its own
// client bundle. `node build.mjs --watch` rebuilds on every change.
import { build, context } from "esbuild";
import { readFile } from "node:fs/promises";

// The phoenix packages are MIT licensed: their notices go at the top of the
// bundle, which every copy carries (esbuild keeps a banner when minifying).
async function notice(pkg) {
  const text = await readFile(`node_modules/${pkg}/LICENSE.md`, "utf8");
  return `${pkg}:\n\n${text.trim()}`;
}
const banner = `/*! This bundle contains:\n\n${(await Promise.all(["phoenix_live_view", "phoenix"].map(notice))).join("\n\n")}\n*/`;

const options = {
  entryPoints: ["src/app.js"],
  outfile: "static/app.js",
  bundle: true,
  format: "iife",
  minify: true,
  // "external": no sourceMappingURL comment; the server announces the map
  // with a SourceMap header at the bundle's content-hashed URL.
  sourcemap: "external",
  target: ["es2017"],
  banner: { js: banner },
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  await (await context(options)).watch();
} else {
  await build(options);
}
