// Builds src/app.js into bundle/liveview.js: one minified IIFE holding the
// official phoenix_live_view and phoenix packages as installed from
// package-lock.json. The bundle is committed and embedded by the Go package
// (client.go), so the build must be reproducible byte for byte: no
// timestamps, no absolute paths, nothing that depends on the machine. The
// Go test TestBundleMatchesLockFile rebuilds it from the lock file in a
// temporary directory and compares.
//
// The licence texts of both packages (MIT) are copied from node_modules into
// the bundle's leading comment, so that every copy of the bundle, including
// the one a browser downloads, carries them.
//
// No source map is shipped: it would triple the size of the module and of
// every binary that embeds the bundle, for code that is the unmodified
// upstream client.
//
// Files are written to temporary names and renamed into place, so a reader
// never sees a half-written bundle.
import { build } from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "bundle", "liveview.js");

async function notice(pkg) {
  const dir = join(here, "node_modules", pkg);
  const { version } = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
  const text = (await readFile(join(dir, "LICENSE.md"), "utf8")).trim();
  if (text.includes("*/")) {
    throw new Error(`${pkg}/LICENSE.md contains "*/", which would end the bundle's comment`);
  }
  return `${pkg} ${version}:\n\n${text}`;
}

const notices = [await notice("phoenix_live_view"), await notice("phoenix")];
const banner =
  "/*! liveview client bundle: the official Phoenix LiveView client, built by\n" +
  "liveview's client/build.mjs. It contains the following packages.\n\n" +
  notices.join("\n\n") +
  "\n*/";

const result = await build({
  entryPoints: [join(here, "src", "app.js")],
  outfile,
  bundle: true,
  format: "iife",
  minify: true,
  target: ["es2017"],
  platform: "browser",
  legalComments: "none",
  banner: { js: banner },
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
