// The command-line options that choose a token signer, shared by `localhsm token sign|pubkey`, `localhsm
// quorum approve` and cloudhsm-cli's --sign-with extension, so that every command spells them alike.
import type { OptionSpec, ParsedOptions } from '../command/spec.js';
import { readPassphraseFile } from '../tokens/private-key.js';
import { CommandSigner, type CommandTarget } from './command-signer.js';
import { PemSigner } from './pem-signer.js';
import { type Pkcs11Hooks, Pkcs11Signer, type Pkcs11Target } from './pkcs11-signer.js';
import type { SignerIo, TokenSigner } from './signer.js';

export type SignerChoice =
  | { kind: 'pem'; file: string; passphraseFile?: string; promptPassphrase: boolean }
  | { kind: 'pkcs11'; target: Pkcs11Target }
  | { kind: 'command'; target: CommandTarget };

export const PKCS11_OPTIONS = [
  {
    long: 'pkcs11-module',
    value: 'PATH',
    help: 'PKCS#11 module (shared library) of the token holding the key, e.g. /usr/lib/softhsm/libsofthsm2.so or libykcs11.so; needs --pkcs11-token and --key-label',
  },
  { long: 'pkcs11-token', value: 'LABEL', help: 'Label of the PKCS#11 token holding the key' },
  {
    long: 'key-label',
    value: 'LABEL',
    help: 'Label (CKA_LABEL) of the RSA 2048-bit private key on the token',
  },
  {
    long: 'pin-file',
    value: 'FILE',
    help: "File holding the token's user PIN (trailing newline ignored; keep it 0600). Without it the PIN is asked, hidden; a refused PIN is never retried",
  },
] as const satisfies readonly OptionSpec[];
type Pkcs11OptionName = (typeof PKCS11_OPTIONS)[number]['long'];

export const SIGN_COMMAND_OPTIONS = [
  {
    long: 'sign-command',
    value: 'CMD',
    help: 'Sign with a shell command run once per token: the 32-byte token on stdin (also in $LOCALHSM_TOKEN_BASE64 and $LOCALHSM_TOKEN_HEX), the RSA signature on stdout (raw 256 bytes, or base64); needs --public-key',
  },
  {
    long: 'public-key',
    value: 'PEM',
    help: 'PEM file of the RSA 2048-bit public key the --sign-command signatures must verify with; a wrong signature stops the command before anything is written',
  },
] as const satisfies readonly OptionSpec[];
type SignCommandOptionName = (typeof SIGN_COMMAND_OPTIONS)[number]['long'];

/** The PKCS#11 options that only make sense with another one (clap's `requires`). */
export const PKCS11_REQUIRES: readonly (readonly [Pkcs11OptionName, Pkcs11OptionName])[] = [
  ['pkcs11-module', 'pkcs11-token'],
  ['pkcs11-module', 'key-label'],
  ['pkcs11-token', 'pkcs11-module'],
  ['key-label', 'pkcs11-module'],
  ['pin-file', 'pkcs11-module'],
];

/** Options that only make sense with another one (clap's `requires`). */
export const SIGNER_REQUIRES: readonly (readonly [
  Pkcs11OptionName | SignCommandOptionName,
  Pkcs11OptionName | SignCommandOptionName,
])[] = [...PKCS11_REQUIRES, ['sign-command', 'public-key'], ['public-key', 'sign-command']];

/** localhsm commands: the PEM key is --private-key (with --passphrase-file), exactly one signer is required. */
export const LOCAL_PEM_OPTIONS = [
  {
    long: 'private-key',
    value: 'KEY',
    help: 'PEM file of the RSA private key (PKCS#1 or PKCS#8, optionally encrypted)',
  },
  {
    long: 'passphrase-file',
    value: 'FILE',
    help: 'File whose first line is the passphrase of an encrypted --private-key',
  },
] as const satisfies readonly OptionSpec[];

export const LOCAL_SIGNER_OPTIONS = [
  ...LOCAL_PEM_OPTIONS,
  ...PKCS11_OPTIONS,
  ...SIGN_COMMAND_OPTIONS,
] as const;

