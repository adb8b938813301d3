// The crypto sign/verify commands of each mechanism, built from one spec (their options differ only for PSS),
// and those of the mechanisms gated on hsm2m.medium (ed25519, ed25519ph, ml-dsa), whose options differ more.
import crypto from 'node:crypto';
import type { ClusterClient } from '../cluster/cluster.js';
import { onOne, resolveKey } from '../cluster/keys.js';
import { verdict } from '../cluster/verdict.js';
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import { HsmError } from '../errors.js';
import { ED25519_MAX_MESSAGE } from '../keys/eddsa.js';
import { ML_DSA_DATA_TYPES } from '../keys/ml-dsa.js';
import type { HashName } from '../keys/sign.js';
import { MAX_SIGN_DATA_CHARS, type OpArgs, displayName } from '../protocol/operations.js';
import {
  APPROVAL_OPTION,
  CLUSTER_ID_OPTION,
  type CliCommand,
  type CliContext,
  cliCommand,
} from './context.js';
import {
  DATA_TYPE_OPTION,
  HASH_OPTION,
  KEY_FILTER_HELP,
  MGF_OPTION,
  SALT_OPTION,
  dataFrom,
  digestFor,
  filterOption,
  signatureFrom,
  wholeNumberOption,
} from './keys.js';
import { approvalFrom, withApprovalHints } from './quorum.js';

type Mechanism = 'rsa-pkcs' | 'rsa-pkcs-pss' | 'ecdsa';

const dataOptions = (verb: 'signed' | 'verified') =>
  [
    { long: 'data-path', value: 'DATA_PATH', help: `The path to the file containing the data to be ${verb}` },
    {
      long: 'data',
      value: 'DATA',
      help: `Base64 ${verb === 'signed' ? 'Encoded' : 'encoded'} data to be ${verb}`,
    },
  ] as const satisfies readonly OptionSpec[];

const SIGNATURE_OPTIONS = [
  { long: 'signature-path', value: 'SIGNATURE_PATH', help: 'The path to where the signature is located' },
  { long: 'signature', value: 'SIGNATURE', help: 'Base64 encoded signature to be verified' },
] as const satisfies readonly OptionSpec[];

const pssOptions = (mechanism: Mechanism) => (mechanism === 'rsa-pkcs-pss' ? [MGF_OPTION, SALT_OPTION] : []);

export function signCommand(mechanism: Mechanism, about: string): CliCommand {
  return cliCommand({
    path: ['crypto', 'sign', mechanism],
    about,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      filterOption('key-filter', 'KEY_FILTER', KEY_FILTER_HELP),
      HASH_OPTION,
      ...pssOptions(mechanism),
      ...dataOptions('signed'),
      DATA_TYPE_OPTION,
      {
        ...APPROVAL_OPTION,
        help: 'Filepath of signed quorum token file to approve operation. Only required if the key usage service quorum value of the private key is greater than 1',
      },
    ],
    exactlyOne: [['data-path', 'data']],
    async run(options, ctx) {
      const hash = options.required('hash-function') as HashName;
      const digest = digestFor(mechanism, hash, options.string('data-type'), dataFrom(options));
      const salt = options.string('salt-length');
      return signOnCluster(options, ctx, {
        mechanism,
        hash,
        digest,
        ...(options.string('mgf') ? { mgf: options.required('mgf') } : {}),
        ...(salt !== undefined ? { saltLength: wholeNumberOption(salt, 'salt-length') } : {}),
      });
    },
  });
}

/** Resolves the key and signs on its holders (all of them with an approval). */
async function signOnCluster(
  options: ParsedOptions<'cluster-id' | 'key-filter' | 'approval'>,
  ctx: CliContext,
  request: Omit<OpArgs<'crypto-sign'>, 'ref' | 'approval'>,
) {
  const approval = approvalFrom(options);
  const cluster: ClusterClient = ctx.session.cluster(options.string('cluster-id'));
  const key = await resolveKey(cluster, options.list('key-filter'), ctx.io.warn);
  const args = { ref: key.ref, ...request, ...(approval ? { approval } : {}) };
  if (!approval) {
    const { value } = await onOne(key.holders, 'crypto-sign', args);
    return { 'key-reference': key.ref, signature: value.signature };
  }
  // With an approval, every holder signs and consumes its part of the token, so the token is used up on
  // every HSM (single use cluster-wide) and cannot be presented again to another HSM.
  const outcomes = await withApprovalHints(ctx.io, async () => {
    const all = await cluster.on(key.holders, 'crypto-sign', args);
    return verdict(all, 'reachable', {
      operation: displayName('crypto-sign'),
      clusterId: cluster.entry.clusterId,
      warn: ctx.io.warn,
    });
  });
  return { 'key-reference': key.ref, signature: outcomes[0]!.value.signature };
}

/** Resolves the key (one, available) and has one holder verify; a mismatch is the HSM's refusal. */
async function verifyOnCluster(
  options: ParsedOptions<'cluster-id' | 'key-filter' | 'signature' | 'signature-path'>,
  ctx: CliContext,
  request: Omit<OpArgs<'crypto-verify'>, 'ref' | 'signature'>,
) {
  const signature = signatureFrom(options).toString('base64');
  const cluster = ctx.session.cluster(options.string('cluster-id'));
  const key = await resolveKey(cluster, options.list('key-filter'), ctx.io.warn);
  await onOne(key.holders, 'crypto-verify', { ref: key.ref, ...request, signature });
  return { message: 'Signature verified successfully' };
}

