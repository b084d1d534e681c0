// The liveview client bundle: the official Phoenix LiveView client, started
// with the conventions of the liveview Go server.
//
// Page contract:
//   <meta name="csrf-token" content="...">            sent as _csrf_token on connect
//   <meta name="liveview-socket" content="/live">     socket path (default "/live")
//   <script defer src="/live/liveview.js"></script>
//
// Hooks: define window.LiveViewHooks = {Name: {...}} before the bundle runs, or
// call window.LiveView.registerHook("Name", {...}) from any script that runs
// before DOMContentLoaded (inline scripts placed after a deferred bundle do).
// The socket is only created and connected on DOMContentLoaded so that every
// such script has had its chance; hooks registered later still apply to
// elements mounted afterwards, because LiveSocket keeps a reference to the
// same registry object rather than a copy.
import { Socket } from "phoenix";
import { LiveSocket } from "phoenix_live_view";

const DEFAULT_SOCKET_PATH = "/live";

function metaContent(name) {
  const el = document.querySelector(`meta[name="${name}"]`);
  const value = el && el.getAttribute("content");
  return value ? value : null;
}

// One registry object for the page's lifetime: LiveSocket looks hooks up in it
// by name each time an element with phx-hook mounts.
const hooks = Object.assign({}, window.LiveViewHooks || {});

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
    Object.assign({}, extra, { params, hooks }),
  );
  liveSocket.connect();
  window.liveSocket = liveSocket;
  api.liveSocket = liveSocket;
  return liveSocket;
}

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

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
