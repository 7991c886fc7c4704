// The persistent audio player. One <audio> element lives in the layout, so playback continues across page
// navigation; this module drives it, measures how long each track was really heard, and reports plays to the
// server's validated API (POST /api/plays) with the session cookie that names the listener.

let audio = null;
let dotnet = null;
let current = null;      // { trackId, listenerId, source, startedAt, heardMs, reported }
let lastTime = 0;
let lastPush = 0;

export function init(element, dotnetRef) {
  audio = element;
  dotnet = dotnetRef;
  audio.addEventListener("timeupdate", onTimeUpdate);
  audio.addEventListener("play", () => { lastTime = audio.currentTime; push(true); });
  audio.addEventListener("pause", () => push(true));
  audio.addEventListener("ended", onEnded);
  audio.addEventListener("loadedmetadata", () => push(true));
  audio.addEventListener("error", () => dotnet.invokeMethodAsync("OnError", describeError()));
  audio.addEventListener("seeking", () => { lastTime = audio.currentTime; });
  document.addEventListener("keydown", onKey);
  window.addEventListener("pagehide", () => report(true));
}

export function dispose() {
  report(true);
  document.removeEventListener("keydown", onKey);
  audio = null;
  dotnet = null;
}

// Starts a track. The previous one's listening time is reported first.
export async function load(trackId, listenerId, source, autoplay) {
  await report(false);
  current = { trackId, listenerId, source, startedAt: new Date().toISOString(), heardMs: 0, reported: false };
  lastTime = 0;
  audio.src = `/api/tracks/${trackId}/audio`;
  audio.load();
  if (autoplay) {
    try { await audio.play(); } catch (e) { dotnet?.invokeMethodAsync("OnError", `Playback did not start: ${e.message}`); }
  }
}

export async function toggle() {
  if (!audio?.src) return;
  if (audio.paused) { await audio.play(); } else { audio.pause(); }
}

export function seek(seconds) {
  if (!audio || !isFinite(audio.duration)) return;
  audio.currentTime = Math.max(0, Math.min(audio.duration - 0.05, seconds));
  lastTime = audio.currentTime;
  push(true);
}

export function setVolume(volume) { if (audio) audio.volume = Math.max(0, Math.min(1, volume)); }

export function state() {
  return audio ? { currentTime: audio.currentTime, duration: audio.duration || 0, paused: audio.paused, heardMs: current?.heardMs ?? 0 } : null;
}

// Chooses who this browser listens as (null id = a new listener). The server sets the session cookie.
export async function setSessionListener(listenerId, name) {
  const response = await fetch("/api/session/listener", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ listenerId, name }),
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`Could not choose listener: HTTP ${response.status}`);
  return await response.json();
}

function onTimeUpdate() {
  const t = audio.currentTime;
  const delta = t - lastTime;
  // Only continuous playback counts as heard; a jump (seek) does not.
  if (current && !audio.paused && delta > 0 && delta < 2) current.heardMs += delta * 1000;
  lastTime = t;
  push(false);
}

async function onEnded() {
  // The stretch since the last timeupdate (they come every quarter second or so) was heard too: without it a track
  // played to its end was logged a fraction of a second short, a 0:30 track as "heard 0:29".
  const delta = audio.duration - lastTime;
  if (current && isFinite(delta) && delta > 0 && delta < 2) current.heardMs += delta * 1000;
  lastTime = audio.duration;
  await report(false);
  push(true);
  dotnet?.invokeMethodAsync("OnEnded");
}

function push(force) {
  const now = performance.now();
  if (!dotnet || (!force && now - lastPush < 250)) return;
  lastPush = now;
  dotnet.invokeMethodAsync("OnState", audio.currentTime, isFinite(audio.duration) ? audio.duration : 0, audio.paused,
    Math.round(current?.heardMs ?? 0)).catch(() => {});
}

async function report(unloading) {
  const play = current;
  if (!play || play.reported || play.heardMs < 1000) return;
  play.reported = true;
  const body = JSON.stringify({
    listenerId: play.listenerId, trackId: play.trackId, msPlayed: Math.round(play.heardMs),
    startedAt: play.startedAt, source: play.source,
  });
  if (unloading && navigator.sendBeacon) {
    navigator.sendBeacon("/api/plays", new Blob([body], { type: "application/json" }));
    return;
  }
  try {
    const response = await fetch("/api/plays", {
      method: "POST", headers: { "Content-Type": "application/json" }, body, credentials: "same-origin",
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      dotnet?.invokeMethodAsync("OnError", `Play not recorded: ${problem.detail ?? response.status}`);
    }
  } catch (e) {
    dotnet?.invokeMethodAsync("OnError", `Play not recorded: ${e.message}`);
  }
}

function onKey(e) {
  const target = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  switch (e.key) {
    case " ": e.preventDefault(); toggle(); break;
    case "ArrowRight": e.preventDefault(); e.shiftKey ? dotnet?.invokeMethodAsync("OnNext") : seek(audio.currentTime + 5); break;
    case "ArrowLeft": e.preventDefault(); e.shiftKey ? dotnet?.invokeMethodAsync("OnPrevious") : seek(audio.currentTime - 5); break;
    case "ArrowUp": e.preventDefault(); setVolume(audio.volume + 0.1); dotnet?.invokeMethodAsync("OnVolume", audio.volume); break;
    case "ArrowDown": e.preventDefault(); setVolume(audio.volume - 0.1); dotnet?.invokeMethodAsync("OnVolume", audio.volume); break;
  }
}

function describeError() {
  const codes = { 1: "aborted", 2: "network error", 3: "decode error", 4: "format not supported or file missing" };
  return `Audio error: ${codes[audio?.error?.code] ?? "unknown"}`;
}