export function verifyCommand(mechanism: Mechanism, about: string): CliCommand {
  return cliCommand({
    path: ['crypto', 'verify', mechanism],
    about,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      filterOption('key-filter', 'KEY_FILTER', KEY_FILTER_HELP),
      HASH_OPTION,
      ...pssOptions(mechanism),
      ...dataOptions('verified'),
      ...SIGNATURE_OPTIONS,
      DATA_TYPE_OPTION,
    ],
    exactlyOne: [
      ['data-path', 'data'],
      ['signature-path', 'signature'],
    ],
    async run(options, ctx) {
      const hash = options.required('hash-function') as HashName;
      const digest = digestFor(mechanism, hash, options.string('data-type'), dataFrom(options));
      const salt = options.string('salt-length');
      return verifyOnCluster(options, ctx, {
        mechanism,
        hash,
        digest,
        ...(options.string('mgf') ? { mgf: options.required('mgf') } : {}),
        ...(salt !== undefined ? { saltLength: wholeNumberOption(salt, 'salt-length') } : {}),
      });
    },
  });
}

/** The mechanisms CloudHSM offers on hsm2m.medium only (ed25519 and ed25519ph in non-FIPS mode). */
type GatedMechanism = 'ed25519' | 'ed25519ph' | 'ml-dsa';

/** --data-type and --hash-function of ed25519ph and ml-dsa: required, with their one hash function. */
function gatedOptions(mechanism: GatedMechanism): OptionSpec<'data-type' | 'hash-function'>[] {
  if (mechanism === 'ed25519') return [];
  const ml = mechanism === 'ml-dsa';
  return [
    {
      ...DATA_TYPE_OPTION,
      required: true,
      ...(ml
        ? {
            help: 'The type of data passed in, either raw or external-mu',
            possible: ML_DSA_DATA_TYPES.map((value) => ({ value })),
          }
        : {}),
    },
    { ...HASH_OPTION, possible: [{ value: ml ? 'shake256' : 'sha512' }] },
  ];
}

/** ML-DSA's filter takes one word (`--key-filter <KEY_FILTER>` on its page), the EdDSA ones a list. */
const gatedFilter = (mechanism: GatedMechanism): OptionSpec<'key-filter'> =>
  mechanism === 'ml-dsa'
    ? { long: 'key-filter', value: 'KEY_FILTER', required: true, help: KEY_FILTER_HELP }
    : filterOption('key-filter', 'KEY_FILTER', KEY_FILTER_HELP);

/**
 * What the HSM is sent: ed25519 the message (at most 16,000 bytes); ed25519ph the SHA-512 of raw data (hashed
 * here, as for RSA and ECDSA) or the given digest; ml-dsa the raw data whole (mu needs the key) or the mu.
 */
function gatedRequest(
  mechanism: GatedMechanism,
  options: ParsedOptions<'data' | 'data-path' | 'data-type'>,
): Omit<OpArgs<'crypto-sign'>, 'ref' | 'approval'> {
  const data = dataFrom(options);
  const dataType = options.string('data-type');
  if (mechanism === 'ed25519') {
    if (data.length > ED25519_MAX_MESSAGE)
      throw new HsmError('ERR_SIGN_INPUT', {
        mechanism,
        detail: `PureEdDSA signs at most ${ED25519_MAX_MESSAGE} bytes, got ${data.length}`,
      });
    return { mechanism, digest: data.toString('base64') };
  }
  if (mechanism === 'ed25519ph') {
    const digest = dataType === 'digest' ? data : crypto.createHash('sha512').update(data).digest();
    return { mechanism, hash: 'sha512', digest: digest.toString('base64') };
  }
  const digest = data.toString('base64');
  if (digest.length > MAX_SIGN_DATA_CHARS)
    throw new HsmError('ERR_SIGN_INPUT', {
      mechanism,
      detail: `LocalHSM signs at most 512 KiB of raw ML-DSA data (got ${data.length} bytes); compute mu and use --data-type external-mu`,
    });
  return { mechanism, hash: 'shake256', digest, dataType: dataType as 'raw' | 'external-mu' };
}

export function gatedSignCommand(mechanism: GatedMechanism, about: string): CliCommand {
  return cliCommand({
    path: ['crypto', 'sign', mechanism],
    about,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      gatedFilter(mechanism),
      ...gatedOptions(mechanism),
      ...dataOptions('signed'),
      {
        ...APPROVAL_OPTION,
        help: 'Filepath of signed quorum token file to approve operation. Only required if the key usage service quorum value of the private key is greater than 1',
      },
    ],
    exactlyOne: [['data-path', 'data']],
    run: (options, ctx) => signOnCluster(options, ctx, gatedRequest(mechanism, options)),
  });
}

export function gatedVerifyCommand(mechanism: GatedMechanism, about: string): CliCommand {
  return cliCommand({
    path: ['crypto', 'verify', mechanism],
    about,
    needsLogin: true,
    options: [
      CLUSTER_ID_OPTION,
      gatedFilter(mechanism),
      ...gatedOptions(mechanism),
      ...dataOptions('verified'),
      ...SIGNATURE_OPTIONS,
    ],
    exactlyOne: [
      ['data-path', 'data'],
      ['signature-path', 'signature'],
    ],
    run: (options, ctx) => verifyOnCluster(options, ctx, gatedRequest(mechanism, options)),
  });
}
