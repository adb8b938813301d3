// Test helper: a SoftHSM2 token store in a temporary directory (its own softhsm2.conf and tokendir), tokens
// initialised with softhsm2-util, and key pairs generated ON the token through pkcs11js (never on disk).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type * as Pkcs11js from 'pkcs11js';
import { loadPkcs11js } from '../../src/signers/pkcs11-signer.js';
import { tempDir } from './cluster.js';

/** The module lookup of `scripts/check-system.mjs` (what `npm test` checks first), so both agree on the path. */
const systemCheck = (await import(new URL('../../../scripts/check-system.mjs', import.meta.url).href)) as {
  findSoftHsmModule(): string | undefined;
  SOFTHSM_MODULE_CANDIDATES: string[];
};

export const SOFTHSM_MODULE = systemCheck.findSoftHsmModule() ?? systemCheck.SOFTHSM_MODULE_CANDIDATES[0]!;

/** SoftHSM2 is a test requirement (`npm test` checks for it first): its absence fails the tests, with the fix. */
export function requireSoftHsm(): void {
  const missing: string[] = [];
  if (!fs.existsSync(SOFTHSM_MODULE)) missing.push(SOFTHSM_MODULE);
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
  } catch {
    missing.push('softhsm2-util');
  }
  if (missing.length) {
    throw new Error(
      `SoftHSM2 is not installed (missing ${missing.join(', ')}): run \`apt-get install -y softhsm2\` (npm test installs it when run as root); the PKCS#11 tests need a real token`,
    );
  }
}

export interface KeySpec {
  label: string;
  /** 'rsa' (default) or 'ec' (P-256). */
  type?: 'rsa' | 'ec';
  bits?: number;
  /** CKA_ALWAYS_AUTHENTICATE: the PIN again before every signature (a YubiKey PIV slot 9c key). */
  alwaysAuthenticate?: boolean;
  sign?: boolean;
}

export interface SoftHsm {
  dir: string;
  /** The SOFTHSM2_CONF value; also set in this process's environment (the module reads it at C_Initialize). */
  conf: string;
  module: string;
  initToken(label: string, pin: string, soPin?: string): void;
  /** Generates a key pair on the token (private key CKA_SENSITIVE, CKA_PRIVATE, not extractable). */
  generateKey(token: string, pin: string, key: KeySpec): Promise<void>;
  /** Runs fn on a logged-in read-write session of the token, then logs out and finalises. */
  withSession<T>(
    token: string,
    pin: string,
    fn: (api: Pkcs11js.PKCS11, session: Buffer, lib: typeof Pkcs11js) => T,
  ): Promise<T>;
  close(): void;
}

export function createSoftHsm(): SoftHsm {
  requireSoftHsm();
  const dir = tempDir('localhsm-softhsm-');
  const tokens = path.join(dir, 'tokens');
  fs.mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };

  async function withSession<T>(
    token: string,
    pin: string,
    fn: (api: Pkcs11js.PKCS11, session: Buffer, lib: typeof Pkcs11js) => T,
  ): Promise<T> {
    const lib = await loadPkcs11js();
    const api = new lib.PKCS11();
    api.load(SOFTHSM_MODULE);
    api.C_Initialize();
    try {
      const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trimEnd() === token);
      if (!slot) throw new Error(`no SoftHSM2 token ${token}`);
      const session = api.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
      api.C_Login(session, lib.CKU_USER, pin);
      try {
        return fn(api, session, lib);
      } finally {
        api.C_Logout(session);
        api.C_CloseSession(session);
      }
    } finally {
      api.C_Finalize();
      api.close();
    }
  }

  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    initToken(label, pin, soPin = 'so-pin-1234') {
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
        {
          env,
          stdio: 'ignore',
        },
      );
    },
    async generateKey(token, pin, key) {
      await withSession(token, pin, (api, session, lib) => {
        const common = [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: key.label },
        ];
        const privateTemplate = [
          ...common,
          { type: lib.CKA_PRIVATE, value: true },
          { type: lib.CKA_SENSITIVE, value: true },
          { type: lib.CKA_EXTRACTABLE, value: false },
          { type: lib.CKA_SIGN, value: key.sign ?? true },
          ...(key.alwaysAuthenticate ? [{ type: lib.CKA_ALWAYS_AUTHENTICATE, value: true }] : []),
        ];
        if (key.type === 'ec') {
          api.C_GenerateKeyPair(
            session,
            { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
            [
              ...common,
              { type: lib.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
              { type: lib.CKA_VERIFY, value: true },
            ],
            privateTemplate,
          );
          return;
        }
        api.C_GenerateKeyPair(
          session,
          { mechanism: lib.CKM_RSA_PKCS_KEY_PAIR_GEN },
          [
            ...common,
            { type: lib.CKA_VERIFY, value: true },
            { type: lib.CKA_MODULUS_BITS, value: key.bits ?? 2048 },
            { type: lib.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          ],
          privateTemplate,
        );
      });
    },
    withSession,
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
