// The node settings table: every setting's default and validation, and a damaged row stopping the node by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HsmNode } from '../../src/hsm/node.js';
import { provisionHsm } from '../../src/hsm/provision.js';
import { importSeed } from '../../src/hsm/seed-import.js';
import {
  SETTINGS,
  SETTING_KEYS,
  type SetBy,
  type SettingKey,
  SettingError,
  checkSettings,
  parseSettingText,
  readSetting,
  writeSetting,
} from '../../src/hsm/settings.js';
import { MemoryStore } from '../../src/hsm/store/memory.js';
import { ManualClock } from '../helpers/cluster.js';

const IDENTITY = {
  hsmId: 'hsm-aaaaaaaaaaa',
  clusterId: 'cluster-aaaaaaaaaaa',
  serialNumber: 'LHSM-TEST',
  kdf: 'fast',
} as const;

function provisioned(): MemoryStore {
  const store = new MemoryStore();
  provisionHsm(store, IDENTITY);
  return store;
}

/** What a freshly provisioned HSM reads for each setting. Listed by hand: a changed default is a visible change. */
const FRESH: Record<SettingKey, unknown> = {
  hsm_id: 'hsm-aaaaaaaaaaa',
  cluster_id: 'cluster-aaaaaaaaaaa',
  serial_number: 'LHSM-TEST',
  kdf: 'fast',
  hsm_type: 'hsm2m.medium',
  hsm_mode: 'fips',
  max_users: 1024,
  session_idle_seconds: 1800,
  mfa_token_seconds: 600,
  quorum_value_user: 1,
  quorum_value_quorum: 1,
  quorum_value_cluster: 1,
  quorum_timeout_generated: 600,
  quorum_timeout_approved: 600,
  quorum_self_approval: true,
  quorum_lockout_guard: false,
  quorum_guard: false,
  quorum_max_tokens: 1024,
  dev_clock: false,
  dev_clock_offset_ms: 0,
  first_frame_timeout_seconds: 10,
  frame_body_timeout_seconds: 10,
  unauthenticated_idle_seconds: 60,
  max_connections: 256,
  max_unsent_reply_bytes: 1048576,
  dev_clock_secret_sha256: '',
  clone_family_key: '',
  mtls_enforcement: 'none',
  mtls_trust_anchors: [],
  audit_head: '',
};

