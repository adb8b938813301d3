// Merges what each HSM holds of a key into cloudhsm-cli's key object, with coverage and "inconsistent" attributes.
import type { KeyView } from '../protocol/keys.js';

export type Coverage = 'full' | 'inconsistent' | 'session';

/** The verbose key object of spec §2.5, members in the documented order. */
export interface KeyObject {
  'key-reference': string;
  'key-info': {
    'key-owners': { username: string; 'key-coverage': Coverage }[];
    'shared-users': { username: string; 'key-coverage': Coverage }[];
    'key-quorum-values': { 'manage-key-quorum-value': number; 'use-key-quorum-value': number };
    'cluster-coverage': Coverage;
  };
  attributes: Record<string, string | number | boolean>;
}

/** The non-verbose entry: reference and label only. */
export interface KeySummary {
  'key-reference': string;
  attributes: { label: string };
}

/**
 * One key from the views of the HSMs that hold it. `hsms` is the number of HSMs in the cluster: a key is
 * `full` when every one of them holds it (an HSM that does not answer does not), else `inconsistent`.
 */
export function mergeKey(views: readonly KeyView[], hsms: number): KeyObject {
  const first = views[0]!;
  const session = first.session;
  const coverage = (holders: number): Coverage =>
    session ? 'session' : holders >= hsms ? 'full' : 'inconsistent';
  const attributes: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(first.attributes ?? {}))
    attributes[name] = views.every((v) => v.attributes?.[name] === value) ? value : 'inconsistent';
  const sharedOrder: string[] = [];
  for (const v of views) for (const u of v.shared ?? []) if (!sharedOrder.includes(u)) sharedOrder.push(u);
  const owner = first.owner ?? '';
  return {
    'key-reference': first.ref,
    'key-info': {
      'key-owners': [
        { username: owner, 'key-coverage': coverage(views.filter((v) => v.owner === owner).length) },
      ],
      'shared-users': sharedOrder.map((username) => ({
        username,
        'key-coverage': coverage(views.filter((v) => v.shared?.includes(username)).length),
      })),
      'key-quorum-values': {
        'manage-key-quorum-value': first.manageQuorum ?? 0,
        'use-key-quorum-value': first.useQuorum ?? 0,
      },
      'cluster-coverage': coverage(views.length),
    },
    attributes,
  };
}

export function summarizeKey(view: KeyView): KeySummary {
  return { 'key-reference': view.ref, attributes: { label: view.label } };
}
