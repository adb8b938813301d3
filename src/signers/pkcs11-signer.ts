// A token signer over an RSA-2048 private key on a PKCS#11 token (SoftHSM2, a YubiKey through ykcs11, a
// smart card): CKM_RSA_PKCS over DigestInfo(SHA-256) || token, so the token is not hashed a second time
// (CKM_SHA256_RSA_PKCS would). pkcs11js is a native addon, loaded only when a PKCS#11 signer is opened.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type * as Pkcs11js from 'pkcs11js';
import { HsmError } from '../errors.js';
import { describeFsError } from '../files/fs-error.js';
import { expandHome } from '../files/home.js';
import { readInputFile } from '../files/read-input.js';
import { REQUIRED_MODULUS_BITS, SHA256_DIGEST_INFO, TOKEN_BYTES } from '../tokens/token-sign.js';
import type { SignerIo, TokenSigner } from './signer.js';

type Pkcs11Lib = typeof Pkcs11js;
type Handle = Buffer;

export interface Pkcs11Target {
  /** Path of the PKCS#11 module (shared library), e.g. /usr/lib/softhsm/libsofthsm2.so. */
  module: string;
  /** The token's label (CKA token info label, trailing blanks ignored). */
  token: string;
  /** CKA_LABEL of the private key. */
  keyLabel: string;
  /** A file holding the user PIN (trailing newline ignored); otherwise the PIN is asked, hidden. */
  pinFile?: string;
}

export interface Pkcs11Hooks {
  /** Tests wrap the loaded module (to count C_Login calls, or to play a token with a locked PIN). */
  wrap?(api: Pkcs11js.PKCS11, lib: Pkcs11Lib): Pkcs11js.PKCS11;
}

let libPromise: Promise<Pkcs11Lib> | undefined;

/** The pkcs11js binding, imported on first use so that commands without PKCS#11 never load it. */
export function loadPkcs11js(): Promise<Pkcs11Lib> {
  libPromise ??= import('pkcs11js').then((mod) => {
    const ns = mod as unknown as Pkcs11Lib & { default?: Pkcs11Lib };
    return ns.default ?? ns;
  });
  return libPromise;
}

/** The name of a CKR_ code (`CKR_PIN_INCORRECT`), for messages. */
function ckrName(lib: Pkcs11Lib, code: number): string {
  const entry = Object.entries(lib).find(([name, value]) => name.startsWith('CKR_') && value === code);
  return entry ? entry[0] : `CKR 0x${code.toString(16)}`;
}

function ckrOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' && /CKR_/.test(String((error as Error)?.message)) ? code : undefined;
}

const CKR_HINTS: Readonly<Record<string, string>> = {
  CKR_PIN_LEN_RANGE: 'the PIN is shorter or longer than this token accepts',
  CKR_PIN_EXPIRED: 'the PIN has expired; set a new one with the token vendor tool',
  CKR_TOKEN_NOT_PRESENT: 'the token was removed',
  CKR_DEVICE_REMOVED: 'the token was removed',
  CKR_FUNCTION_CANCELED: 'cancelled on the token',
  CKR_DEVICE_ERROR:
    'the module cannot reach its device; for a YubiKey or smart card, is pcscd running and the token plugged in?',
};

const KEY_TYPES: Readonly<Record<number, string>> = { 0: 'RSA', 1: 'DSA', 2: 'DH', 3: 'EC', 0x40: 'EdDSA' };

/**
 * What a refusal from the module means for the user: the PIN cases and an unusable key get their own
 * messages, any other CKR_ code names the function and the code. Errors that are not CKR_ codes pass.
 */
function explain(lib: Pkcs11Lib, target: Pkcs11Target, fn: string, error: unknown): unknown {
  const code = ckrOf(error);
  if (code === undefined) return error;
  if (code === lib.CKR_PIN_INCORRECT)
    return new HsmError('ERR_PKCS11_PIN_INCORRECT', { token: target.token });
  if (code === lib.CKR_PIN_LOCKED) return new HsmError('ERR_PKCS11_PIN_LOCKED', { token: target.token });
  const name = ckrName(lib, code);
  if (code === lib.CKR_KEY_FUNCTION_NOT_PERMITTED || code === lib.CKR_KEY_TYPE_INCONSISTENT) {
    return new HsmError('ERR_PKCS11_KEY_UNSUITABLE', {
      label: target.keyLabel,
      token: target.token,
      detail: `the token refuses CKM_RSA_PKCS signing with it (${name})`,
    });
  }
  const hint = code === lib.CKR_MECHANISM_INVALID ? 'the token does not offer CKM_RSA_PKCS' : CKR_HINTS[name];
  return new HsmError('ERR_PKCS11', {
    function: fn,
    token: target.token,
    code: hint ? `${name} (${hint})` : name,
  });
}

