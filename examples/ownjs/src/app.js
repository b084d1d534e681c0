// The app's own client: the official LiveView client, started the way the
// liveview Go server expects (CSRF token and socket path from the meta tags
// that Page.Head writes), with the app's hooks and any other code it wants.
import { Socket } from "phoenix";
import { LiveSocket } from "phoenix_live_view";
import { TimeZone } from "./hooks.js";

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content");

const liveSocket = new LiveSocket(meta("liveview-socket") || "/live", Socket, {
  params: { _csrf_token: meta("csrf-token") },
  hooks: { TimeZone },
});
liveSocket.connect();
window.liveSocket = liveSocket; // for the console: liveSocket.enableDebug()
