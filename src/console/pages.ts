// The console's server-rendered pages: plain HTML strings (escaped here), one stylesheet and one script, no inline code.
import type { HsmEntry } from '../cluster/state-dir.js';
import type { AuditEntry } from '../hsm/audit.js';
import type { OpResult } from '../protocol/operations.js';
import type { TokenView } from '../protocol/quorum.js';
import { APPLIANCE_USER, type UserView } from '../protocol/types.js';
import type { KeySummary } from './keys.js';
import type { AuditCheckpoint, AuditView, ClusterView, PerHsm } from './state.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/;
export const esc = (value: unknown): string => {
  const text = String(value);
  // Most values (user names, roles, ids) need nothing: skip the replace and its allocation.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
};

const NAV: readonly [string, string][] = [
  ['/', 'Cluster'],
  ['/users', 'Users × HSMs'],
  ['/keys', 'Keys × HSMs'],
  ['/quorum', 'Quorum'],
  ['/audit', 'Audit'],
];

export function layout(title: string, path: string, clusterId: string, body: string): string {
  const nav = NAV.map(
    ([href, label]) => `<a href="${href}"${href === path ? ' aria-current="page"' : ''}>${esc(label)}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · LocalHSM console</title><link rel="stylesheet" href="/console.css"><script src="/console.js" defer></script></head>
<body><header><strong>LocalHSM</strong> <span class="muted">${esc(clusterId)}</span><nav>${nav}</nav><span id="live" class="muted"></span></header>
<main><h1>${esc(title)}</h1>
${body}</main></body></html>`;
}

export function messagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><link rel="stylesheet" href="/console.css"></head><body><main><h1>${esc(title)}</h1><p>${esc(text)}</p></main></body></html>`;
}

const state = (id: string, up: boolean) =>
  `<span class="state ${up ? 'up' : 'down'}" data-hsm-state="${esc(id)}">${up ? 'up' : 'down'}</span>`;

export function clusterPage(view: ClusterView): string {
  const rows = view.hsms
    .map((h) => {
      const action = h.up ? 'stop' : 'start';
      return `<tr data-hsm="${esc(h.id)}" class="${h.up ? 'up' : 'down'}">
<td><code>${esc(h.id)}</code></td><td>${esc(h.address)}</td><td>${esc(h.type)}</td><td>${state(h.id, h.up)}${h.detail ? `<div class="muted small">${esc(h.detail)}</div>` : ''}</td>
<td>${h.activated === undefined ? '–' : h.activated ? 'activated' : 'not activated'}</td><td>${h.users ?? '–'}</td><td>${h.keys ?? '–'}</td>
<td>${h.devClock === undefined ? '–' : `<time>${esc(new Date(h.devClock).toISOString())}</time>`}</td>
<td><a class="button" href="/hsm/${esc(h.id)}/${action}">${action === 'stop' ? 'Stop…' : 'Start…'}</a></td></tr>`;
    })
    .join('\n');
  return `<p>State directory <code>${esc(view.stateDir)}</code>. Up/down updates live.</p>
<table class="grid"><thead><tr><th>HSM</th><th>Address</th><th>Type</th><th>State</th><th>Activation</th><th>Users</th><th>Keys</th><th>Dev clock</th><th>Fault drill</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function confirmPage(hsm: HsmEntry, action: 'stop' | 'start', csrf: string): string {
  const what =
    action === 'stop'
      ? `Stop ${hsm.id} (${hsm.host}:${hsm.port})? Its state stays; the cluster answers with the other HSMs, as in a failed-HSM drill. Same as localhsm hsm stop --hsm ${hsm.id}.`
      : `Start ${hsm.id} again on ${hsm.host}:${hsm.port}? Same as localhsm hsm start --hsm ${hsm.id}.`;
  return `<p>${esc(what)} The audit log of ${esc(hsm.id)} records it as done from the console.</p>
<form method="post" action="/hsm/${esc(hsm.id)}/${action}"><input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" class="danger">${action === 'stop' ? 'Stop' : 'Start'} ${esc(hsm.id)}</button> <a href="/">Cancel</a></form>`;
}

type Cell = UserView | undefined;

/** The cloudhsm-cli command(s) that would make a user the same on every HSM, as text to copy. */
function repairCommand(username: string, cells: readonly Cell[], upCount: number): string[] {
  const present = cells.filter((c): c is UserView => c !== undefined);
  const first = present[0]!;
  const user = `--username ${username} --role ${first.role}`;
  const commands: string[] = [];
  if (new Set(present.map((c) => c.role)).size > 1)
    return [
      `user delete --username ${username} --role ${first.role}`,
      `user create ${user}   # then re-register MFA / quorum keys`,
    ];
  if (present.length < upCount)
    commands.push(`user create ${user}   # re-run: creates it where missing (or user delete ${user})`);
  const differs = (pick: (c: UserView) => boolean) => new Set(present.map(pick)).size > 1;
  if (differs((c) => c.locked)) commands.push(`user change-password ${user}   # unlocks it everywhere`);
  if (differs((c) => c.mfa))
    commands.push(`user change-mfa token-sign ${user} --token mfa-token.json   # or --deregister`);
  if (differs((c) => c.quorum))
    commands.push(
      `user change-quorum token-sign register --public-key ${username}.pub --signed-token signed.json   # logged in as ${username}`,
    );
  return commands;
}

/** A cell of the matrix; its column (the th with data-hsm) says which HSM, which keeps 3,000 cells small. */
function userCell(c: Cell, odd: boolean): string {
  if (!c) return `<td class="missing${odd ? ' odd' : ''}">missing</td>`;
  const flags =
    (c.locked ? '<span class="flag bad">locked</span>' : '') +
    (c.mfa ? '<span class="flag">MFA</span>' : '') +
    (c.quorum ? '<span class="flag">quorum</span>' : '');
  return `<td${odd ? ' class="odd"' : ''}>${esc(c.role)}${flags}</td>`;
}

const sameView = (a: UserView, b: UserView) =>
  a.role === b.role && a.locked === b.locked && a.mfa === b.mfa && a.quorum === b.quorum;

export function usersPage(perHsm: readonly PerHsm<UserView[]>[]): string {
  const index = new Map<string, Cell[]>();
  perHsm.forEach((o, i) => {
    if (!o.up) return;
    for (const u of o.value) {
      let cells = index.get(u.username);
      if (!cells) index.set(u.username, (cells = new Array<Cell>(perHsm.length).fill(undefined)));
      cells[i] = u;
    }
  });
  const names = [...index.keys()].filter((n) => n !== APPLIANCE_USER);
  if (index.has(APPLIANCE_USER)) names.push(APPLIANCE_USER);
  const upCount = perHsm.filter((o) => o.up).length;
  const ids = perHsm.map((o) => esc(o.hsm.id));
  const downCells = perHsm.map((o) => (o.up ? '' : '<td class="down">HSM down</td>'));
  let inconsistent = 0;
  let rows = '';
  for (const name of names) {
    const cells = index.get(name)!;
    let first: UserView | undefined;
    let present = 0;
    let consistent = true;
    for (const c of cells) {
      if (c === undefined) continue;
      present++;
      if (first === undefined) first = c;
      else if (!sameView(first, c)) consistent = false;
    }
    if (present !== upCount) consistent = false;
    let tds = '';
    for (let i = 0; i < perHsm.length; i++) {
      if (!perHsm[i]!.up) {
        tds += downCells[i];
        continue;
      }
      const c = cells[i];
      // Highlight the cells that differ from the others (all of them when the HSMs split evenly).
      const odd = !consistent && (c === undefined || cells.some((p) => p !== undefined && !sameView(p, c)));
      tds += userCell(c, odd);
    }
    let fix = '<td class="muted">full</td>';
    if (!consistent) {
      inconsistent++;
      const repair = repairCommand(name, cells, upCount);
      fix = `<td class="repair"><span class="flag bad">inconsistent</span>${repair.map((r) => `<code class="copy">${esc(r)}</code><button type="button" data-copy="${esc(r)}">Copy</button>`).join('')}</td>`;
    }
    const n = esc(name);
    rows += `<tr data-user="${n}"><th scope="row">${n}</th>${tds}${fix}</tr>\n`;
  }
  const heads = perHsm
    .map(
      (o, i) =>
        `<th data-hsm="${ids[i]}" class="${o.up ? 'up' : 'down'}"><code>${ids[i]}</code> ${state(o.hsm.id, o.up)}</th>`,
    )
    .join('');
  return `<p>${names.length} users on ${perHsm.length} HSMs (${upCount} answering); ${inconsistent} inconsistent. Repair commands run in <code>cloudhsm-cli</code>, logged in as an admin.</p>
<table class="grid matrix" id="users"><thead><tr><th>User</th>${heads}<th>Coverage / repair</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The first answer of the HSMs that answered, or where they disagree, every distinct one. */
function agreed<T>(perHsm: readonly PerHsm<T>[], show: (v: T) => string): string {
  const answers = perHsm.flatMap((o) => (o.up ? [show(o.value)] : []));
  if (answers.length === 0) return '<span class="muted">no HSM answers</span>';
  const distinct = [...new Set(answers)];
  return distinct.length === 1
    ? esc(distinct[0])
    : `<span class="flag bad">inconsistent</span> ${perHsm.map((o) => (o.up ? `${esc(o.hsm.id)}: ${esc(show(o.value))}` : '')).join(' ')}`;
}

export function quorumPage(q: {
  values: PerHsm<OpResult<'quorum-list-values'>>[];
  timeouts: PerHsm<OpResult<'quorum-list-timeouts'>>[];
  tokens: PerHsm<TokenView[]>[];
  readAt: number;
}): string {
  const services = ['user', 'quorum', 'cluster'] as const;
  const valueRows = services
    .filter((s) => q.values.some((o) => o.up && o.value[s] !== undefined))
    .map((s) => `<tr><th scope="row">${s}</th><td>${agreed(q.values, (v) => String(v[s] ?? '–'))}</td></tr>`)
    .join('');
  const timeouts = `<tr><th scope="row">generated</th><td>${agreed(q.timeouts, (t) => `${t.generated} s`)}</td></tr>
<tr><th scope="row">approved</th><td>${agreed(q.timeouts, (t) => `${t.approved} s`)}</td></tr>`;
  const tokenRows = q.tokens
    .flatMap((o) =>
      o.up
        ? o.value.map((t) => {
            const deadline = q.readAt + t.remainingSeconds * 1000;
            return `<tr class="token"><td><code>${esc(o.hsm.id)}</code></td><td>${esc(t.service)}</td><td>${esc(t.username)}</td>
<td>${t.approvals} of ${t.approvalsRequired}</td><td><span class="countdown" data-deadline="${deadline}">${t.remainingSeconds} s</span></td></tr>`;
          })
        : [
            `<tr><td><code>${esc(o.hsm.id)}</code></td><td colspan="4" class="muted">${esc(o.detail)}</td></tr>`,
          ],
    )
    .join('\n');
  return `<h2>Quorum values (M) per service</h2><table class="grid"><tbody>${valueRows}</tbody></table>
<h2>Token timeouts</h2><table class="grid"><tbody>${timeouts}</tbody></table>
<h2>Outstanding quorum tokens</h2>
<table class="grid" id="tokens"><thead><tr><th>HSM</th><th>Service</th><th>Requester</th><th>Approvals</th><th>Expires in</th></tr></thead>
<tbody>${tokenRows || '<tr><td colspan="5" class="muted">none</td></tr>'}</tbody></table>`;
}

function auditRow(e: AuditEntry): string {
  return `<tr><td>${e.seq}</td><td><time>${esc(e.time)}</time>${e.devTime ? `<div class="muted small">dev clock ${esc(e.devTime)}</div>` : ''}</td><td>${esc(e.actor)}</td><td>${esc(e.operation)}</td><td>${esc(e.target)}</td><td class="${e.result === 'ok' ? '' : 'bad'}">${esc(e.result)}</td></tr>`;
}

export function auditPage(
  audit: { views: AuditView[]; checkpoint: AuditCheckpoint | undefined; checkpointError?: string },
  filter: { user?: string; operation?: string },
): string {
  const cp = audit.checkpointError
    ? `<p class="bad">Checkpoint: ${esc(audit.checkpointError)}</p>`
    : audit.checkpoint
      ? `<p>Last checkpoint: <code>${esc(audit.checkpoint.file)}</code>, made ${esc(audit.checkpoint.createdAt)}, heads ${audit.checkpoint.hsms.map((h) => `${esc(h.hsmId)} #${h.seq}`).join(', ')}.</p>`
      : '<p class="muted">No checkpoint given (start the console with <code>--checkpoint FILE</code>, a file written by <code>localhsm audit checkpoint</code>).</p>';
  const form = `<form method="get" action="/audit" class="filter"><label>User <input name="user" value="${esc(filter.user ?? '')}"></label>
<label>Operation <input name="operation" value="${esc(filter.operation ?? '')}"></label><button type="submit">Filter</button> <a href="/audit">Clear</a></form>`;
  const sections = audit.views
    .map((v) => {
      const verdict =
        v.problems.length === 0
          ? `<span class="state up">intact</span> (${v.total} entries${v.keyed ? ', keyed' : ', no audit key yet'}${v.checkpointHead ? `, holds checkpoint #${v.checkpointHead.seq}` : ''})`
          : `<span class="state down">TAMPERED</span> (${v.problems.length} problem(s) in ${v.total} entries)<ul>${v.problems
              .slice(0, 20)
              .map((p) => `<li>entry ${p.seq}: ${esc(p.problem)}</li>`)
              .join('')}</ul>`;
      return `<section data-hsm="${esc(v.hsm.id)}"><h2><code>${esc(v.hsm.id)}</code> ${verdict}</h2>
<table class="grid"><thead><tr><th>#</th><th>Time</th><th>Actor</th><th>Operation</th><th>Target</th><th>Result</th></tr></thead>
<tbody>${v.entries.map(auditRow).join('') || '<tr><td colspan="6" class="muted">no entries</td></tr>'}</tbody></table></section>`;
    })
    .join('\n');
  return `${cp}${form}${sections}`;
}

export function keysPage(perHsm: readonly { hsm: HsmEntry; keys: KeySummary[] | undefined }[]): string {
  if (perHsm.every((h) => h.keys === undefined))
    return '<p class="muted">These HSMs hold no key table yet (the key plane is not in their state).</p>';
  const byRef = new Map<string, (KeySummary | undefined)[]>();
  perHsm.forEach((h, i) => {
    for (const k of h.keys ?? []) {
      let cells = byRef.get(k.ref);
      if (!cells)
        byRef.set(k.ref, (cells = new Array<KeySummary | undefined>(perHsm.length).fill(undefined)));
      cells[i] = k;
    }
  });
  const refs = [...byRef.keys()].sort();
  const rows = refs
    .map((ref) => {
      const cells = byRef.get(ref)!;
      const k = cells.find((c) => c !== undefined)!;
      const full = cells.every((c) => c !== undefined);
      const tds = perHsm
        .map((h, i) =>
          cells[i]
            ? `<td data-hsm="${esc(h.hsm.id)}">present</td>`
            : `<td data-hsm="${esc(h.hsm.id)}" class="missing odd">missing</td>`,
        )
        .join('');
      return `<tr><td><code>${esc(ref)}</code></td><td>${esc(k.label)}</td><td>${esc(k.keyType)} ${esc(k.keyClass)}</td><td>${esc(k.owner)}</td><td>${esc(k.shared.join(', ') || '–')}</td><td>${k.manageQuorum} / ${k.useQuorum}</td>${tds}<td>${full ? 'full' : '<span class="flag bad">inconsistent</span>'}</td></tr>`;
    })
    .join('\n');
  const heads = perHsm
    .map((h) => `<th data-hsm="${esc(h.hsm.id)}"><code>${esc(h.hsm.id)}</code></th>`)
    .join('');
  return `<p>${refs.length} token keys (metadata only; never key material).</p>
<table class="grid matrix"><thead><tr><th>Reference</th><th>Label</th><th>Type</th><th>Owner</th><th>Shared with</th><th>Quorum (manage / use)</th>${heads}<th>Coverage</th></tr></thead>
<tbody>${rows || `<tr><td colspan="${7 + perHsm.length}" class="muted">no keys</td></tr>`}</tbody></table>`;
}