/** Runs one PKCS#11 call, turning a refusal into a message that names the call. */
function call<T>(lib: Pkcs11Lib, target: Pkcs11Target, fn: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw explain(lib, target, fn, error);
  }
}

/** A CK_ULONG attribute value (native width and byte order). */
function ulong(value: Buffer): number {
  const le = os.endianness() === 'LE';
  if (value.length === 8) return Number(le ? value.readBigUInt64LE() : value.readBigUInt64BE());
  return le ? value.readUInt32LE() : value.readUInt32BE();
}

/** The user PIN from a file: its content without the trailing newline; a file others can read gets a warning. */
export function readPinFile(file: string, warn: (line: string) => void): string {
  let text: string;
  let mode: number;
  try {
    const target = expandHome(file);
    mode = fs.statSync(target).mode;
    text = readInputFile(target).toString('utf8');
  } catch (error) {
    throw new HsmError('ERR_FILE', { action: 'read the PIN from', file, detail: describeFsError(error) });
  }
  if (mode & 0o077) {
    warn(
      `warning: the PIN file ${file} can be read by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); chmod 600 it`,
    );
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '')
    throw new HsmError('ERR_FILE', { action: 'read the PIN from', file, detail: 'it is empty' });
  return pin;
}

export class Pkcs11Signer implements TokenSigner {
  readonly description: string;
  private closed = false;

  private constructor(
    private readonly lib: Pkcs11Lib,
    private readonly api: Pkcs11js.PKCS11,
    private readonly target: Pkcs11Target,
    private readonly session: Handle,
    private readonly key: Handle,
    private readonly publicKeyObject: KeyObject,
    /** Kept only for keys that ask for the PIN before every signature (CKA_ALWAYS_AUTHENTICATE, PIV slot 9c). */
    private pin: string | undefined,
    private readonly owns: { initialized: boolean; loggedIn: boolean },
  ) {
    this.description = `the PKCS#11 key "${target.keyLabel}" on token ${target.token}`;
  }

