// The key-plane benchmarks (issue 16 "Performance"): signatures through the library API, key list at 10,000 keys, token key creation.
import fs from 'node:fs';
import { paths } from '../src/cluster/state-dir.js';
import { type ClusterSession, type LocalCluster, startCluster } from '../src/index.js';
import { readMaskingKey } from '../src/hsm/keys/masking-file.js';
import { SqliteStore } from '../src/hsm/store/sqlite.js';
import { alternate, opensslSignPerSecond, timeMedian } from './measure.js';

export interface KeyBenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  goal: string;
}
type Record_ = (r: KeyBenchResult, check?: (ratio: number) => boolean) => void;

const USER = { username: 'bench_cu', password: 'bench-cu-pw-1' };
const SEED = {
  users: [
    { username: 'admin', role: 'admin' as const, password: 'bench-admin-1' },
    { username: USER.username, role: 'crypto-user' as const, password: USER.password },
  ],
};

async function keyCluster(
  hsms: number,
  processes: boolean,
): Promise<{ cluster: LocalCluster; session: ClusterSession }> {
  const cluster = await startCluster({ hsms, seed: SEED, processes });
  if (hsms === 1) {
    // A 1-HSM cluster with the availability check off, as `configure-cli --disable-key-availability-check` does.
    const cfg = JSON.parse(fs.readFileSync(cluster.configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(cluster.configPath, JSON.stringify({ ...cfg, disable_key_availability_check: true }));
  }
  return { cluster, session: await cluster.login(USER) };
}

/**
 * Signatures per second from `inFlight` callers, each with one request outstanding, over `seconds`: the
 * signatures answered before the deadline over the time to the last of them.
 */
async function signRate(
  session: ClusterSession,
  sign: Parameters<ClusterSession['sign']>[0],
  seconds: number,
  inFlight: number,
): Promise<number> {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const start = now();
  const end = start + seconds * 1000;
  let done = 0;
  let last = start;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        await session.sign(sign);
        const t = now();
        if (t > end) return;
        done++;
        last = t;
      }
    }),
  );
  return done / ((last - start) / 1000);
}

/** RSA-2048 and ECDSA P-256 signatures through a 3-HSM cluster (each HSM its own process) vs openssl speed. */
export async function benchSignThroughput(record: Record_, log: (line: string) => void): Promise<void> {
  log(
    '9. crypto sign through 3 HSM processes from one client (library API, requests in flight) vs openssl speed',
  );
  const { cluster, session } = await keyCluster(3, true);
  try {
    for (const [type, label] of [
      ['rsa', 'bench-rsa'],
      ['ec', 'bench-ec'],
    ] as const) {
      await session.generateKeyPair({
        ...(type === 'rsa' ? { type, modulusSizeBits: 2048 } : { type, curve: 'prime256v1' }),
        publicLabel: `${label}-pub`,
        privateLabel: label,
        privateAttributes: { sign: true },
      });
    }
    const cases = [
      {
        name: 'crypto sign rsa-pkcs RSA-2048',
        mechanism: 'rsa-pkcs',
        label: 'bench-rsa',
        openssl: 'rsa2048',
      },
      { name: 'crypto sign ecdsa P-256', mechanism: 'ecdsa', label: 'bench-ec', openssl: 'ecdsap256' },
    ] as const;
    for (const c of cases) {
      // Found once, as an application keeps a PKCS#11 handle: each signature is then one request.
      const request = {
        mechanism: c.mechanism,
        keyFilter: await session.findKey(`attr.label=${c.label}`),
        hashFunction: 'sha256',
        data: 'benchmark data',
      } as const;
      await signRate(session, request, 0.5, 16);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < 2; i++) {
        ours.push(await signRate(session, request, 3, 16));
        theirs.push(opensslSignPerSecond(c.openssl, 3));
      }
      record(
        {
          name: `${c.name}, 3 HSMs, 16 in flight, key found once (2 CPUs: HSM count cannot beat the core count)`,
          value: Math.max(...ours),
          unit: 'sign/s',
          baseline: `openssl speed -seconds 3 ${c.openssl} (1 core)`,
          baselineValue: Math.max(...theirs),
          goal: 'goal >= 0.8',
        },
        (r) => r >= 0.8,
      );
    }
  } finally {
    await session.logout();
    await cluster.stop();
  }
}

/**
 * Puts AES keys straight into every HSM's state (the nodes stopped), copies of one generated key with their
 * own references and labels `bench-<i>`, each sealed anew under the cluster masking key for its reference.
 */
