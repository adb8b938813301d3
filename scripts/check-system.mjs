// Checks the system tools the tests need before `npm test` builds anything; as root with apt-get it installs
// what is missing, otherwise it stops at once with the exact command to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where distributions put the SoftHSM2 PKCS#11 module (Debian/Ubuntu first; the tests load the first found). */
export const SOFTHSM_MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

/** The first SoftHSM2 module that exists, or undefined. */
export function findSoftHsmModule(exists = fs.existsSync) {
  return SOFTHSM_MODULE_CANDIDATES.find((p) => exists(p));
}

/**
 * What the tests need, each with the Debian package that provides it. `g++`/`make`/`python3` build the
 * native addons (the packaging test installs the packed tarball, which compiles them).
 */
export const REQUIREMENTS = [
  { tool: 'openssl', kind: 'command', packages: ['openssl'] },
  { tool: 'jq', kind: 'command', packages: ['jq'] },
  { tool: 'g++', kind: 'command', packages: ['g++'] },
  { tool: 'make', kind: 'command', packages: ['make'] },
  { tool: 'python3', kind: 'command', packages: ['python3'] },
  { tool: 'softhsm2-util', kind: 'command', packages: ['softhsm2'] },
  { tool: 'libsofthsm2.so', kind: 'softhsm-module', packages: ['softhsm2'] },
  // The web console's browser test drives Debian's chromium through puppeteer-core (no browser download).
  { tool: 'chromium', kind: 'command', packages: ['chromium'] },
];

/** Whether an executable named `name` is on PATH (no process spawned, so the check stays fast). */
export function commandExists(name, envPath = process.env.PATH ?? '') {
  return envPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, name), fs.constants.X_OK);
        return fs.statSync(path.join(dir, name)).isFile();
      } catch {
        return false;
      }
    });
}

/** The requirements missing on this machine (`has` answers for one requirement). */
export function missingTools(has) {
  return REQUIREMENTS.filter((r) => !has(r)).map((r) => r.tool);
}

/**
 * The decision, a pure function: given the missing tools, whether we run as root and whether apt-get exists,
 * what to do. `ok`: nothing to do; `install`: run `commands` (as root); `stop`: print `message`, exit 1.
 */
export function decide({ missing, isRoot, hasApt }) {
  if (missing.length === 0) return { action: 'ok' };
  const packages = [
    ...new Set(REQUIREMENTS.filter((r) => missing.includes(r.tool)).flatMap((r) => r.packages)),
  ];
  const install = ['apt-get', 'install', '-y', ...packages];
  const what = `the tests need system tools that are missing: ${missing.join(', ')}`;
  if (isRoot && hasApt)
    return {
      action: 'install',
      packages,
      commands: [['apt-get', 'update'], install],
      message: `${what}; installing ${packages.join(' ')} with apt-get (running as root)`,
    };
  if (hasApt) {
    const command = `sudo apt-get update && sudo ${install.join(' ')}`;
    return { action: 'stop', command, message: `${what}.\nRun:\n  ${command}\nthen npm test again.` };
  }
  return {
    action: 'stop',
    command: undefined,
    message:
      `${what}.\nNo apt-get here: install the equivalents of the Debian packages ${packages.join(' ')} ` +
      `with your system's package manager (SoftHSM2's module is looked for in ${SOFTHSM_MODULE_CANDIDATES.join(', ')}), then npm test again.`,
  };
}

/** The real machine: which requirements are present. */
function probe(requirement) {
  return requirement.kind === 'softhsm-module'
    ? findSoftHsmModule() !== undefined
    : commandExists(requirement.tool);
}

function main() {
  const missing = missingTools(probe);
  const decision = decide({
    missing,
    isRoot: process.getuid?.() === 0,
    hasApt: commandExists('apt-get'),
  });
  if (decision.action === 'ok') return 0;
  console.error(`check-system: ${decision.message}`);
  if (decision.action === 'stop') return 1;
  for (const [cmd, ...args] of decision.commands) {
    console.error(`check-system: ${[cmd, ...args].join(' ')}`);
    const run = spawnSync(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (run.status !== 0) {
      console.error(`check-system: ${[cmd, ...args].join(' ')} failed (exit ${run.status ?? run.signal})`);
      return 1;
    }
  }
  const still = missingTools(probe);
  if (still.length) {
    console.error(`check-system: still missing after the install: ${still.join(', ')}`);
    return 1;
  }
  console.error(`check-system: installed ${decision.packages.join(' ')}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main();