  /**
   * Loads the module, finds the token by label, logs in once (a refused PIN is never retried: every try
   * costs one of the token's few attempts), finds the private key and checks it is RSA 2048-bit.
   */
  static async open(target: Pkcs11Target, io: SignerIo, hooks: Pkcs11Hooks = {}): Promise<Pkcs11Signer> {
    let lib: Pkcs11Lib;
    try {
      lib = await loadPkcs11js();
    } catch (error) {
      throw new HsmError('ERR_PKCS11_MODULE', {
        module: target.module,
        detail: `the pkcs11js binding is not available (${(error as Error)?.message ?? error}); run npm ci with its install script approved`,
      });
    }
    let api: Pkcs11js.PKCS11 = new lib.PKCS11();
    try {
      api.load(target.module);
    } catch (error) {
      throw new HsmError('ERR_PKCS11_MODULE', {
        module: target.module,
        detail: loadFailure(error, target.module),
      });
    }
    if (hooks.wrap) api = hooks.wrap(api, lib);
    const owns = { initialized: false, loggedIn: false };
    let session: Handle | undefined;
    const cleanUp = () => {
      if (session && owns.loggedIn) ignore(() => api.C_Logout(session!));
      if (session) ignore(() => api.C_CloseSession(session!));
      if (owns.initialized) ignore(() => api.C_Finalize());
      ignore(() => api.close());
    };
    try {
      try {
        api.C_Initialize();
        owns.initialized = true;
      } catch (error) {
        // Another part of this process (a test, a second signer) initialised the module: share it.
        if (ckrOf(error) !== lib.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
          throw new HsmError('ERR_PKCS11_MODULE', {
            module: target.module,
            detail:
              ckrOf(error) === undefined
                ? String((error as Error)?.message)
                : `C_Initialize returned ${ckrName(lib, ckrOf(error)!)}`,
          });
        }
      }
      const slot = findSlot(api, lib, target);
      const info = call(lib, target, 'C_GetTokenInfo', () => api.C_GetTokenInfo(slot));
      session = call(lib, target, 'C_OpenSession', () => api.C_OpenSession(slot, lib.CKF_SERIAL_SESSION));
      let pin: string | undefined;
      if (info.flags & lib.CKF_LOGIN_REQUIRED) {
        if (info.flags & lib.CKF_USER_PIN_LOCKED)
          throw new HsmError('ERR_PKCS11_PIN_LOCKED', { token: target.token });
        if (info.flags & lib.CKF_USER_PIN_FINAL_TRY) {
          io.warn(`warning: token ${target.token} reports that one more incorrect PIN locks it`);
        } else if (info.flags & lib.CKF_USER_PIN_COUNT_LOW) {
          io.warn(`warning: token ${target.token} reports incorrect PINs since its last successful login`);
        }
        if (target.pinFile !== undefined) pin = readPinFile(target.pinFile, io.warn);
        else if (info.flags & lib.CKF_PROTECTED_AUTHENTICATION_PATH)
          io.warn(`Enter the PIN of token ${target.token} on its PIN pad`);
        else pin = await io.prompt(`Enter PIN for token ${target.token}:`, { hidden: true });
        // Exactly one attempt: a refused PIN is reported, never retried.
        try {
          api.C_Login(session, lib.CKU_USER, pin);
          owns.loggedIn = true;
        } catch (error) {
          // Another session of this process is logged in to the token already: the login is shared.
          if (ckrOf(error) !== lib.CKR_USER_ALREADY_LOGGED_IN) throw explain(lib, target, 'C_Login', error);
        }
      }
      const key = findPrivateKey(api, lib, session, target);
      const attrs = readAttributes(api, session, key, {
        keyType: lib.CKA_KEY_TYPE,
        sign: lib.CKA_SIGN,
        alwaysAuthenticate: lib.CKA_ALWAYS_AUTHENTICATE,
        modulus: lib.CKA_MODULUS,
        exponent: lib.CKA_PUBLIC_EXPONENT,
        id: lib.CKA_ID,
      });
      const unsuitable = (detail: string) =>
        new HsmError('ERR_PKCS11_KEY_UNSUITABLE', { label: target.keyLabel, token: target.token, detail });
      if (attrs.keyType && ulong(attrs.keyType) !== lib.CKK_RSA) {
        const type = KEY_TYPES[ulong(attrs.keyType)] ?? `key type 0x${ulong(attrs.keyType).toString(16)}`;
        throw unsuitable(`it is an ${type} key; token-sign needs an RSA ${REQUIRED_MODULUS_BITS}-bit key`);
      }
      if (attrs.sign && attrs.sign[0] === 0) throw unsuitable('it may not sign (CKA_SIGN is false)');
      const publicKey = publicKeyOf(api, lib, session, target, attrs);
      if (!publicKey)
        throw unsuitable(
          'its modulus and public exponent cannot be read, and no public key object matches it',
        );
      const bits = publicKey.asymmetricKeyDetails?.modulusLength;
      if (bits !== REQUIRED_MODULUS_BITS) {
        throw unsuitable(
          `it is RSA ${bits}-bit; CloudHSM registers only RSA ${REQUIRED_MODULUS_BITS}-bit keys for MFA and quorum`,
        );
      }
      const always = attrs.alwaysAuthenticate !== undefined && attrs.alwaysAuthenticate[0] === 1;
      return new Pkcs11Signer(lib, api, target, session, key, publicKey, always ? pin : undefined, owns);
    } catch (error) {
      cleanUp();
      throw error;
    }
  }

  async publicKey(): Promise<KeyObject> {
    return this.publicKeyObject;
  }

  async sign(token: Buffer): Promise<Buffer> {
    if (this.closed) throw new Error('the PKCS#11 signer is closed');
    if (token.length !== TOKEN_BYTES) throw new Error(`a token is ${TOKEN_BYTES} bytes, got ${token.length}`);
    const { api, lib, session, target } = this;
    call(lib, target, 'C_SignInit', () => api.C_SignInit(session, { mechanism: lib.CKM_RSA_PKCS }, this.key));
    // A key that wants the PIN for every signature (CKA_ALWAYS_AUTHENTICATE) gets it right after C_SignInit.
    const pin = this.pin;
    if (pin !== undefined)
      call(lib, target, 'C_Login', () => api.C_Login(session, lib.CKU_CONTEXT_SPECIFIC, pin));
    const data = Buffer.concat([SHA256_DIGEST_INFO, token]);
    const signature = call(lib, target, 'C_Sign', () =>
      api.C_Sign(session, data, Buffer.alloc(REQUIRED_MODULUS_BITS / 8)),
    );
    return Buffer.from(signature);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pin = undefined;
    const { api, session } = this;
    if (this.owns.loggedIn) ignore(() => api.C_Logout(session));
    ignore(() => api.C_CloseSession(session));
    if (this.owns.initialized) ignore(() => api.C_Finalize());
    ignore(() => api.close());
  }
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    // Closing is best effort: the command's outcome is already decided.
  }
}

