// Kairos dashboard: the only script. It checks a payload is JSON before sending it, and keeps a
// run's page current from the server-sent events of /runs/{id}/live. Everything works without it
// except the live updates (reload the page instead).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-json-form]")) {
    form.addEventListener("submit", (event) => {
      const box = form.querySelector("textarea");
      const message = form.querySelector(".problem");
      const text = box.value.trim();
      if (text === "") {
        return;
      }
      try {
        JSON.parse(text);
        message.hidden = true;
      } catch (error) {
        event.preventDefault();
        message.textContent = "The payload is not valid JSON: " + error.message + ". Fix it, or leave the box empty for no payload.";
        message.hidden = false;
        box.focus();
      }
    });
  }

  const live = document.querySelector("[data-live]");
  if (live && window.EventSource) {
    follow(live.getAttribute("data-live"));
  }
});

function follow(url) {
  const source = new EventSource(url);
  const log = document.getElementById("run-log");
  source.addEventListener("log", (event) => {
    const line = JSON.parse(event.data);
    const span = document.createElement("span");
    span.className = "log-" + line.stream;
    span.textContent = line.at.replace("T", " ").replace(/\..*|Z|\+.*/, "") + " UTC " + line.text + "\n";
    log.appendChild(span);
  });
  source.addEventListener("state", (event) => {
    const run = JSON.parse(event.data);
    const badge = document.createElement("span");
    badge.className = "state state-" + run.state;
    badge.textContent = run.state;
    document.getElementById("run-state").replaceChildren(badge);
    document.getElementById("run-attempt").textContent = run.attempt + " of " + run.maxAttempts;
    document.getElementById("run-started").textContent = time(run.startedAt);
    document.getElementById("run-finished").textContent = time(run.finishedAt);
    document.getElementById("run-error").textContent = run.error || "";
    document.getElementById("run-output").textContent = pretty(run.output);
  });
  source.addEventListener("end", () => source.close());
}

function time(value) {
  return value ? new Date(value).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—";
}

function pretty(text) {
  if (!text) {
    return "";
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
