// Packaging: a copy of this tree builds with its own `prepare` (what installing from a git URL runs), `npm pack`
// holds only what users need, `npm publish --dry-run` would publish the same, and the tarball installs into an
// empty project (native addon built there, install scripts approved the documented way) where both
// executables and the library work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { ROOT } from '../helpers/processes.js';

/** Dependencies with an install script (native addons): what a consumer approves in `allowScripts`. */
const NATIVE_DEPENDENCIES = ['better-sqlite3', 'pkcs11js'];
const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'bin/localhsm',
  'bin/cloudhsm-cli',
  'bin/configure-cli',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/src/bundles/cloudhsm-cli.mjs',
  'dist/src/bundles/localhsm.mjs',
  'dist/src/bundles/hsm-serve.mjs',
  'dist/src/bundles/configure-cli.mjs',
  'dist/src/localhsm/main.js',
  'dist/src/cli/main.js',
  'docs/library.md',
  'docs/ci.md',
];

/**
 * The environment of a user's shell: this one without what `npm test` adds (npm_*, which would point the
 * nested npm at this repository) and without LOCALHSM_* / CLOUDHSM_*. Proxy and CA settings stay: the
 * install needs the registry. npm's CA file and Node headers are kept explicitly (they matter when the
 * Node running the tests is not the system's, whose global npmrc names them).
 */
function installEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('npm_') && !/^(LOCALHSM|CLOUDHSM)_/.test(key),
    ),
  );
  for (const key of ['npm_config_nodedir', 'npm_config_cafile'])
    if (process.env[key]) env[key] = process.env[key];
  return env;
}

/**
 * Runs one step, telling a person watching `npm test` what it is doing: these steps take from seconds to
 * minutes (the install fetches from the registry and builds native addons), and the test runner prints
 * nothing until the whole file is done. stderr of a test file reaches the terminal as it is written.
 */
function run(command: string, args: readonly string[], cwd: string, timeout = 600_000) {
  const line = `${command} ${args.join(' ')}`;
  process.stderr.write(`packaging test: ${line} ...\n`);
  const start = Date.now();
  const result = spawnSync(command, args, { cwd, env: installEnv(), encoding: 'utf8', timeout });
  const seconds = ((Date.now() - start) / 1000).toFixed(1);
  process.stderr.write(
    `packaging test: ${line}: exit ${result.status ?? result.signal} after ${seconds} s\n`,
  );
  const output = `$ ${line}\n${result.stdout}\n${result.stderr}`;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output };
}

/** The files of this working tree a clone would hold, with uncommitted changes (not dist/, not node_modules/). */
function copyTree(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!fs.existsSync(path.join(ROOT, file))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(to, file));
    fs.chmodSync(path.join(to, file), fs.statSync(path.join(ROOT, file)).mode);
  }
}