function loadFailure(error: unknown, module: string): string {
  const message = String((error as Error)?.message ?? error);
  // dlopen messages start with the path; say what it means instead of repeating it.
  const reason = message.startsWith(`${module}: `) ? message.slice(module.length + 2) : message;
  if (/undefined symbol: C_GetFunctionList/.test(reason))
    return 'it is a shared library but not a PKCS#11 module (no C_GetFunctionList)';
  if (/No such file or directory/.test(reason)) return 'no such file';
  if (/invalid ELF header|file too short/.test(reason)) return 'it is not a shared library';
  return reason;
}

function findSlot(api: Pkcs11js.PKCS11, lib: Pkcs11Lib, target: Pkcs11Target): Handle {
  const slots = call(lib, target, 'C_GetSlotList', () => api.C_GetSlotList(true)).map((slot) => ({
    slot,
    label: call(lib, target, 'C_GetTokenInfo', () => api.C_GetTokenInfo(slot)).label.trimEnd(),
  }));
  const matches = slots.filter((s) => s.label === target.token);
  if (matches.length === 0) {
    // Sorted: slot order follows slot ids, which some modules derive from random serial numbers.
    const labels = slots
      .filter((s) => s.label !== '')
      .map((s) => JSON.stringify(s.label))
      .sort();
    throw new HsmError('ERR_PKCS11_TOKEN_NOT_FOUND', {
      token: target.token,
      module: target.module,
      available: labels.length ? labels.join(', ') : 'none',
    });
  }
  if (matches.length > 1) {
    throw new HsmError('ERR_PKCS11_AMBIGUOUS', {
      count: matches.length,
      what: 'tokens',
      label: target.token,
      where: target.module,
    });
  }
  return matches[0]!.slot;
}

function findObjects(api: Pkcs11js.PKCS11, session: Handle, template: Pkcs11js.Template): Handle[] {
  api.C_FindObjectsInit(session, template);
  try {
    return api.C_FindObjects(session, 16);
  } finally {
    api.C_FindObjectsFinal(session);
  }
}

function findPrivateKey(api: Pkcs11js.PKCS11, lib: Pkcs11Lib, session: Handle, target: Pkcs11Target): Handle {
  const keys = call(lib, target, 'C_FindObjects', () =>
    findObjects(api, session, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_LABEL, value: target.keyLabel },
    ]),
  );
  if (keys.length === 0)
    throw new HsmError('ERR_PKCS11_KEY_NOT_FOUND', { label: target.keyLabel, token: target.token });
  if (keys.length > 1) {
    throw new HsmError('ERR_PKCS11_AMBIGUOUS', {
      count: keys.length,
      what: 'private keys',
      label: target.keyLabel,
      where: `token ${target.token}`,
    });
  }
  return keys[0]!;
}

/** Each attribute read on its own: a token refuses the whole call when one of them is sensitive or absent. */
function readAttributes<K extends string>(
  api: Pkcs11js.PKCS11,
  session: Handle,
  object: Handle,
  types: Record<K, number>,
): Partial<Record<K, Buffer>> {
  const out: Partial<Record<K, Buffer>> = {};
  for (const [name, type] of Object.entries(types) as [K, number][]) {
    try {
      const [attr] = api.C_GetAttributeValue(session, object, [{ type }]);
      if (attr && attr.value.length > 0) out[name] = attr.value;
    } catch {
      // Not readable on this token: the caller falls back or explains.
    }
  }
  return out;
}

/** The key's public half: from the private key object's modulus and exponent, else its public key object. */
function publicKeyOf(
  api: Pkcs11js.PKCS11,
  lib: Pkcs11Lib,
  session: Handle,
  target: Pkcs11Target,
  attrs: { modulus?: Buffer; exponent?: Buffer; id?: Buffer },
): KeyObject | undefined {
  let { modulus, exponent } = attrs;
  if (!modulus || !exponent) {
    const match = attrs.id
      ? { type: lib.CKA_ID, value: attrs.id }
      : { type: lib.CKA_LABEL, value: target.keyLabel };
    const [pub] = findObjects(api, session, [{ type: lib.CKA_CLASS, value: lib.CKO_PUBLIC_KEY }, match]);
    if (!pub) return undefined;
    ({ modulus, exponent } = readAttributes(api, session, pub, {
      modulus: lib.CKA_MODULUS,
      exponent: lib.CKA_PUBLIC_EXPONENT,
    }));
    if (!modulus || !exponent) return undefined;
  }
  const b64url = (b: Buffer) => stripZeros(b).toString('base64url');
  return crypto.createPublicKey({
    key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) },
    format: 'jwk',
  });
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
