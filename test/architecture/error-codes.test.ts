// The closed table of error codes: every code is used by the code base (no dead entries in docs/cli.md), and
// `new HsmError(code, params)` must name every placeholder of the code's message (checked when this compiles).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HsmError, MESSAGES, type ErrorCode } from '../../src/errors.js';
import { LOGIN_ROLES } from '../../src/protocol/types.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('error codes', () => {
  it('are each used somewhere in src/ besides their table', () => {
    const text = sourceFiles(SRC)
      .filter((f) => path.relative(SRC, f) !== 'errors.ts')
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const unused = (Object.keys(MESSAGES) as ErrorCode[]).filter((code) => !text.includes(`'${code}'`));
    assert.deepEqual(unused, []);
  });

  it('name the login roles as LOGIN_ROLES has them (the node sends ERR_INVALID_ROLE with its role only)', () => {
    assert.ok(MESSAGES.ERR_INVALID_ROLE.endsWith(`possible values are ${LOGIN_ROLES.join(', ')}`));
  });

  it('take the placeholders of their message as params', () => {
    const made = new HsmError('ERR_USER_NOT_FOUND', { username: 'alice' });
    assert.equal(made.message, 'User alice does not exist');
    // Extra params are allowed (hints the client reads), placeholders are not optional.
    assert.equal(
      new HsmError('ERR_QUORUM_TOO_FEW', { current: 1, required: 2, ignored: 'bob' }).params.ignored,
      'bob',
    );
    // @ts-expect-error: ERR_USER_NOT_FOUND needs {username}
    assert.equal(new HsmError('ERR_USER_NOT_FOUND', {}).message, 'User {username} does not exist');
    // @ts-expect-error: a message with placeholders needs its params
    assert.equal(new HsmError('ERR_ROLE_MISMATCH').message, 'User {username} does not have the role {role}');
    assert.equal(new HsmError('ERR_NOT_LOGGED_IN').params.username, undefined);
  });
});
