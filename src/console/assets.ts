// The console's one stylesheet and one script, served as same-origin files (the CSP allows no inline code).

export const CONSOLE_CSS = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; background: #1f2933; color: #fff; }
header nav a { color: #cbd2d9; margin-right: .8rem; text-decoration: none; }
header nav a[aria-current] { color: #fff; border-bottom: 2px solid #4fd1c5; }
main { padding: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 .6rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.muted { color: #7b8794; } .small { font-size: .8rem; } header .muted { color: #9aa5b1; }
table.grid { border-collapse: collapse; background: #fff; }
table.grid th, table.grid td { border: 1px solid #d9dee3; padding: .25rem .5rem; text-align: left; vertical-align: top; }
table.grid thead th { background: #eef1f4; position: sticky; top: 0; }
.state { font-weight: 600; padding: 0 .35rem; border-radius: 3px; }
.state.up { color: #0b6e4f; background: #d7f5e9; } .state.down { color: #a61b1b; background: #fde2e2; }
tr.down td, td.down, th.down { background: #fdeeee; color: #a61b1b; }
td.odd { background: #fff3c4; } td.missing { color: #a61b1b; font-style: italic; }
.flag { display: inline-block; margin-left: .3rem; padding: 0 .3rem; border-radius: 3px; background: #e4e7eb; font-size: .8rem; }
.flag.bad, .bad { background: #fde2e2; color: #a61b1b; }
td.repair code.copy { display: block; margin: .2rem 0; white-space: pre-wrap; background: #f0f2f4; padding: .1rem .3rem; }
button, a.button { font: inherit; padding: .15rem .6rem; border: 1px solid #9aa5b1; border-radius: 3px; background: #fff; color: inherit; text-decoration: none; cursor: pointer; }
button.danger { border-color: #a61b1b; color: #a61b1b; }
form.filter { margin: .6rem 0; display: flex; gap: .8rem; align-items: baseline; }
`;

/**
 * Live updates (server-sent events: which HSMs answer), quorum countdowns and copy buttons. Progressive:
 * every page is complete without it.
 */
export const CONSOLE_JS = `'use strict';
(function () {
  // A page shows what it read; an HSM going down is marked in place, one coming back reloads the page.
  function setState(id, up) {
    var states = document.querySelectorAll('[data-hsm-state="' + CSS.escape(id) + '"]');
    if (states.length === 0 || (states[0].textContent === 'up') === up) return;
    if (up) { location.reload(); return; }
    states.forEach(function (el) {
      el.textContent = 'down';
      el.classList.remove('up');
      el.classList.add('down');
    });
    document.querySelectorAll('[data-hsm="' + CSS.escape(id) + '"]').forEach(function (el) {
      el.classList.remove('up');
      el.classList.add('down');
      // A matrix column: its cells say so too.
      if (el.tagName !== 'TH') return;
      var table = el.closest('table');
      var column = el.cellIndex;
      if (table && table.tBodies[0])
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          var cell = row.cells[column];
          if (!cell) return;
          cell.className = 'down';
          cell.textContent = 'HSM down';
        });
    });
  }
  var live = document.getElementById('live');
  if (window.EventSource) {
    var events = new EventSource('/events');
    events.addEventListener('hsms', function (e) {
      JSON.parse(e.data).forEach(function (h) { setState(h.id, h.up); });
      if (live) live.textContent = 'live';
    });
    events.onerror = function () { if (live) live.textContent = 'not live (reload)'; };
    // A page left behind must give its stream back: the browser allows few connections per host.
    window.addEventListener('pagehide', function () { events.close(); });
    window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('.countdown[data-deadline]').forEach(function (el) {
      var left = Math.max(0, Math.round((Number(el.getAttribute('data-deadline')) - now) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = left === 0 ? 'expired' : m + ':' + (s < 10 ? '0' : '') + s + ' left';
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button[data-copy]');
    if (!b || !navigator.clipboard) return;
    navigator.clipboard.writeText(b.getAttribute('data-copy')).then(function () { b.textContent = 'Copied'; });
  });
})();
`;
