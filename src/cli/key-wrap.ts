// The key wrap/unwrap commands of each mechanism, built from one spec (spec §10.3, §10.4): options differ only
// by the mechanism's extras (GCM tag/AAD/IV, OAEP hash/MGF).
import { createKeys, onOne, resolveKey } from '../cluster/keys.js';
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import { HsmError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { describeFsError } from '../files/fs-error.js';
import { readInputFile } from '../files/read-input.js';
import { UNWRAP_KEY_TYPE_CLASSES } from '../keys/material.js';
import type { HashName, MgfName } from '../keys/sign.js';
import type { WrapMechanism } from '../keys/wrap.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, type CliCommand, cliCommand } from './context.js';
import {
  HASH_OPTION,
  KEY_FILTER_HELP,
  MGF_OPTION,
  filterOption,
  optionalNumber,
  quorumOption,
  SESSION_OPTION,
  shareOption,
} from './keys.js';

const TAG_OPTION = {
  long: 'tag-length-bits',
  value: 'TAG_LENGTH_BITS',
  required: true,
  help: 'Tag length in bits',
} as const satisfies OptionSpec;
const AAD_OPTION = {
  long: 'aad',
  value: 'AAD',
  help: 'Aes GCM Additional Authenticated Data (AAD) value, in hex',
} as const satisfies OptionSpec;
const IV_OPTION = {
  long: 'iv',
  value: 'IV',
  required: true,
  help: 'Initial value used to wrap the key, in hex',
} as const satisfies OptionSpec;

/** The mechanism's extra options, in the order of the documented usage lines. */
function extras(mechanism: WrapMechanism, operation: 'wrap' | 'unwrap'): OptionSpec[] {
  // aes-gcm unwrap: --iv comes after --label (documented usage line), see unwrapCommand.
  if (mechanism === 'aes-gcm') return [TAG_OPTION, AAD_OPTION];
  // cloudhsm-aes-gcm: the spec lists --aad on unwrap only ([R]); the IV is inside the wrapped data.
  if (mechanism === 'cloudhsm-aes-gcm') return operation === 'wrap' ? [TAG_OPTION] : [TAG_OPTION, AAD_OPTION];
  if (mechanism === 'rsa-aes' || mechanism === 'rsa-oaep')
    return [
      { ...HASH_OPTION, help: 'Hash algorithm' },
      { ...MGF_OPTION, help: 'Mask Generation Function algorithm' },
    ];
  return [];
}

function mechanismArgs(mechanism: WrapMechanism, options: ParsedOptions<string>) {
  const tag = optionalNumber(options, 'tag-length-bits');
  const aad = options.string('aad');
  const hash = options.string('hash-function');
  const mgf = options.string('mgf');
  return {
    ...(tag !== undefined ? { tagLengthBits: tag } : {}),
    ...(aad !== undefined ? { aad } : {}),
    ...(hash !== undefined ? { hash: hash as HashName } : {}),
    ...(mgf !== undefined ? { mgf: mgf as MgfName } : {}),
    ...(mechanism === 'aes-gcm' && options.string('iv') !== undefined ? { iv: options.required('iv') } : {}),
  };
}

const TITLES: Record<WrapMechanism, string> = {
  'aes-gcm': 'AES-GCM',
  'aes-no-pad': 'AES-NO-PAD',
  'aes-pkcs5-pad': 'AES-PKCS5-PAD',
  'aes-zero-pad': 'AES-ZERO-PAD',
  'cloudhsm-aes-gcm': 'CLOUDHSM-AES-GCM',
  'rsa-aes': 'RSA-AES',
  'rsa-oaep': 'RSA-OAEP',
  'rsa-pkcs': 'RSA-PKCS',
};

export function wrapCommand(mechanism: WrapMechanism): CliCommand {
  return cliCommand({
    path: ['key', 'wrap', mechanism],
    about: `Wrap a key using the ${TITLES[mechanism]} mechanism`,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      filterOption('payload-filter', 'PAYLOAD_FILTER', `${KEY_FILTER_HELP} (the key to wrap)`),
      filterOption('wrapping-filter', 'WRAPPING_FILTER', `${KEY_FILTER_HELP} (the key to wrap with)`),
      {
        long: 'path',
        value: 'PATH',
        help: 'Path to the binary file where the wrapped key data will be saved',
      },
      {
        ...APPROVAL_OPTION,
        long: 'wrapping-approval',
        value: 'WRAPPING_APPROVALR',
        help: "File path of signed quorum token file to approve operation for wrapping key. Only required if the wrapping key's key-management service quorum value is greater than 1",
      },
      {
        ...APPROVAL_OPTION,
        long: 'payload-approval',
        value: 'PAYLOAD_APPROVALR',
        help: "File path of signed quorum token file to approve operation for payload key. Only required if the payload key's key-management service quorum value is greater than 1",
      },
      ...extras(mechanism, 'wrap'),
    ],
    async run(options, ctx) {
      const o = options as ParsedOptions<string>;
      const cluster = ctx.session.cluster(o.string('cluster-id'));
      const payload = await resolveKey(cluster, o.list('payload-filter'), ctx.io.warn);
      const wrapping = await resolveKey(cluster, o.list('wrapping-filter'), ctx.io.warn);
      // An HSM that holds both keys (a session key lives on one HSM only).
      const both = payload.holders.filter((c) => wrapping.holders.includes(c));
      const { value } = await onOne(both.length > 0 ? both : payload.holders, 'key-wrap', {
        mechanism,
        payloadRef: payload.ref,
        wrappingRef: wrapping.ref,
        ...mechanismArgs(mechanism, o),
      });
      const file = o.string('path');
      if (file !== undefined) {
        try {
          writeFileAtomic(file, Buffer.from(value.wrapped, 'base64'));
        } catch (error) {
          throw new HsmError('ERR_FILE', { action: 'write', file, detail: describeFsError(error) });
        }
      }
      return {
        payload_key_reference: value.payloadRef,
        wrapping_key_reference: value.wrappingRef,
        ...(value.iv !== undefined ? { iv: value.iv } : {}),
        wrapped_key_data: value.wrapped,
      };
    },
  });
}