/** Every option name a signer can be chosen by, in either binary. */
type SignerOptionName = (typeof LOCAL_SIGNER_OPTIONS)[number]['long'] | 'sign-with';
/** What a cloudhsm-cli command that signs declares (cliSignerOptions). */
export type CliSignerOptionName = 'sign-with' | Pkcs11OptionName | SignCommandOptionName;
/** What every localhsm command that signs declares at least (token pubkey has no --sign-command, quorum approve no --passphrase-file). */
export type LocalSignerOptionName = 'private-key' | Pkcs11OptionName;

/** Spread into a localhsm command spec that signs: exactly one signer, and the options each one needs. */
export const LOCAL_SIGNER_RULES = {
  exactlyOne: [['private-key', 'pkcs11-module', 'sign-command']] as const,
  requires: [...SIGNER_REQUIRES, ['passphrase-file', 'private-key']] as const,
};

/** cloudhsm-cli commands (LocalHSM extension): --sign-with KEY.pem, or a PKCS#11 key, or a command; none = the file prompts. */
export function cliSignerOptions(signWithHelp: string): OptionSpec<CliSignerOptionName>[] {
  return [
    { long: 'sign-with', value: 'PRIVATE_KEY', extension: true, help: signWithHelp },
    ...[...PKCS11_OPTIONS, ...SIGN_COMMAND_OPTIONS].map((o) => ({ ...o, extension: true })),
  ];
}

export const CLI_SIGNER_CONFLICTS: readonly (readonly [CliSignerOptionName, CliSignerOptionName])[] = [
  ['sign-with', 'pkcs11-module'],
  ['sign-with', 'sign-command'],
  ['pkcs11-module', 'sign-command'],
];

/**
 * Which signer the parsed options name (undefined: none). `pemOption` is 'private-key' or 'sign-with'.
 * The options a command must declare are those of its binary's signing commands; the others read here
 * (--sign-command, --passphrase-file) are simply absent from a command that does not declare them.
 */
export function signerChoice(
  options: ParsedOptions<LocalSignerOptionName>,
  pemOption: 'private-key',
): SignerChoice | undefined;
export function signerChoice(
  options: ParsedOptions<CliSignerOptionName>,
  pemOption: 'sign-with',
): SignerChoice | undefined;
export function signerChoice(
  parsed: ParsedOptions<never>,
  pemOption: 'private-key' | 'sign-with',
): SignerChoice | undefined {
  // Reads every signer option; the overloads above say which ones a caller must have declared.
  const options = parsed as ParsedOptions<SignerOptionName>;
  const module = options.string('pkcs11-module');
  if (module !== undefined) {
    return {
      kind: 'pkcs11',
      target: {
        module,
        token: options.required('pkcs11-token'),
        keyLabel: options.required('key-label'),
        pinFile: options.string('pin-file'),
      },
    };
  }
  const command = options.string('sign-command');
  if (command !== undefined)
    return { kind: 'command', target: { command, publicKeyFile: options.required('public-key') } };
  const file = options.string(pemOption);
  if (file === undefined) return undefined;
  // The CLI asks for a pass phrase (as openssl does); localhsm reads it only from --passphrase-file.
  return pemOption === 'sign-with'
    ? { kind: 'pem', file, promptPassphrase: true }
    : { kind: 'pem', file, passphraseFile: options.string('passphrase-file'), promptPassphrase: false };
}

export interface OpenSignerOptions {
  env?: NodeJS.ProcessEnv;
  pkcs11?: Pkcs11Hooks;
}

export async function openSigner(
  choice: SignerChoice,
  io: SignerIo,
  opts: OpenSignerOptions = {},
): Promise<TokenSigner> {
  switch (choice.kind) {
    case 'pem':
      return PemSigner.open(
        choice.file,
        choice.passphraseFile !== undefined
          ? () => readPassphraseFile(choice.passphraseFile!)
          : choice.promptPassphrase
            ? () => io.prompt(`Enter pass phrase for ${choice.file}:`, { hidden: true })
            : undefined,
      );
    case 'pkcs11':
      return Pkcs11Signer.open(choice.target, io, opts.pkcs11);
    case 'command':
      return CommandSigner.open(choice.target, io, opts.env);
  }
}
