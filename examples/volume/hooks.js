// The volume example's client hook. A file, not an inline script, so that
// the page works under a Content-Security-Policy without 'unsafe-inline'.
// The meter shows every "volume" event the server pushes; when mounted, the
// hook asks the server for the limit, and shows the reply.
window.LiveViewHooks = Object.assign(window.LiveViewHooks || {}, {
  VolumeMeter: {
    mounted() {
      const meter = this.el.querySelector("meter");
      this.handleEvent("volume", ({level}) => {
        meter.value = level;
        meter.textContent = level + "%";
        this.el.dataset.level = level;
      });
      this.pushEvent("limits", {}, reply => { this.el.querySelector(".max").textContent = "max " + reply.max; });
    }
  }
});
