// Concord's only script: small enhancements. Every flow works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen readers announce what to fix.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Copy buttons for one-time secrets (invitation links, API tokens).
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        const label = button.textContent;
        button.textContent = button.dataset.copied || label;
        setTimeout(() => { button.textContent = label; }, 2000);
      } catch (_) {
        // Clipboard refused: the secret stays selectable by hand.
      }
    });
  }

  // Suggest the browser's time zone in an empty time zone field.
  const zone = document.querySelector(".suggest-zone input[name='time_zone']");
  if (zone && zone.value === "" && window.Intl) {
    try {
      zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (_) {
      // No zone data: leave the field empty.
    }
  }

  // "Use this" fills the translation with a memory suggestion in place; without the script
  // the same button sends the form and the server fills it.
  for (const button of document.querySelectorAll("button[data-fill]")) {
    button.addEventListener("click", (event) => {
      const target = document.getElementById(button.dataset.fill);
      if (!target) return;
      event.preventDefault();
      target.value = button.value;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
    });
  }
});