async function fillKeys(cluster: LocalCluster, session: ClusterSession, count: number): Promise<void> {
  await session.generateSymmetric({ type: 'aes', label: 'bench-0', keyLengthBytes: 32 });
  for (let i = 0; i < cluster.hsms.length; i++) await cluster.stopHsm(i);
  for (const hsm of cluster.hsms) {
    const dir = paths(cluster.stateDir).hsm(hsm.id).dir;
    const masking = readMaskingKey(dir)!;
    const store = new SqliteStore(paths(cluster.stateDir).hsm(hsm.id).db);
    const template = store.findKeys(
      { username: USER.username, role: 'crypto-user', sessionId: -1 },
      [{ kind: 'attr', name: 'label', values: ['bench-0'] }],
      { limit: 1, offset: 0 },
    ).keys[0]!;
    const clear = masking.openMaterial(template.ref, template.material);
    store.transaction(() => {
      for (let i = 1; i < count; i++) {
        const ref = template.ref + i;
        const label = `bench-${i}`;
        store.insertKey({
          ...template,
          ref,
          label,
          attributes: { ...template.attributes, label },
          material: masking.sealMaterial(ref, clear),
        });
      }
    });
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
  }
  for (let i = 0; i < cluster.hsms.length; i++) await cluster.startHsm(i);
}

/** `key list --max-items 10` and `key list --filter attr.label=X` on 3 HSMs: 10,000 keys vs 10 keys. */
export async function benchKeyList(record: Record_, log: (line: string) => void): Promise<void> {
  log('10. key list on 3 HSMs (library API): 10,000 keys vs 10 keys, first page of 10 and by label');
  const small = await keyCluster(3, true);
  const large = await keyCluster(3, true);
  try {
    await fillKeys(small.cluster, small.session, 10);
    await fillKeys(large.cluster, large.session, 10_000);
    // The sessions' connections closed with the nodes: log in again.
    small.session.close();
    large.session.close();
    small.session = await small.cluster.login(USER);
    large.session = await large.cluster.login(USER);
    const total = (await large.session.listKeys({ maxItems: 10 })).total_key_count;
    if (total !== 10_000) throw new Error(`the large cluster lists ${total} keys`);
    const page = (s: ClusterSession) => () => timeMedian(1, () => s.listKeys({ maxItems: 10 }));
    const [large10, small10] = await alternate(41, page(large.session), page(small.session));
    record(
      {
        name: 'key list --max-items 10, 10,000 keys',
        value: large10,
        unit: 'ms',
        baseline: '10 keys',
        baselineValue: small10,
        goal: 'goal <= 2',
      },
      (r) => r <= 2,
    );
    const byLabel = (s: ClusterSession, label: string) => () =>
      timeMedian(1, async () => {
        const found = await s.listKeys({ filter: `attr.label=${label}` });
        if (found.total_key_count !== 1) throw new Error(`label ${label} matched ${found.total_key_count}`);
      });
    const [largeLabel, smallLabel] = await alternate(
      41,
      byLabel(large.session, 'bench-5000'),
      byLabel(small.session, 'bench-5'),
    );
    record(
      {
        name: 'key list --filter attr.label=X, 10,000 keys',
        value: largeLabel,
        unit: 'ms',
        baseline: '10 keys',
        baselineValue: smallLabel,
        goal: 'goal <= 2',
      },
      (r) => r <= 2,
    );
  } finally {
    for (const c of [small, large]) {
      await c.session.logout().catch(() => {});
      await c.cluster.stop();
    }
  }
}

/** A token RSA-2048 pair created on 3 HSMs (generated once, sealed copies to the others) vs on 1 HSM. */
export async function benchKeyCreation(record: Record_, log: (line: string) => void): Promise<void> {
  log('11. key generate-asymmetric-pair rsa 2048 (token keys): 3 HSMs vs 1 HSM');
  const one = await keyCluster(1, true);
  const three = await keyCluster(3, true);
  try {
    let n = 0;
    const create = (s: ClusterSession) => () =>
      timeMedian(1, () =>
        s.generateKeyPair({
          type: 'rsa',
          modulusSizeBits: 2048,
          publicLabel: `pub-${n}`,
          privateLabel: `priv-${n++}`,
        }),
      );
    await create(three.session)();
    await create(one.session)();
    const [t3, t1] = await alternate(19, create(three.session), create(one.session));
    record(
      {
        name: 'token RSA-2048 pair, 3 HSMs',
        value: t3,
        unit: 'ms',
        baseline: '1 HSM',
        baselineValue: t1,
        goal: 'goal <= 1.5',
      },
      (r) => r <= 1.5,
    );
  } finally {
    for (const c of [one, three]) {
      await c.session.logout().catch(() => {});
      await c.cluster.stop();
    }
  }
}
