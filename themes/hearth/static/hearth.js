/*
 * hearth — small enhancements for every page of the built-in theme. Each page
 * reads fine without this script; it only adds:
 *
 *  - the reader's local time beside an event's time, when the reader's clock
 *    differs from the event's zone at that moment. The page prints the time in the
 *    event's zone; the exact instant is in <time class="event-time" datetime>
 *    (with `data-end` for the end), so nothing is guessed.
 *  - a "Copy" button on code blocks.
 */
"use strict";

(() => {
  /** The UTC offset written at the end of an RFC 3339 time, in minutes; or null. */
  const writtenOffset = (iso) => {
    const match = /(?:([+-])(\d\d):(\d\d)|Z)$/.exec(iso);
    if (!match || !iso.includes("T")) return null;
    if (!match[1]) return 0;
    const minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  };

  const sameDay = (a, b) => a.toDateString() === b.toDateString();

  const localTimes = () => {
    const language = document.documentElement.lang || undefined;
    const time = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" });
    const dayAndTime = new Intl.DateTimeFormat(language, {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    const zone = new Intl.DateTimeFormat(language, { timeZoneName: "short" });
    for (const node of document.querySelectorAll("time.event-time[datetime]")) {
      const iso = node.getAttribute("datetime");
      const offset = writtenOffset(iso);
      const start = new Date(iso);
      if (offset === null || Number.isNaN(start.getTime())) continue;
      // Same wall clock as the event's zone at that instant: nothing to add.
      if (-start.getTimezoneOffset() === offset) continue;
      const end = node.dataset.end ? new Date(node.dataset.end) : null;
      let text = dayAndTime.format(start);
      if (end && !Number.isNaN(end.getTime())) {
        text += `–${sameDay(start, end) ? time.format(end) : dayAndTime.format(end)}`;
      }
      const zoneName = zone.formatToParts(start).find((part) => part.type === "timeZoneName");
      const note = document.createElement("span");
      note.className = "local-time";
      note.textContent = `Your time: ${text} ${zoneName ? zoneName.value : ""}`.trim();
      node.after(note);
    }
  };

  const copyButtons = () => {
    if (!navigator.clipboard) return;
    for (const pre of document.querySelectorAll(".prose pre")) {
      const code = pre.querySelector("code") || pre;
      const wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.replaceWith(wrapper);
      wrapper.append(pre);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      const label = pre.getAttribute("aria-label");
      if (label) button.setAttribute("aria-label", `Copy ${label.charAt(0).toLowerCase()}${label.slice(1)}`);
      const feedback = document.createElement("span");
      feedback.className = "visually-hidden";
      feedback.setAttribute("aria-live", "polite");
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(code.textContent).then(
          () => {
            button.textContent = "Copied";
            feedback.textContent = "Copied to the clipboard";
          },
          () => {
            button.textContent = "Copy failed";
          },
        );
        setTimeout(() => {
          button.textContent = "Copy";
          feedback.textContent = "";
        }, 2000);
      });
      wrapper.append(button, feedback);
    }
  };

  localTimes();
  copyButtons();
})();
