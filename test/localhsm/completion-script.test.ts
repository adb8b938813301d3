// `localhsm completion bash|zsh` sourced in a real bash: candidates for commands, options, values and files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { LOCALHSM_BIN, localhsm } from '../helpers/processes.js';

describe('localhsm completion', () => {
  let bashScript = '';
  let zshScript = '';
  let dir = '';
  before(async () => {
    const bash = await localhsm(['completion', 'bash']);
    assert.equal(bash.exitCode, 0, bash.stderr);
    bashScript = bash.stdout;
    const zsh = await localhsm(['completion', 'zsh']);
    assert.equal(zsh.exitCode, 0, zsh.stderr);
    zshScript = zsh.stdout;
    dir = tempDir('localhsm-completion-');
    fs.writeFileSync(path.join(dir, 'unsigned.json'), '');
    fs.writeFileSync(path.join(dir, 'alice.pub'), '');
    fs.mkdirSync(path.join(dir, 'state'));
  });

  /** COMPREPLY for the words typed so far (the last one is the word being completed). */
  function candidates(words: string[], script = bashScript, preamble = ''): string[] {
    const file = path.join(dir, 'completion.sh');
    fs.writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const out = execFileSync(
      'bash',
      [
        '-c',
        `${preamble}source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _localhsm_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    return out.split('\n').filter(Boolean);
  }

  it('registers itself for both binaries', () => {
    const out = execFileSync(
      'bash',
      ['-c', `source <(${LOCALHSM_BIN} completion bash); complete -p localhsm cloudhsm-cli`],
      {
        encoding: 'utf8',
      },
    );
    assert.match(out, /complete -F _localhsm_complete localhsm/);
    assert.match(out, /complete -F _localhsm_complete cloudhsm-cli/);
  });

  it('completes command words of either tree, including commands added later (read from the specs)', () => {
    assert.deepEqual(candidates(['localhsm', 'st']), ['start', 'status']);
    assert.deepEqual(candidates(['localhsm', 'quorum', '']), ['approve', 'merge', '--help']);
    assert.deepEqual(candidates(['cloudhsm-cli', 'us']), ['user']);
    assert.ok(candidates(['cloudhsm-cli', '']).includes('interactive'));
    assert.ok(candidates(['cloudhsm-cli', '']).includes('--version'));
    assert.deepEqual(candidates(['cloudhsm-cli', 'user', 'change-quorum', 'token-sign', 're']), ['register']);
  });

  it('completes option names, values and files', () => {
    assert.deepEqual(candidates(['cloudhsm-cli', 'user', 'delete', '--u']), ['--username']);
    assert.deepEqual(candidates(['cloudhsm-cli', 'user', 'create', '--role', '']), ['crypto-user', 'admin']);
    assert.deepEqual(candidates(['cloudhsm-cli', 'quorum', 'token-sign', 'generate', '--service', 'u']), [
      'user',
    ]);
    assert.deepEqual(candidates(['localhsm', 'up', '--kdf', '']), ['strong', 'fast']);
    assert.deepEqual(candidates(['cloudhsm-cli', 'login', 'mfa-token-sign', '--token', 'uns']), [
      'unsigned.json',
    ]);
    assert.deepEqual(
      candidates(['cloudhsm-cli', 'user', 'change-quorum', 'token-sign', 'register', '--public-key', 'al']),
      ['alice.pub'],
    );
    assert.deepEqual(candidates(['localhsm', 'status', '--state', '']), ['state']);
    // A free-text value (a user name) gets no candidates, not option names.
    assert.deepEqual(candidates(['cloudhsm-cli', 'user', 'delete', '--username', '']), []);
  });

  it('finds the command past option values and the top-level --state of cloudhsm-cli', () => {
    assert.deepEqual(candidates(['cloudhsm-cli', '--state', 'state', 'user', 'li']), ['list']);
    assert.deepEqual(
      candidates(['cloudhsm-cli', 'login', '--username', 'quorum', '--role', 'admin', 'mfa']),
      ['mfa-token-sign'],
    );
  });

  it('zsh: the same function through bashcompinit', () => {
    assert.match(zshScript, /bashcompinit/);
    // Run under bash with zsh's loaders stubbed: the body after the preamble is the same function.
    const stub =
      'autoload() { :; }; bashcompinit() { :; }; compinit() { :; }; declare -A functions=([compdef]=1); ';
    assert.deepEqual(candidates(['localhsm', 'st'], zshScript, stub), ['start', 'status']);
  });

  it('refuses another shell with a usage error', async () => {
    const run = await localhsm(['completion', 'fish']);
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /invalid value 'fish' for '<SHELL>'\n {2}\[possible values: bash, zsh\]/);
  });
});
