// TimeZone tells the server the browser's time zone once the element is
// live; the server renders the time there.
export const TimeZone = {
  mounted() {
    this.pushEvent("time-zone", { tz: Intl.DateTimeFormat().resolvedOptions().timeZone });
  },
};