describe('a clone builds, packs and installs into an empty project', () => {
  let work: string;
  let clone: string;
  let tarball: string;
  let files: string[];

  before(() => {
    work = tempDir('localhsm-pack-');
    // A git URL install clones, installs the dependencies and runs `prepare`, then packs: the same steps on a
    // copy of this tree, with this checkout's dependencies (the tests never run npm install here).
    clone = path.join(work, 'localhsm');
    copyTree(clone);
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(clone, 'node_modules'), 'dir');
    const prepare = run('npm', ['run', 'prepare'], clone);
    assert.equal(prepare.status, 0, prepare.output);
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], clone);
    assert.equal(pack.status, 0, pack.output);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, info!.filename);
    files = info!.files.map((f) => f.path);
  });
  after(() => {
    const state = path.join(work, 'consumer', '.localhsm');
    if (fs.existsSync(state)) run('npx', ['--no-install', 'localhsm', 'down'], path.join(work, 'consumer'));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('packs only the executables, the compiled library with its types, the docs and the README', () => {
    for (const required of REQUIRED_FILES)
      assert.ok(files.includes(required), `${required} is in the tarball`);
    const allowed =
      /^(package\.json|README\.md|bin\/[a-z-]+|dist\/src\/.+\.(js|d\.ts)|dist\/src\/bundles\/[a-z-]+\.mjs|docs\/[a-z-]+\.md)$/;
    assert.deepEqual(
      files.filter((f) => !allowed.test(f)),
      [],
      'nothing else (no tests, sources, maps, examples)',
    );
    const stale = files.filter(
      (f) =>
        f.endsWith('.js') &&
        !fs.existsSync(path.join(clone, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
    );
    assert.deepEqual(stale, [], 'every compiled file has its source (no stale build output)');
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(
      manifest.scripts.install ?? manifest.scripts.postinstall ?? manifest.scripts.preinstall,
      undefined,
    );
    const native = Object.keys(manifest.dependencies).filter((d) =>
      fs.existsSync(path.join(ROOT, 'node_modules', d, 'binding.gyp')),
    );
    assert.deepEqual(
      native.sort(),
      NATIVE_DEPENDENCIES,
      'the README names every dependency whose install script must be allowed',
    );
  });

  it('npm publish --dry-run (offline) would publish what npm pack packs, every executable included, and warns of nothing else', () => {
    const publish = run('npm', ['publish', '--dry-run', '--offline', '--ignore-scripts', '--json'], clone);
    assert.equal(publish.status, 0, publish.output);
    const published = JSON.parse(publish.stdout) as Record<
      string,
      { files: { path: string; mode: number }[] }
    >;
    const entry = published['localhsm']!;
    assert.deepEqual(entry.files.map((f) => f.path).sort(), [...files].sort());
    const manifest = JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.deepEqual(Object.keys(manifest.bin).sort(), ['cloudhsm-cli', 'configure-cli', 'localhsm']);
    for (const bin of Object.values(manifest.bin)) {
      const file = entry.files.find((f) => f.path === bin);
      assert.ok(file && file.mode & 0o100, `${bin} is published executable`);
    }
    // Only the dry run's own notices: no "auto-corrected" package.json, no invalid bin, no missing file.
    const warnings = publish.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => !/requires you to be logged in|\(dry-run\)$/.test(line));
    assert.deepEqual(warnings, []);
  });

  it('installs with only the native addons approved, and runs npx localhsm up / npx cloudhsm-cli user list there', () => {
    const consumer = path.join(work, 'consumer');
    fs.mkdirSync(consumer);
    const allowScripts = Object.fromEntries(NATIVE_DEPENDENCIES.map((d) => [d, true]));
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, allowScripts }, null, 2),
    );
    // allowScripts names the addons to build (advisory in npm 11.19, enforced with --strict-allow-scripts).
    // LocalHSM's own `prepare` (the build of a clone) never runs from a tarball, which already holds dist/;
    // --strict-allow-scripts would still ask to approve it, so the install runs without it.
    const install = run('npm', ['install', '--no-audit', '--no-fund', tarball], consumer);
    assert.equal(install.status, 0, install.output);
    assert.doesNotMatch(install.stderr, /EBADENGINE/);
    assert.ok(
      fs.existsSync(
        path.join(consumer, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
      ),
    );

    const up = run(
      'npx',
      ['--no-install', 'localhsm', 'up', '--kdf', 'fast', '--base-port', '0', '--detach'],
      consumer,
    );
    assert.equal(up.status, 0, up.output);
    assert.match(up.stdout, /^Cluster cluster-[a-z2-7]{11} is up: 3 HSM\(s\) answering\.$/m);
    const list = run('npx', ['--no-install', 'cloudhsm-cli', 'user', 'list'], consumer);
    assert.equal(list.status, 0, list.output);
    assert.deepEqual(
      JSON.parse(list.stdout).data.users.map(
        (u: { username: string; role: string }) => `${u.username}:${u.role}`,
      ),
      ['admin:unactivated-admin', 'app_user:internal(APPLIANCE_USER)'],
    );
    // configure-cli changes the config cloudhsm-cli reads (./.localhsm here).
    const configure = run(
      'npx',
      ['--no-install', 'configure-cli', '--disable-key-availability-check'],
      consumer,
    );
    assert.equal(configure.status, 0, configure.output);
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(consumer, '.localhsm', 'cloudhsm-cli.cfg'), 'utf8'))
        .disable_key_availability_check,
      true,
    );
    const library = run(
      'node',
      ['--input-type=module', '-e', "import('localhsm').then((m) => console.log(typeof m.startCluster))"],
      consumer,
    );
    assert.equal(library.stdout, 'function\n', library.output);
    const down = run('npx', ['--no-install', 'localhsm', 'down'], consumer);
    assert.equal(down.status, 0, down.output);
    assert.match(down.stdout, /stopped 3 HSM\(s\)/);
  });
});
