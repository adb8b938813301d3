// Test helper: golden transcripts {command, exit, stdout, stderr} under test/golden/, with placeholders for
// the values that change between runs. UPDATE_GOLDEN=1 rewrites the files instead of comparing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, type ProcessRun } from './processes.js';

export const GOLDEN_DIR = path.join(ROOT, 'test', 'golden');
export const UPDATING = process.env.UPDATE_GOLDEN === '1';

/** Replaces run-specific values: the state directory, ports, cluster/HSM ids and serial numbers. */
export function normalise(text: string, state: string): string {
  return text
    .split(state)
    .join('<STATE>')
    .replace(/\b(127\.0\.0\.1|localhost|\[::1\]):\d+\b/g, '$1:<PORT>')
    .replace(/\bcluster-[a-z2-7]{11}\b/g, '<CLUSTER_ID>')
    .replace(/\bhsm-[a-z2-7]{11}\b/g, '<HSM_ID>')
    .replace(/\bLHSM-[0-9A-F]{12}\b/g, '<SERIAL>');
}

export interface Transcript {
  /** The command line as a user would type it (env assignments first). */
  command: string;
  input?: string;
  run: ProcessRun;
}

/** A stream's text, exact: a missing final newline is marked rather than silently added. */
function section(title: string, text: string): string {
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n\\ No newline at end\n`;
  return `--- ${title}\n${body}`;
}

export function render(t: Transcript): string {
  return [
    `$ ${t.command}\n`,
    t.input === undefined ? '' : section('stdin', t.input),
    `--- exit ${t.run.exitCode}\n`,
    section('stdout', t.run.stdout),
    section('stderr', t.run.stderr),
  ].join('');
}

/** Compares a transcript with test/golden/<name>.txt (or writes it when UPDATE_GOLDEN=1). */
export function matchGolden(name: string, transcript: Transcript, state: string): void {
  const actual = normalise(render(transcript), state);
  const file = path.join(GOLDEN_DIR, `${name}.txt`);
  if (UPDATING) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(
    fs.existsSync(file),
    `missing golden file ${file}; run the tests with UPDATE_GOLDEN=1 to create it`,
  );
  assert.equal(
    actual,
    fs.readFileSync(file, 'utf8'),
    `transcript differs from ${path.relative(ROOT, file)} (UPDATE_GOLDEN=1 rewrites it)`,
  );
}
