// The liveview client bundle: the official Phoenix LiveView client, started
// with the conventions of the liveview Go server.
//
// Page contract:
//   <meta name="csrf-token" content="...">            sent as _csrf_token on connect
//   <meta name="liveview-socket" content="/live">     socket path (default "/live")
//   <script defer src="/live/liveview.js"></script>
//
// Hooks: define window.LiveViewHooks = {Name: {...}} in any script that runs
// before the bundle, or call window.LiveView.registerHook("Name", {...}) from
// code that runs after the bundle but before DOMContentLoaded: a deferred
// script placed after a deferred bundle, an inline script after a blocking
// bundle, or a DOMContentLoaded listener added by an earlier inline script.
// The socket is only created and connected on DOMContentLoaded so that all of
// them have had their chance; hooks registered later still apply to elements
// mounted afterwards, because LiveSocket keeps a reference to this registry
// object rather than a copy.
import { Socket } from "phoenix";
import { LiveSocket } from "phoenix_live_view";

const DEFAULT_SOCKET_PATH = "/live";

// Where a websocket has not opened within this many milliseconds (a proxy
// that drops upgrades, a network that blocks them), the client switches to
// the long-poll transport, which the server speaks at /live/longpoll, and
// remembers the choice for the session. Phoenix's generated app.js uses the
// same 2.5 s. window.LiveViewOptions.longPollFallbackMs overrides it (0 or
// null turns the fallback off).
const LONG_POLL_FALLBACK_MS = 2500;

function metaContent(name) {
  const el = document.querySelector(`meta[name="${name}"]`);
  const value = el && el.getAttribute("content");
  return value ? value : null;
}

// One registry object for the page's lifetime: LiveSocket looks hooks up in it
// by name each time an element with phx-hook mounts.
// Hooks an app defined before the bundle ran are adopted, and the global
// then names the registry itself, so that assigning to it later also works.
const hooks = Object.assign({}, window.LiveViewHooks || {});
window.LiveViewHooks = hooks;

function registerHook(name, hook) {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("LiveView.registerHook: name must be a non-empty string");
  }
  if (hook === null || (typeof hook !== "object" && typeof hook !== "function")) {
    throw new TypeError(`LiveView.registerHook: hook ${name} must be an object or a class`);
  }
  hooks[name] = hook;
  return hook;
}

let liveSocket = null;

// start creates and connects the LiveSocket once; later calls return it.
// Extra LiveSocket options may be given in window.LiveViewOptions; params are
// merged so that the CSRF token is always sent.
function start() {
  if (liveSocket) {
    return liveSocket;
  }
  const extra = window.LiveViewOptions || {};
  const path = metaContent("liveview-socket") || DEFAULT_SOCKET_PATH;
  const token = metaContent("csrf-token");
  const params = Object.assign({}, extra.params || {}, { _csrf_token: token });
  liveSocket = new LiveSocket(
    path,
    Socket,
    Object.assign({ longPollFallbackMs: LONG_POLL_FALLBACK_MS }, extra, { params, hooks }),
  );
  liveSocket.connect();
  window.liveSocket = liveSocket;
  api.liveSocket = liveSocket;
  return liveSocket;
}

// The server's Socket.ExecJS pushes the event "lv:exec" with a CSS selector
// and a JS command list: run the list on each element the selector matches,
// as if the element's binding had fired it.
window.addEventListener("phx:lv:exec", (e) => {
  const { to, js } = e.detail || {};
  if (!liveSocket || typeof to !== "string" || !Array.isArray(js)) {
    return;
  }
  let els;
  try {
    els = document.querySelectorAll(to);
  } catch (err) {
    console.error(`liveview: ExecJS: invalid selector ${JSON.stringify(to)}`, err);
    return;
  }
  els.forEach((el) => liveSocket.execJS(el, js));
});

const api = {
  version: LiveSocket.prototype.version ? LiveSocket.prototype.version() : null,
  hooks,
  registerHook,
  start,
  liveSocket: null,
  Socket,
  LiveSocket,
};

window.LiveView = api;

// A deferred script runs while readyState is already "interactive" but before
// DOMContentLoaded, so readyState alone cannot tell whether later scripts may
// still register hooks; the script's own defer flag can.
const self = document.currentScript;
const deferred = self !== null && self.defer && !self.async;
if (document.readyState === "loading" || (deferred && document.readyState === "interactive")) {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
