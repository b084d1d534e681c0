// Conformance harness: drives the official client's Rendered class (rendered.js
// from phoenix_live_view, aliased as "liveview-rendered" when the Go test
// bundles this file with esbuild) over JSON lines on stdin, one answer per line:
//   {"join": rendered, "html": true}  -> new Rendered(...) from the join render
//   {"diff": diff, "html": true}      -> extract + mergeDiff, as View.update does
//   {"prune": [cids], "html": true}   -> pruneCIDs, as the reply to cids_destroyed does
// With "html", the answer carries the HTML the client renders for the view
// (Rendered#toString, the path View.renderContainer takes), without the
// attributes the client adds for itself, and the "stream" entries it hands
// to the DOM patcher ("streams"). Errors are answered, not thrown, so a
// bad message fails one case and not the whole process.
import Rendered from "liveview-rendered";
import { createInterface } from "node:readline";

// The client's deepClone (utils.ts) asks `"structuredClone" in window`; Node
// has structuredClone on globalThis but no window. This is the only DOM-side
// name the merge and render paths touch.
globalThis.window ??= globalThis;

const clientOnlyAttrs = / data-phx-(?:id|skip|component|view)(?:="[^"]*")?/g;

let view = null;
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let answer;
  try {
    const msg = JSON.parse(line);
    let extracted;
    if (msg.join !== undefined) {
      extracted = Rendered.extract(msg.join);
      view = new Rendered("phx-conformance", extracted.diff);
    } else if (msg.diff !== undefined) {
      if (view === null) throw new Error("diff before join");
      extracted = Rendered.extract(msg.diff);
      view.mergeDiff(extracted.diff);
    } else if (msg.prune !== undefined) {
      if (view === null) throw new Error("prune before join");
      view.pruneCIDs(msg.prune);
    }
    answer = { ok: true };
    if (extracted) {
      answer.title = extracted.title ?? null;
      answer.events = extracted.events;
      answer.reply = extracted.reply;
    }
    if (msg.html) {
      const out = view.toString(null);
      answer.html = out.buffer.replace(clientOnlyAttrs, "");
      // The stream entries the render hands to the DOM patcher.
      answer.streams = Array.from(out.streams || []);
    }
  } catch (e) {
    answer = { error: String((e && e.stack) || e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
