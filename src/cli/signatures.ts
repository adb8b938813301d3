// The crypto sign/verify commands of each mechanism, built from one spec (their options differ only for PSS).
import { onOne, resolveKey } from '../cluster/keys.js';
import { verdict } from '../cluster/verdict.js';
import type { OptionSpec } from '../command/spec.js';
import type { HashName } from '../keys/sign.js';
import { displayName } from '../protocol/operations.js';
import { APPROVAL_OPTION, CLUSTER_ID_OPTION, type CliCommand, cliCommand } from './context.js';
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
      const approval = approvalFrom(options);
      const cluster = ctx.session.cluster(options.string('cluster-id'));
      const key = await resolveKey(cluster, options.list('key-filter'), ctx.io.warn);
      const salt = options.string('salt-length');
      const args = {
        ref: key.ref,
        mechanism,
        hash,
        digest,
        ...(options.string('mgf') ? { mgf: options.required('mgf') } : {}),
        ...(salt !== undefined ? { saltLength: wholeNumberOption(salt, 'salt-length') } : {}),
        ...(approval ? { approval } : {}),
      };
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
    },
  });
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
      { long: 'signature-path', value: 'SIGNATURE_PATH', help: 'The path to where the signature is located' },
      { long: 'signature', value: 'SIGNATURE', help: 'Base64 encoded signature to be verified' },
      DATA_TYPE_OPTION,
    ],
    exactlyOne: [
      ['data-path', 'data'],
      ['signature-path', 'signature'],
    ],
    async run(options, ctx) {
      const hash = options.required('hash-function') as HashName;
      const digest = digestFor(mechanism, hash, options.string('data-type'), dataFrom(options));
      const signature = signatureFrom(options).toString('base64');
      const cluster = ctx.session.cluster(options.string('cluster-id'));
      const key = await resolveKey(cluster, options.list('key-filter'), ctx.io.warn);
      const salt = options.string('salt-length');
      await onOne(key.holders, 'crypto-verify', {
        ref: key.ref,
        mechanism,
        hash,
        digest,
        signature,
        ...(options.string('mgf') ? { mgf: options.required('mgf') } : {}),
        ...(salt !== undefined ? { saltLength: wholeNumberOption(salt, 'salt-length') } : {}),
      });
      return { message: 'Signature verified successfully' };
    },
  });
}