describe('node settings', () => {
  it('reads every setting of a freshly provisioned HSM as its default (or provisioned value)', () => {
    const store = provisioned();
    assert.deepEqual(Object.fromEntries(SETTING_KEYS.map((key) => [key, readSetting(store, key)])), FRESH);
  });

  it('has a default for every setting but the identity written at provisioning', () => {
    const required = SETTING_KEYS.filter((key) => SETTINGS[key].default === undefined);
    assert.deepEqual(required, ['hsm_id', 'cluster_id', 'serial_number', 'kdf']);
    for (const key of required) assert.equal((SETTINGS[key].setBy as SetBy).provisioning, true, key);
    const store = new MemoryStore();
    assert.throws(() => readSetting(store, 'kdf'), {
      name: 'SettingError',
      message: 'HSM state: the setting kdf is missing (not provisioned?)',
    });
  });

  // Stored text a setting of each type must refuse, and text it must accept as the given value.
  const INTEGER_BAD = ['', 'x', '1.5', '045', '1e3', ' 1', '-0', '0x10', '99999999999999999'];
  const CASES: { keys: SettingKey[]; good: [string, unknown][]; bad: string[] }[] = [
    {
      keys: ['session_idle_seconds', 'mfa_token_seconds'],
      good: [
        ['1', 1],
        ['9999999', 9_999_999],
      ],
      bad: [...INTEGER_BAD, '0', '-5', '10000000'],
    },
    {
      keys: ['quorum_value_user', 'quorum_value_quorum', 'quorum_value_cluster'],
      good: [
        ['1', 1],
        ['8', 8],
      ],
      bad: [...INTEGER_BAD, '0', '9'],
    },
    {
      keys: ['quorum_timeout_generated', 'quorum_timeout_approved'],
      good: [
        ['1', 1],
        ['86400', 86_400],
      ],
      bad: [...INTEGER_BAD, '0', '86401'],
    },
    {
      keys: ['max_users', 'quorum_max_tokens'],
      good: [
        ['1', 1],
        ['1024', 1024],
      ],
      bad: [...INTEGER_BAD, '0', '1025'],
    },
    {
      keys: ['first_frame_timeout_seconds', 'frame_body_timeout_seconds'],
      good: [
        ['1', 1],
        ['3600', 3600],
      ],
      bad: [...INTEGER_BAD, '0', '3601'],
    },
    {
      keys: ['unauthenticated_idle_seconds'],
      good: [
        ['1', 1],
        ['86400', 86_400],
      ],
      bad: [...INTEGER_BAD, '0', '86401'],
    },
    {
      keys: ['max_connections'],
      good: [
        ['1', 1],
        ['65536', 65_536],
      ],
      bad: [...INTEGER_BAD, '0', '65537'],
    },
    {
      keys: ['max_unsent_reply_bytes'],
      good: [
        ['65536', 65_536],
        ['1073741824', 1_073_741_824],
      ],
      bad: [...INTEGER_BAD, '65535', '1073741825'],
    },
    {
      keys: ['dev_clock_secret_sha256', 'clone_family_key'],
      good: [
        ['', ''],
        ['a'.repeat(64), 'a'.repeat(64)],
      ],
      bad: ['a'.repeat(63), 'A'.repeat(64), 'g'.repeat(64)],
    },
    {
      keys: ['dev_clock_offset_ms'],
      good: [
        ['0', 0],
        ['3153600000000', 3_153_600_000_000],
      ],
      bad: [...INTEGER_BAD, '-1', '3153600000001'],
    },
    {
      keys: ['quorum_self_approval', 'quorum_lockout_guard', 'quorum_guard', 'dev_clock'],
      good: [
        ['on', true],
        ['off', false],
      ],
      bad: ['', 'ON', 'yes', 'true', '1'],
    },
    {
      keys: ['mtls_enforcement'],
      good: [
        ['none', 'none'],
        ['cluster', 'cluster'],
      ],
      bad: ['', 'NONE', 'hsm', 'on'],
    },
    {
      keys: ['mtls_trust_anchors'],
      good: [
        ['[]', []],
        ['[{"reference":"0x01","certificate":"PEM"}]', [{ reference: '0x01', certificate: 'PEM' }]],
      ],
      bad: [
        '',
        '{}',
        'not json',
        '[{"reference":"1","certificate":"PEM"}]',
        JSON.stringify([1, 2, 3].map((n) => ({ reference: `0x0${n}`, certificate: 'PEM' }))),
      ],
    },
    {
      keys: ['kdf'],
      good: [
        ['fast', 'fast'],
        ['strong', 'strong'],
      ],
      bad: ['', 'medium', 'FAST'],
    },
    {
      keys: ['hsm_type'],
      good: [
        ['hsm1.medium', 'hsm1.medium'],
        ['hsm2m.medium', 'hsm2m.medium'],
      ],
      bad: ['', 'hsm1', 'hsm2m', 'HSM1.MEDIUM', 'hsm3.medium'],
    },
    {
      keys: ['hsm_mode'],
      good: [
        ['fips', 'fips'],
        ['non-fips', 'non-fips'],
      ],
      bad: ['', 'FIPS', 'nonfips', 'non_fips'],
    },
    {
      keys: ['hsm_id', 'cluster_id', 'serial_number'],
      good: [['hsm-x', 'hsm-x']],
      bad: ['', 'x'.repeat(65)],
    },
  ];

  it('covers every setting but the store-internal audit head in the validation cases', () => {
    const covered = new Set(CASES.flatMap((c) => c.keys));
    assert.deepEqual(
      SETTING_KEYS.filter((key) => !covered.has(key)),
      ['audit_head'],
    );
  });

  for (const { keys, good, bad } of CASES) {
    it(`validates ${keys.join(', ')}`, () => {
      for (const key of keys) {
        for (const [text, value] of good) {
          assert.deepEqual(parseSettingText(key, text), value, `${key} = '${text}'`);
          const store = provisioned();
          writeSetting(store, key, value as never);
          assert.equal(store.getSetting(key), text, `${key} is stored as '${text}'`);
          assert.deepEqual(readSetting(store, key), value);
        }
        for (const text of bad) {
          assert.equal(parseSettingText(key, text), undefined, `${key} refuses '${text}'`);
          const store = provisioned();
          store.setSetting(key, text);
          assert.throws(() => readSetting(store, key), SettingError, `${key} = '${text}' is an error`);
          assert.throws(() => checkSettings(store), SettingError);
        }
      }
    });
  }

  it('refuses to write a value outside the schema', () => {
    const store = provisioned();
    assert.throws(() => writeSetting(store, 'session_idle_seconds', 0), {
      name: 'SettingError',
      message:
        "HSM state: the setting session_idle_seconds cannot be set to '0': expected a whole number from 1 to 9999999",
    });
    assert.throws(() => writeSetting(store, 'quorum_value_user', Number.NaN), SettingError);
    assert.equal(store.getSetting('session_idle_seconds'), undefined);
  });

  it('makes the node refuse to start on a bad stored idle timeout (it used to become NaN)', () => {
    const store = provisioned();
    store.setSetting('session_idle_seconds', 'half an hour');
    assert.throws(() => new HsmNode(store, { clock: new ManualClock() }), {
      name: 'SettingError',
      message:
        "HSM state: the setting session_idle_seconds holds 'half an hour', not a whole number from 1 to 9999999",
    });
  });

  it('checks every setting when the node starts, not only those it reads then', () => {
    const store = provisioned();
    store.setSetting('quorum_timeout_approved', '0');
    assert.throws(() => new HsmNode(store), {
      message: "HSM state: the setting quorum_timeout_approved holds '0', not a whole number from 1 to 86400",
    });
  });

  it('checks the KDF profile in one place: the node and a seed import refuse a bad one alike', async () => {
    const refusal = {
      name: 'SettingError',
      message: "HSM state: the setting kdf holds 'medium', not one of strong, fast",
    };
    const store = provisioned();
    store.setSetting('kdf', 'medium');
    assert.throws(() => new HsmNode(store), refusal);
    await assert.rejects(importSeed(store, { users: [] }), refusal);
  });
});
