// configure-cli: every option and error, run in-process on a config file in a temporary directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { before, beforeEach, describe, it } from 'node:test';
import { buildConfig } from '../../src/cluster/config.js';
import { createClusterCa } from '../../src/cluster/pki.js';
import { configureCliMain, spreadAddresses } from '../../src/configure/main.js';
import { tempDir } from '../helpers/cluster.js';

const CLUSTER = 'cluster-aaaaaaaaaaa';
const OTHER = 'cluster-bbbbbbbbbbb';

async function configure(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = capture();
  const err = capture();
  const code = await configureCliMain(
    args,
    env,
    { stdin: Readable.from(['']), stdout: out.stream, stderr: err.stream },
    cwd,
  );
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('configure-cli', () => {
  let pem: { cert: string; key: string };
  let dir: string;
  let state: string;
  let cfg: string;
  const read = () => JSON.parse(fs.readFileSync(cfg, 'utf8'));
  const servers = () =>
    read().clusters[0].cluster.servers.map(
      (s: { hostname: string; port: number }) => `${s.hostname}:${s.port}`,
    );

  before(async () => {
    pem = await createClusterCa(CLUSTER);
  });

  beforeEach(() => {
    dir = tempDir('localhsm-configure-');
    state = path.join(dir, '.localhsm');
    fs.mkdirSync(state);
    cfg = path.join(state, 'cloudhsm-cli.cfg');
    fs.writeFileSync(path.join(state, 'customerCA.crt'), pem.cert);
    const config = {
      ...buildConfig(CLUSTER, path.join(state, 'customerCA.crt'), [
        { hostname: '127.0.0.1', port: 3001 },
        { hostname: '127.0.0.1', port: 3002 },
      ]),
      custom_member: { kept: true },
    };
    (config.clusters[0] as Record<string, unknown>).entry_member = 'kept';
    fs.writeFileSync(cfg, JSON.stringify(config));
  });

  it('-a with one address renames every server and keeps their ports (the client finds the rest from one)', async () => {
    const r = await configure(['-a', '10.0.0.9'], dir);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
    assert.deepEqual(servers(), ['10.0.0.9:3001', '10.0.0.9:3002']);
  });

  it('-a takes several addresses after one -a, or repeated; in order, keeping ports; HOST:PORT and [IPv6]:PORT', async () => {
    assert.equal((await configure(['-a', 'h1', 'h2'], dir)).code, 0);
    assert.deepEqual(servers(), ['h1:3001', 'h2:3002']);
    assert.equal((await configure(['-a', 'h3', '-a', '[::1]:4000'], dir)).code, 0);
    assert.deepEqual(servers(), ['h3:3001', '::1:4000']);
    assert.equal((await configure(['-a', 'a:5000', 'b', 'c'], dir)).code, 0);
    assert.deepEqual(servers(), ['a:5000', 'b:4000', 'c:2223']);
    assert.deepEqual(spreadAddresses(['-a', 'x', 'y', '--log-level', 'info', '-a', 'z']), [
      '-a',
      'x',
      '-a',
      'y',
      '--log-level',
      'info',
      '-a',
      'z',
    ]);
  });

  it('refuses a bad address without changing the file', async () => {
    const before = fs.readFileSync(cfg, 'utf8');
    for (const bad of ['h:0', 'h:70000', 'a b']) {
      const r = await configure(['-a', bad], dir);
      assert.equal(r.code, 1, bad);
      assert.equal(r.stderr, `error: invalid HSM address '${bad}'\n`);
    }
    assert.equal(fs.readFileSync(cfg, 'utf8'), before);
  });

  it('keeps every member it does not change', async () => {
    await configure(['-a', 'h'], dir);
    assert.deepEqual(read().custom_member, { kept: true });
    assert.equal(read().clusters[0].entry_member, 'kept');
    assert.equal(read().clusters[0].type, 'hsm2m');
  });

  it('--disable/--enable-key-availability-check write the top-level disable_key_availability_check', async () => {
    assert.equal((await configure(['--disable-key-availability-check'], dir)).code, 0);
    assert.equal(read().disable_key_availability_check, true);
    assert.equal((await configure(['--enable-key-availability-check'], dir)).code, 0);
    assert.equal(read().disable_key_availability_check, false);
    const both = await configure(
      ['--disable-key-availability-check', '--enable-key-availability-check'],
      dir,
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /cannot be used with/);
  });

  it('--hsm-ca-cert copies the certificate to customerCA.crt beside the config; refuses what is not one', async () => {
    const other = await createClusterCa(OTHER);
    const given = path.join(dir, 'new-ca.pem');
    fs.writeFileSync(given, other.cert);
    assert.equal((await configure(['--hsm-ca-cert', given], dir)).code, 0);
    assert.equal(fs.readFileSync(path.join(state, 'customerCA.crt'), 'utf8'), other.cert);
    assert.equal(read().clusters[0].cluster.hsm_ca_file, path.join(state, 'customerCA.crt'));
    fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
    const junk = await configure(['--hsm-ca-cert', 'junk.pem'], dir);
    assert.deepEqual(
      [junk.code, junk.stderr],
      [1, `error: --hsm-ca-cert: ${path.join(dir, 'junk.pem')} is not a PEM certificate\n`],
    );
    const missing = await configure(['--hsm-ca-cert', path.join(dir, 'none.pem')], dir);
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, `error: --hsm-ca-cert: cannot read ${path.join(dir, 'none.pem')}\n`],
    );
  });

  it('--client-cert/key-hsm-tls-file write both paths into the cluster entry; one alone is a usage error', async () => {
    fs.writeFileSync(path.join(dir, 'client.crt'), pem.cert);
    fs.writeFileSync(path.join(dir, 'client.key'), pem.key);
    const r = await configure(
      ['--client-cert-hsm-tls-file', 'client.crt', '--client-key-hsm-tls-file', 'client.key'],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(read().clusters[0].cluster.client_cert_hsm_tls_file, path.join(dir, 'client.crt'));
    assert.equal(read().clusters[0].cluster.client_key_hsm_tls_file, path.join(dir, 'client.key'));
    const alone = await configure(['--client-cert-hsm-tls-file', 'client.crt'], dir);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--client-key-hsm-tls-file/);
    const swapped = await configure(
      ['--client-cert-hsm-tls-file', 'client.key', '--client-key-hsm-tls-file', 'client.crt'],
      dir,
    );
    assert.deepEqual(
      [swapped.code, swapped.stderr],
      [1, `error: --client-cert-hsm-tls-file: ${path.join(dir, 'client.key')} is not a PEM certificate\n`],
    );
  });

  it('writes the logging, validate-key-at-init and retry options; refuses values not documented', async () => {
    const r = await configure(
      [
        '--log-type',
        'file',
        '--log-file',
        'cli.log',
        '--log-level',
        'debug',
        '--log-rotation',
        'hourly',
        '--disable-validate-key-at-init',
        '--default-retry-mode',
        'standard',
      ],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(read().logging, {
      log_type: 'file',
      log_file: path.join(dir, 'cli.log'),
      log_level: 'debug',
      log_interval: 'hourly',
    });
    assert.equal(read().validate_key_at_init, false);
    assert.equal(read().default_retry_mode, 'standard');
    assert.equal((await configure(['--enable-validate-key-at-init'], dir)).code, 0);
    assert.equal(read().validate_key_at_init, true);
    const bad = await configure(['--log-level', 'loud'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid value 'loud' for '--log-level <LOG_LEVEL>'/);
  });

  it('--cluster-id chooses the cluster of a file with several, which is otherwise required; --region needs it', async () => {
    const config = read();
    config.clusters.push({ ...config.clusters[0], cluster_id: OTHER });
    fs.writeFileSync(cfg, JSON.stringify(config));
    const required = await configure(['-a', 'h'], dir);
    assert.deepEqual(
      [required.code, required.stderr],
      [1, 'error: multiple clusters provided in configuration file. Please specify cluster-id\n'],
    );
    assert.equal((await configure(['--cluster-id', OTHER, '--region', 'us-east-1', '-a', 'h'], dir)).code, 0);
    assert.deepEqual(
      read().clusters.map(
        (c: { cluster: { servers: { hostname: string }[] } }) => c.cluster.servers[0]!.hostname,
      ),
      ['127.0.0.1', 'h'],
    );
    const unknown = await configure(['--cluster-id', 'cluster-ccccccccccc'], dir);
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [1, `error: Cluster cluster-ccccccccccc is not in the configuration file ${cfg}\n`],
    );
    const region = await configure(['--region', 'us-east-1', '-a', 'h'], dir);
    assert.equal(region.code, 2);
    assert.match(region.stderr, /--cluster-id/);
  });

  it('says what to do without options, prints help and version, and rejects update (gone in SDK 5.18)', async () => {
    const none = await configure([], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error: no option given: nothing to configure/);
    const help = await configure(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: configure-cli \[OPTIONS\] \[COMMAND\]$/m);
    assert.match(help.stdout, /add-cluster +Add a cluster to the configuration file/);
    assert.deepEqual(await configure(['-V'], dir), { code: 0, stdout: 'configure-cli 0.1.0\n', stderr: '' });
    assert.equal((await configure(['help'], dir)).stdout, help.stdout);
    const addHelp = await configure(['help', 'add-cluster'], dir);
    assert.equal(addHelp.stdout, (await configure(['add-cluster', '--help'], dir)).stdout);
    assert.match(addHelp.stdout, /^Usage: configure-cli add-cluster \[OPTIONS\] --cluster-id <CLUSTER_ID>$/m);
    const update = await configure(['update', '-a', 'h'], dir);
    assert.equal(update.code, 2);
    assert.match(update.stderr, /unexpected argument 'update'|unrecognized subcommand 'update'/);
  });

  it('changes the config cloudhsm-cli reads: --state, LOCALHSM_STATE, and says where it looked when there is none', async () => {
    const elsewhere = tempDir('localhsm-configure-state-');
    fs.cpSync(state, elsewhere, { recursive: true });
    assert.equal((await configure(['--state', elsewhere, '-a', 'x'], dir)).code, 0);
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(elsewhere, 'cloudhsm-cli.cfg'), 'utf8')).clusters[0].cluster
        .servers[0].hostname,
      'x',
    );
    assert.equal((await configure(['-a', 'y'], dir, { LOCALHSM_STATE: elsewhere })).code, 0);
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(elsewhere, 'cloudhsm-cli.cfg'), 'utf8')).clusters[0].cluster
        .servers[0].hostname,
      'y',
    );
    assert.deepEqual(servers(), ['127.0.0.1:3001', '127.0.0.1:3002']);
    const empty = tempDir('localhsm-configure-none-');
    const none = await configure(['-a', 'z'], empty, { LOCALHSM_INSTALL_PREFIX: empty });
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /^error: Invalid configuration .*cloudhsm-cli\.cfg: ENOENT\nhint: configure-cli changes the config cloudhsm-cli reads/,
    );
  });

  describe('add-cluster and remove-cluster', () => {
    async function cloneState(): Promise<string> {
      const clone = tempDir('localhsm-configure-clone-');
      const ca = await createClusterCa(OTHER);
      fs.writeFileSync(path.join(clone, 'customerCA.crt'), ca.cert);
      const manifest = {
        version: 1,
        clusterId: OTHER,
        kdf: 'fast',
        hsmType: 'hsm1.medium',
        hsms: [{ id: 'hsm-aaaaaaaaaaa', host: '127.0.0.1', port: 4001 }],
      };
      fs.writeFileSync(path.join(clone, 'cluster.json'), JSON.stringify(manifest));
      return clone;
    }

    it('adds a LocalHSM cluster from its state directory, then removes it', async () => {
      const clone = await cloneState();
      const r = await configure(['add-cluster', '--cluster-id', OTHER, '--from-state', clone], dir);
      assert.deepEqual([r.code, r.stderr], [0, '']);
      assert.deepEqual(read().clusters[1], {
        type: 'hsm1',
        cluster_id: OTHER,
        cluster: {
          hsm_ca_file: path.join(clone, 'customerCA.crt'),
          servers: [{ hostname: '127.0.0.1', port: 4001, enable: true }],
        },
      });
      const again = await configure(['add-cluster', '--cluster-id', OTHER, '--from-state', clone], dir);
      assert.deepEqual([again.code, again.stderr], [1, `error: cluster ${OTHER} is already in ${cfg}\n`]);
      assert.equal((await configure(['remove-cluster', '--cluster-id', OTHER], dir)).code, 0);
      assert.deepEqual(
        read().clusters.map((c: { cluster_id: string }) => c.cluster_id),
        [CLUSTER],
      );
    });

    it('refuses a cluster it cannot find, an unknown one to remove, and removing the only one', async () => {
      const missing = await configure(['add-cluster', '--cluster-id', OTHER], dir);
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        /^error: no LocalHSM cluster cluster-bbbbbbbbbbb in .*: give its state directory with --from-state DIR/,
      );
      const unknown = await configure(['remove-cluster', '--cluster-id', OTHER], dir);
      assert.deepEqual(
        [unknown.code, unknown.stderr],
        [1, `error: Cluster ${OTHER} is not in the configuration file ${cfg}\n`],
      );
      const only = await configure(['remove-cluster', '--cluster-id', CLUSTER], dir);
      assert.deepEqual(
        [only.code, only.stderr],
        [1, `error: cluster ${CLUSTER} is the only cluster of ${cfg}; nothing was removed\n`],
      );
      const noId = await configure(['remove-cluster'], dir);
      assert.equal(noId.code, 2);
    });

    it('creates the config when there is none, with mTLS files when given', async () => {
      const clone = await cloneState();
      const prefix = tempDir('localhsm-configure-prefix-');
      const work = tempDir('localhsm-configure-work-');
      fs.writeFileSync(path.join(work, 'c.crt'), pem.cert);
      fs.writeFileSync(path.join(work, 'c.key'), pem.key);
      const r = await configure(
        [
          'add-cluster',
          '--cluster-id',
          OTHER,
          '--from-state',
          clone,
          '--client-cert-hsm-tls-file',
          'c.crt',
          '--client-key-hsm-tls-file',
          'c.key',
        ],
        work,
        { LOCALHSM_STATE: prefix },
      );
      assert.equal(r.code, 0, r.stderr);
      const created = JSON.parse(fs.readFileSync(path.join(prefix, 'cloudhsm-cli.cfg'), 'utf8'));
      assert.equal(created.clusters.length, 1);
      assert.equal(created.clusters[0].cluster.client_cert_hsm_tls_file, path.join(work, 'c.crt'));
      assert.equal(created.clusters[0].cluster.client_key_hsm_tls_file, path.join(work, 'c.key'));
    });
  });
});
