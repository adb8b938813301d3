// The options every key generation command shares (labels, session, shares, quorum values), and their wire form.
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import { optionalNumber, quorumOption, SESSION_OPTION, shareOption } from './keys.js';

export const PAIR_OPTIONS = [
  { long: 'public-label', value: 'PUBLIC_LABEL', required: true, help: 'Label for the public key' },
  { long: 'private-label', value: 'PRIVATE_LABEL', required: true, help: 'Label for the private key' },
  SESSION_OPTION,
] as const satisfies readonly OptionSpec[];

export const PAIR_TAIL_OPTIONS = [
  {
    long: 'public-attributes',
    value: 'PUBLIC_KEY_ATTRIBUTES',
    words: true,
    help: 'Space separated list of key attributes to set for the generated public key in the form of KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE',
  },
  {
    long: 'private-attributes',
    value: 'PRIVATE_KEY_ATTRIBUTES',
    words: true,
    help: 'Space separated list of key attributes to set for the generated private key in the form of KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE',
  },
  shareOption('private key'),
  quorumOption(
    'manage-private-key-quorum-value',
    'MANAGE_PRIVATE_KEY_QUORUM_VALUE',
    'private key management',
  ),
  quorumOption('use-private-key-quorum-value', 'USE_PRIVATE_KEY_QUORUM_VALUE', 'private key usage'),
] as const satisfies readonly OptionSpec[];

type PairName = (typeof PAIR_OPTIONS)[number]['long'] | (typeof PAIR_TAIL_OPTIONS)[number]['long'];

export function pairCreation(options: ParsedOptions<PairName>) {
  const manage = optionalNumber(options as ParsedOptions<string>, 'manage-private-key-quorum-value');
  const use = optionalNumber(options as ParsedOptions<string>, 'use-private-key-quorum-value');
  return {
    publicLabel: options.required('public-label'),
    privateLabel: options.required('private-label'),
    publicAttributes: options.list('public-attributes'),
    privateAttributes: options.list('private-attributes'),
    share: options.list('share-crypto-users'),
    ...(options.flag('session') ? { session: true } : {}),
    ...(manage !== undefined ? { manageQuorum: manage } : {}),
    ...(use !== undefined ? { useQuorum: use } : {}),
  };
}

export const SYMMETRIC_OPTIONS = [
  { long: 'label', value: 'LABEL', required: true, help: 'Label for the key' },
  SESSION_OPTION,
  { long: 'key-length-bytes', value: 'KEY_LENGTH_BYTES', required: true, help: 'Key length in bytes' },
  {
    long: 'attributes',
    value: 'KEY_ATTRIBUTES',
    words: true,
    help: 'Space separated list of key attributes to set for the generated key in the form of KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE',
  },
  shareOption('key'),
  quorumOption('manage-key-quorum-value', 'MANAGE_KEY_QUORUM_VALUE', 'key management'),
  quorumOption('use-key-quorum-value', 'USE_KEY_QUORUM_VALUE', 'key usage'),
] as const satisfies readonly OptionSpec[];

type SymmetricName = (typeof SYMMETRIC_OPTIONS)[number]['long'];

export function symmetricCreation(options: ParsedOptions<SymmetricName>) {
  const o = options as ParsedOptions<string>;
  const manage = optionalNumber(o, 'manage-key-quorum-value');
  const use = optionalNumber(o, 'use-key-quorum-value');
  return {
    label: options.required('label'),
    keyLengthBytes: optionalNumber(o, 'key-length-bytes')!,
    attributes: options.list('attributes'),
    share: options.list('share-crypto-users'),
    ...(options.flag('session') ? { session: true } : {}),
    ...(manage !== undefined ? { manageQuorum: manage } : {}),
    ...(use !== undefined ? { useQuorum: use } : {}),
  };
}
