// Builds src/app.js into dist/liveview.js (IIFE, minified, with a linked
// source map) through esbuild's JS API. The output is written to temporary
// files and renamed into place, so a test reading the bundle while another
// build runs never sees a half-written file.
import { build } from "esbuild";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "liveview.js");

const result = await build({
  entryPoints: [join(here, "src", "app.js")],
  outfile,
  bundle: true,
  format: "iife",
  minify: true,
  sourcemap: "linked",
  target: ["es2017"],
  platform: "browser",
  legalComments: "linked",
  write: false,
  logLevel: "warning",
});

await mkdir(dirname(outfile), { recursive: true });
const suffix = `.tmp-${process.pid}`;
for (const file of result.outputFiles) {
  const tmp = file.path + suffix;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
console.log(
  "built " +
    result.outputFiles.map((f) => `${basename(f.path)} (${f.contents.length} B)`).join(", "),
);
