// Live updates of a procedure's page and of a signatory list, over Server-Sent Events.
// Progressive enhancement only: without this script the pages are complete, and reloading
// shows the same state. The texts come from the page (<script type="application/json"
// id="i18n">) so that sentences read exactly as the server writes them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  const dictEl = document.getElementById("i18n");
  if (!live || !dictEl || !window.EventSource || !window.fetch) return;
  let dict;
  try {
    dict = JSON.parse(dictEl.textContent);
  } catch (_) {
    return;
  }

  const digits = dict.digits || "0123456789";
  const num = (s) => String(s).replace(/[0-9]/g, (d) => digits[+d]);
  const fill = (text, params) =>
    text.replace(/\{([A-Za-z0-9_]+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(params, k) ? params[k] : m));
  const t = (key, params) => fill(dict[key] || key, params || {});
  const make = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== "") e.setAttribute(k, v);
    }
    e.append(...children);
    return e;
  };

  // The calendar date of an instant in the page's time zone, written as the server does.
  const formatDate = (when) => {
    const d = new Date(when);
    if (isNaN(d)) return "";
    let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1, day = d.getUTCDate();
    try {
      const f = new Intl.DateTimeFormat("en-US", { timeZone: dict.zone || "UTC", year: "numeric", month: "numeric", day: "numeric" });
      for (const p of f.formatToParts(d)) {
        if (p.type === "year") y = +p.value;
        if (p.type === "month") m = +p.value;
        if (p.type === "day") day = +p.value;
      }
    } catch (_) {
      // An unknown zone: the UTC date.
    }
    return t("format.date", { day: num(day), month: dict["month." + m] || String(m), year: num(y) });
  };

  // One sentence per reason, as the server's reasonSentences.
  const sentences = (reasons) => {
    const out = [];
    for (const r of reasons || []) {
      const key = r.key || r.Key;
      if (!key) continue;
      const params = r.params || r.Params || {};
      const p = {};
      for (const k of Object.keys(params)) {
        if (k !== "majority" && k !== "need") p[k] = num(params[k]);
      }
      out.push(t(key, p));
      if (key === "result.majority") {
        const need = /^(\d+) of (\d+)$/.exec(params.need || "");
        if (params.majority === "simple") out.push(t("majority.need.simple"));
        else if (need) out.push(t("majority.need." + params.majority, { needed: num(need[1]), base: num(need[2]) }));
      }
    }
    return out;
  };

  const showResult = (outcome, final, reasons) => {
    const o = document.getElementById("outcome");
    if (o) {
      o.textContent = dict["outcome." + outcome] || outcome;
      o.className = "outcome outcome-" + outcome;
    }
    const s = document.getElementById("result-state");
    if (s) {
      s.textContent = t(final ? "proc.result_final" : "proc.result_provisional");
      s.dataset.final = final ? "true" : "false";
    }
    const ul = document.getElementById("reasons");
    if (ul) ul.replaceChildren(...sentences(reasons).map((x) => make("li", {}, x)));
  };

  const setNum = (id, n) => {
    const e = document.getElementById(id);
    if (e && n !== undefined) e.textContent = num(n);
  };

  // Regions of the page marked data-region are fetched again and swapped in: "soft" ones
  // (responses, who has not responded) after a change, at most every few seconds; all of
  // them when the procedure closes or the stream says events were missed.
  // A refresh asked for while one runs is done after it, so the page ends up with the
  // newest state.
  let running = false;
  let again = null;
  const refresh = async (kind) => {
    if (running) {
      again = again === "full" || kind === "full" ? "full" : "soft";
      return;
    }
    running = true;
    try {
      const res = await fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } });
      if (res.ok) {
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const sel = kind === "soft" ? '[data-region="soft"]' : "[data-region]";
        for (const old of document.querySelectorAll(sel)) {
          const fresh = old.id && doc.getElementById(old.id);
          if (fresh) old.replaceWith(document.importNode(fresh, true));
        }
      }
    } catch (_) {
      // Offline for a moment: the next event or a reload brings the page up to date.
    } finally {
      running = false;
      if (again) {
        const next = again;
        again = null;
        refresh(next);
      }
    }
  };
  let softTimer = null;
  const softRefresh = () => {
    if (softTimer || !document.querySelector('[data-region="soft"]')) return;
    softTimer = setTimeout(() => {
      softTimer = null;
      refresh("soft");
    }, 2000 + Math.random() * 4000);
  };

  // The signatory list: new signatories are appended with their number and date; anything
  // else (a signature withdrawn, a count that does not add up) refetches the list.
  let expectSigned = null;
  let checkTimer = null;
  const checkList = () => {
    if (!document.getElementById("signatories") || expectSigned === null || checkTimer) return;
    checkTimer = setTimeout(() => {
      checkTimer = null;
      const ol = document.getElementById("signatories");
      if (ol && ol.children.length !== expectSigned) refresh("full");
    }, 1500);
  };
  const nameIn = (s) => {
    const lang = dict.lang || "";
    if (lang === s.name_lang) return "";
    const names = s.names || {};
    const n = names[lang] || names[lang.split("-")[0]] || "";
    return n !== s.name ? n : "";
  };
  const onSignatory = (ev) => {
    const ol = document.getElementById("signatories");
    if (!ol) return;
    for (const s of ev.signatories || []) {
      if (document.getElementById("sig-" + s.org_id)) {
        refresh("full"); // signed again: the numbers after it move
        return;
      }
      const stale = document.getElementById("stale-" + s.org_id);
      if (stale) stale.remove();
      const n = ol.children.length + 1;
      const translated = nameIn(s);
      const li = make("li", { id: "sig-" + s.org_id, "data-org": s.org_id },
        make("span", { class: "sig-number" }, num(n)), " ",
        make("span", { class: "sig-name", lang: s.name_lang, dir: "auto" }, s.name));
      if (translated) li.append(" ", make("span", { class: "translation", dir: "auto" }, "(" + translated + ")"));
      li.append(" ", make("span", { class: "sig-country" }, dict["country." + s.country] || s.country), " ",
        make("time", { datetime: s.signed_at }, formatDate(s.signed_at)));
      ol.append(li);
    }
    const none = document.getElementById("no-signatories");
    if (none) none.hidden = ol.children.length > 0;
    const staleList = document.getElementById("stale");
    const staleSection = document.getElementById("stale-section");
    if (staleList && staleSection) staleSection.hidden = staleList.children.length === 0;
    const status = document.getElementById("list-status");
    if (status) status.textContent = t("sig.as_of_open", { date: formatDate(Date.now()) });
    checkList();
  };

  const parse = (e) => {
    try {
      return JSON.parse(e.data);
    } catch (_) {
      return null;
    }
  };
  // EventSource resends the last event ID itself when it reconnects.
  const es = new EventSource(live.dataset.live);
  es.addEventListener("open", () => {
    live.dataset.state = "open";
  });
  es.addEventListener("tally", (e) => {
    const ev = parse(e);
    if (!ev) return;
    showResult(ev.outcome, ev.final, ev.reasons);
    for (const dd of document.querySelectorAll("#tally [data-answer]")) {
      dd.textContent = num((ev.counts || {})[dd.dataset.answer] || 0);
    }
    setNum("tally-responded", ev.responded);
    setNum("tally-stale", ev.stale);
    setNum("tally-electorate", ev.electorate);
    if (ev.counts) {
      expectSigned = ev.counts.sign || 0;
      checkList();
    }
    softRefresh();
  });
  es.addEventListener("signatory", (e) => {
    const ev = parse(e);
    if (ev) onSignatory(ev);
  });
  es.addEventListener("status", (e) => {
    es.close();
    refresh("full");
    const ev = parse(e);
    if (ev) showResult(ev.outcome, true, ev.reasons);
  });
  es.addEventListener("reset", () => refresh("full"));
});