/** The wrapped bytes of `--data <base64>` or `--data-path <binary file>`, as base64 for the wire. */
function wrappedData(options: ParsedOptions<string>): string {
  const file = options.string('data-path');
  if (file === undefined) {
    const text = options.required('data').trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
      throw new HsmError('ERR_MECHANISM_PARAMETERS', { mechanism: 'unwrap', detail: '--data is not base64' });
    return text;
  }
  try {
    return readInputFile(file).toString('base64');
  } catch (error) {
    throw new HsmError('ERR_FILE', {
      action: 'read the wrapped key file',
      file,
      detail: describeFsError(error),
    });
  }
}

export function unwrapCommand(mechanism: WrapMechanism): CliCommand {
  return cliCommand({
    path: ['key', 'unwrap', mechanism],
    about: `Unwrap a key using the ${TITLES[mechanism]} mechanism`,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      filterOption('filter', 'FILTER', `${KEY_FILTER_HELP} to select a key to unwrap with`),
      {
        long: 'data-path',
        value: 'DATA_PATH',
        help: 'Path to the binary file containing the wrapped key data',
      },
      { long: 'data', value: 'DATA', help: 'Base64 encoded wrapped key data' },
      {
        long: 'attributes',
        value: 'UNWRAPPED_KEY_ATTRIBUTES',
        words: true,
        help: 'Space separated list of key attributes in the form of KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE for the unwrapped key',
      },
      shareOption('unwrapped key'),
      quorumOption('manage-key-quorum-value', 'MANAGE_KEY_QUORUM_VALUE', 'key management'),
      quorumOption('use-key-quorum-value', 'USE_KEY_QUORUM_VALUE', 'key usage'),
      ...extras(mechanism, 'unwrap'),
      {
        long: 'key-type-class',
        value: 'KEY_TYPE_CLASS',
        required: true,
        help: 'Key type and class of wrapped key',
        possible: UNWRAP_KEY_TYPE_CLASSES.map((value) => ({ value })),
      },
      { long: 'label', value: 'LABEL', required: true, help: 'Label for the unwrapped key' },
      ...(mechanism === 'aes-gcm' ? [IV_OPTION] : []),
      SESSION_OPTION,
      {
        ...APPROVAL_OPTION,
        help: "Filepath of signed quorum token file to approve operation. Only required if the unwrapping key's key-management service quorum value is greater than 1",
      },
    ],
    exactlyOne: [['data-path', 'data']],
    async run(options, ctx) {
      const o = options as ParsedOptions<string>;
      const cluster = ctx.session.cluster(o.string('cluster-id'));
      const data = wrappedData(o);
      const unwrapping = await resolveKey(cluster, o.list('filter'), ctx.io.warn);
      const manage = optionalNumber(o, 'manage-key-quorum-value');
      const use = optionalNumber(o, 'use-key-quorum-value');
      const args = {
        mechanism,
        ref: unwrapping.ref,
        wrapped: data,
        keyTypeClass: o.required('key-type-class') as (typeof UNWRAP_KEY_TYPE_CLASSES)[number],
        label: o.required('label'),
        attributes: o.list('attributes'),
        share: o.list('share-crypto-users'),
        ...(o.flag('session') ? { session: true } : {}),
        ...(manage !== undefined ? { manageQuorum: manage } : {}),
        ...(use !== undefined ? { useQuorum: use } : {}),
        ...mechanismArgs(mechanism, o),
      };
      const [key] = await createKeys(cluster, 'key-unwrap', args, ctx.io.warn, unwrapping.holders);
      return { key };
    },
  });
}
