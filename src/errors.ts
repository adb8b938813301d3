// The closed set of error codes LocalHSM can report, and the one table of their user-visible messages.

/**
 * Every message a user can see, keyed by a stable code. Codes are never reused or renamed.
 * `{name}` placeholders are filled from the error's params. Where the real cloudhsm-cli text is
 * known (spec §2.3) it is used word for word; the others are ours (listed in docs/cli.md).
 * No message ever includes a password, a private key or a signature.
 */
export const MESSAGES = {
  // wire protocol
  ERR_BAD_REQUEST: 'Malformed request: {detail}',
  ERR_REQUEST_TOO_LARGE: 'Request too large: {size} bytes exceeds the limit of {limit} bytes',
  ERR_UNKNOWN_OPERATION: 'Unknown operation: {op}',
  ERR_INTERNAL: 'Internal error on the HSM; the operation was not applied',
  // sessions and login
  ERR_NOT_LOGGED_IN: 'You must be logged in to perform this operation',
  ERR_ALREADY_LOGGED_IN: 'User {username} is already logged in; log out first',
  ERR_LOGIN_FAILED: 'Incorrect authentication credentials',
  ERR_USER_LOCKED:
    'User {username} is locked after too many failed login attempts; an admin can unlock it with user change-password',
  ERR_MFA_REQUIRED:
    'User {username} has MFA enabled; log in with: login --username {username} --role {role} mfa-token-sign --token <TOKEN>',
  ERR_PERMISSION_DENIED: 'Permission denied: the {role} role cannot {action}',
  // users
  ERR_USER_NOT_FOUND: 'User {username} does not exist',
  ERR_ROLE_MISMATCH: 'User {username} does not have the role {role}',
  ERR_USER_EXISTS: 'User already exists',
  ERR_INVALID_USERNAME:
    "Invalid username '{username}': use 1 to 31 characters, letters, digits or '_' only (the only special character permitted is an underscore)",
  ERR_INVALID_PASSWORD: "Invalid password: use 8 to 32 characters, without ':'",
  ERR_PASSWORD_CONTROL_CHARACTER:
    'Invalid password: control characters (U+0000 to U+001F, U+007F to U+009F) are not allowed',
  ERR_INVALID_ROLE: "Invalid role '{role}': possible values are admin, crypto-user",
  ERR_USER_LOGGED_IN: 'Cannot {action} user {username}: the user is currently logged in',
  ERR_LAST_ADMIN: 'Cannot delete {username}: it is the last admin on the HSM',
  ERR_BUILTIN_USER: 'The built-in user {username} cannot be changed',
  ERR_TOO_MANY_USERS: 'The HSM already holds the maximum of {limit} users',
  // user replicate (cloned clusters)
  ERR_USER_INCONSISTENT: 'Specified user is inconsistent across the cluster',
  ERR_NOT_CLONES:
    'The source and destination clusters are not clones: user replicate needs clusters created from a common backup (localhsm backup restore)',
  ERR_NO_CLONE_FAMILY:
    'This cluster has no clone family (it was created by an earlier LocalHSM); user and key replicate need clusters created, or restored from a backup, by this version',
  ERR_REPLICATE_SAME_CLUSTER: 'The source and destination clusters must be different clusters',
  // token-sign (MFA and quorum)
  ERR_BAD_PUBLIC_KEY: 'Invalid public key: {detail}',
  // cluster
  ERR_CLUSTER_ALREADY_ACTIVE: 'Cluster has already been activated',
  // cluster mtls (hsm2m): trust anchors for client certificates and their enforcement
  ERR_HSM_DISCONNECTED: 'HSM is disconnected',
  ERR_MTLS_CERTIFICATE: 'Invalid trust anchor certificate: {detail}',
  ERR_MTLS_ANCHOR_EXISTS: 'The trust anchor is already registered with certificate reference {reference}',
  ERR_MTLS_ANCHOR_LIMIT: 'The cluster already holds the maximum of {limit} trust anchors',
  ERR_MTLS_ANCHOR_NOT_FOUND: 'No trust anchor with certificate reference {reference}',
  ERR_MTLS_LEVEL: "Invalid mtls enforcement level '{level}': possible values are {possible}",
  ERR_MTLS_NO_ANCHOR:
    'Cannot set the mtls enforcement level to cluster: no trust anchor is registered; register one with cluster mtls register-trust-anchor',
  ERR_MTLS_NOT_MTLS_SESSION:
    'Cannot set the mtls enforcement level to cluster from a connection without a client certificate issued by a registered trust anchor; configure client_cert_hsm_tls_file and client_key_hsm_tls_file first (configure-cli --client-cert-hsm-tls-file, --client-key-hsm-tls-file)',
  ERR_MTLS_LAST_ANCHOR:
    'Cannot deregister trust anchor {reference}: it is the last trust anchor and the mtls enforcement level is cluster; set the enforcement level to none first',
  ERR_MTLS_UNSUPPORTED: 'cluster mtls is not supported on HSM type {type}; it exists on hsm2m only',
  // client side
  ERR_PASSWORD_MISMATCH: 'Passwords do not match',
  ERR_PARTIAL_FAILURE: '{operation} failed on {failed} of {total} connections',
  ERR_NO_HSM: 'Failed to connect to any HSM of cluster {cluster}: {detail}',
  ERR_NO_CLUSTER: 'No LocalHSM cluster in {dir}',
  ERR_CONFIG: 'Invalid configuration {file}: {detail}',
  ERR_CLUSTER_ID_REQUIRED: 'multiple clusters provided in configuration file. Please specify cluster-id',
  ERR_UNKNOWN_CLUSTER: 'Cluster {cluster} is not in the configuration file {file}',
  ERR_STATE: '{detail}',
  ERR_ENV_PIN: '{variable} must have the form <username>:<password>',
  ERR_ENV_ROLE: '{variable} must be {possible}',
  ERR_INPUT_CLOSED: 'Input ended before a value was entered for: {prompt}',
  ERR_HSM_NOT_FOUND: 'No HSM {hsm} in this cluster',
  // MFA token-sign (node side: the token is the request's argument, so messages do not repeat it)
  ERR_MFA_NOT_ENABLED:
    'User {username} does not have MFA enabled; log in with: login --username {username} --role {role}',
  ERR_TOKEN_UNKNOWN: 'Unknown token: it was not issued to this session, or was already used or withdrawn',
  ERR_TOKEN_EXPIRED:
    'The token expired ({seconds} seconds after it was issued); run the command again for new tokens',
  ERR_TOKEN_PURPOSE: 'The token was issued for {issued}, not for {expected}',
  ERR_TOKEN_SIGNATURE_INVALID: 'The signature does not verify with the {key} public key',
  ERR_SIGNATURE_FORMAT: 'The signature is not strict base64 of a {bytes}-byte RSA signature',
  ERR_TOKEN_NOT_VERIFIED:
    'The token was not verified with this signature and public key first; nothing was changed',
  // MFA token-sign (client side: token files and signatures)
  ERR_TOKEN_FILE: 'Invalid token file {file}: {detail}',
  ERR_TOKEN_FAILED:
    'Token {index} of {total} (unsigned {unsigned}) failed verification on HSM at {hsm}: {reason}',
  ERR_TOKEN_NOT_SIGNED: 'Token {index} of {total} (unsigned {unsigned}) in {file} is not signed',
  ERR_TOKEN_BAD_SIGNED:
    'Token {index} of {total} (unsigned {unsigned}) in {file}: "signed" is not base64 (one line, as base64 -w0 prints it) of a {bytes}-byte RSA-2048 signature',
  ERR_TOKEN_MISSING: 'The token of HSM at {hsm} (unsigned {unsigned}) is missing from {file}',
  ERR_TOKEN_NOT_ISSUED:
    'Token {index} of {total} (unsigned {unsigned}) in {file} was not issued for this operation; tokens are single-use, sign the file this command wrote',
  ERR_PRIVATE_KEY: 'Cannot use the private key {file}: {detail}',
  ERR_FILE: 'Cannot {action} {file}: {detail}',
  ERR_BACKUP_INVALID: 'Refused to restore {file}: {detail}',
  // seed files and the dev clock (CI)
  ERR_SEED_INVALID: '{where}: {field}: {detail}{more}',
  ERR_SEED_SYNTAX: '{file}:{line}:{column}: not valid YAML or JSON: {detail}',
  ERR_SEED_MISMATCH: 'The cluster in {dir} does not match the seed {file}: {detail}; nothing was changed',
  ERR_DEV_CLOCK_OFF:
    'The clock of this HSM cannot be moved: the cluster was not created with localhsm up --dev-clock',
  ERR_DEV_CLOCK_SECRET:
    "The clock of this HSM can only be moved with its cluster's control secret (localhsm time reads it from the state directory)",
  ERR_OPERATOR_PROOF:
    "This HSM's operator view needs the operator proof made from its audit key (localhsm console reads it from the state directory)",
  ERR_DURATION: "Invalid duration '{value}': expected a duration such as 90s, 10m, 2h, 1h30m or 1d",
  // key material and mechanisms (src/keys): never key bytes, only sizes, names and references
  ERR_KEY_PARAMETERS: 'Invalid key parameters: {detail}',
  ERR_PEM_INVALID: 'Invalid PEM public key: {detail}',
  ERR_KEY_UNMASK: 'The key material {context} could not be decrypted with the masking key: {detail}',
  ERR_MECHANISM_PARAMETERS: 'Invalid {mechanism} parameters: {detail}',
  ERR_SIGN_INPUT: 'Invalid data for {mechanism}: {detail}',
  ERR_WRAP_PAYLOAD: 'The key cannot be wrapped with {mechanism}: {detail}',
  ERR_UNWRAP_FAILED: 'Unwrap failed',
  ERR_UNWRAPPED_KEY: 'The unwrapped data is not a valid {keyTypeClass} key: {detail}',
  ERR_KEY_WRAP_TRUSTED: 'Wrapping key must be trusted to wrap this key',
  // quorum (M of N) token-sign
  ERR_QUORUM_REQUIRED: 'Quorum approval is required for this operation',
  ERR_QUORUM_TOO_FEW:
    'Too few quorum approvals: currently {current} approvals, but {required} approvals required',
  ERR_QUORUM_TOKEN_INVALID: 'Invalid username-signature pair for quorum authorization',
  ERR_QUORUM_TOKEN_NOT_OWNED:
    'This quorum token belongs to another login session; a quorum token can only be used by the login session that generated it',
  ERR_QUORUM_WRONG_SERVICE:
    'This quorum token was generated for service {actual}, but this operation needs a token for service {service}',
  ERR_QUORUM_TOKEN_EXPIRED:
    'The quorum token has expired ({timeout} timeout of {seconds} seconds); generate a new one with quorum token-sign generate',
  ERR_APPROVAL_INVALID: 'Invalid quorum approval: {detail}',
  ERR_QUORUM_TOKEN_LIMIT:
    'The HSM already holds the maximum of {limit} quorum tokens; delete unused ones with quorum token-sign delete',
  ERR_QUORUM_SERVICE: "Invalid quorum service '{service}': possible values are {possible}",
  ERR_QUORUM_KEY_SERVICE:
    "Service {service} has no cluster quorum value: a key's quorum values are set when the key is created (--manage-key-quorum-value, --use-key-quorum-value)",
  ERR_QUORUM_KEY_FILTER:
    'A quorum token for service {service} is bound to one key: select it with --filter (for example --filter attr.label=<label>)',
  ERR_QUORUM_KEY_FILTER_UNEXPECTED:
    'A quorum token for service {service} is not bound to a key: --filter is only for services key-management and key-usage',
  ERR_QUORUM_WRONG_KEY: 'This quorum token was generated for key {actual}, but this operation uses key {ref}',
  ERR_QUORUM_VALUE: "Invalid quorum value '{value}': use 1 (no quorum) or a value from 2 to 8",
  ERR_QUORUM_TIMEOUT: "Invalid token timeout '{value}': use a whole number of seconds from 1 to 86400",
  ERR_QUORUM_GUARD_REMOVE:
    'Refused: {action} {username} would leave {remaining} quorum {approvers} for service {service}, which needs {needed} (refused by the quorum guard; use --allow-unmanageable to override)',
  ERR_QUORUM_GUARD_VALUE:
    'Refused: a quorum value of {value} for service {service} needs {value} quorum approvers, but only {available} {approvers} can approve it (refused by the quorum guard; use --allow-unmanageable to override)',
  ERR_REGISTRATION_TOKEN_MISSING:
    'The signed token file holds no unused registration token issued by this HSM (each is single-use and expires); generate one with quorum token-sign generate --service registration',
  ERR_REGISTRATION_TOKEN_OWNER:
    "This registration token was generated by {owner}'s login: register with it logged in as {owner}, or generate one before logging in",
  ERR_REGISTRATION_SIGNATURE: 'The registration token signature does not verify with the given public key',
  ERR_QUORUM_FILE: 'Invalid quorum token file {file}: {detail}',
  ERR_QUORUM_DUPLICATE_APPROVER: '{file} already holds a signature by {username} (--replace swaps it)',
  ERR_QUORUM_APPROVER_KEY:
    "The signature does not verify with {username}'s registered quorum key (cluster in {dir}); nothing was written. Sign with {username}'s own key, or name the cluster of the token with --state",
  ERR_QUORUM_MERGE_MISMATCH: 'Cannot merge {file}: it holds a different token than {first}',
  ERR_QUORUM_MERGE_CONFLICT: 'Cannot merge: {username} has different signatures in {first} and {file}',
  ERR_QUORUM_SIGNING_KEY: 'Invalid private key {file}: {detail}',
  // token signers (PEM key, PKCS#11 token, external command): never a PIN, key material or signature
  ERR_SIGNATURE_MISMATCH:
    'The signature made by {signer} for token {index} of {total} (unsigned {unsigned}) does not verify with {key}; nothing was written or sent',
  ERR_PKCS11_MODULE: 'Cannot load the PKCS#11 module {module}: {detail}',
  ERR_PKCS11_TOKEN_NOT_FOUND: 'No PKCS#11 token labelled "{token}" in {module} (tokens present: {available})',
  ERR_PKCS11_PIN_INCORRECT: 'PIN incorrect for token {token}',
  ERR_PKCS11_PIN_LOCKED:
    'The user PIN of token {token} is locked (too many incorrect PINs); unlock it with the security officer PIN or PUK',
  ERR_PKCS11_KEY_NOT_FOUND: 'No private key labelled "{label}" on token {token}',
  ERR_PKCS11_KEY_UNSUITABLE: 'The key "{label}" on token {token} cannot sign tokens: {detail}',
  ERR_PKCS11_AMBIGUOUS:
    '{count} {what} are labelled "{label}" in {where}; LocalHSM signs only with a label that names exactly one',
  ERR_PKCS11: 'PKCS#11 {function} failed on token {token}: {code}',
  ERR_SIGN_COMMAND: 'The --sign-command failed for token {index} of {total} (unsigned {unsigned}): {detail}',
  // keys and crypto (spec cloudhsm-cli-keys.md §16; texts marked there as documented are word for word)
  ERR_KEY_SELECTION:
    'Key selection criteria matched {count} keys. Refine selection criteria to select a single key.',
  ERR_KEY_AVAILABILITY:
    'Cannot perform the requested key operation as the key must be available on at least 2 HSMs. Either increase the number of HSMs in the cluster, or disable the key availability check.',
  ERR_SIGNATURE_VERIFICATION: 'Signature verification failed',
  ERR_KEY_QUORUM_FAILED: 'Quorum Failed',
  ERR_KEY_QUORUM_PAIR: 'The manage key and use key quorum values must be set to a value greater than 1',
  ERR_KEY_QUORUM_INVALID: 'Invalid quorum value provided.',
  ERR_ATTRIBUTE_VALUE: 'Attribute {name} cannot be set to the value {value} by the user for this operation',
  ERR_ATTRIBUTE_UNKNOWN: 'Invalid key attribute: {name}',
  ERR_KEY_FILTER: "Invalid key filter '{word}': use key-reference=<REFERENCE> or attr.<ATTRIBUTE>=<VALUE>",
  ERR_KEY_NOT_OWNER: 'Only the owner of the key can perform this operation',
  ERR_KEY_ATTRIBUTE_REQUIRED: 'Key does not have the required attribute {name} set to true',
  ERR_KEY_SHARE_ROLE: 'Key can only be shared with crypto users',
  ERR_KEY_ALREADY_SHARED: 'Key is already shared with user {username}',
  ERR_KEY_NOT_SHARED: 'Key is not shared with user {username}',
  ERR_KEY_SHARE_OWNER: 'Key cannot be shared with its owner',
  ERR_USER_OWNS_KEYS: 'User owns keys and cannot be deleted',
  ERR_USER_KEY_QUORUM:
    "User {username} cannot be deleted: key {ref} is shared with it and its quorum values need {needed} associated users; the key's owner must share it with another crypto user first",
  ERR_KEY_LIMIT:
    'Maximum number of keys reached: an HSM of type {hsmType} holds at most {limit} {kind} (each key of a pair and each session key counts); delete keys that are no longer needed with key delete, then try again',
  ERR_KEY_MECHANISM: 'The key cannot be used with this mechanism: {detail}',
  ERR_KEY_ENCODING: 'Encoding {encoding} is not available for a {class} key',
  ERR_KEY_MASKING:
    'This HSM has no cluster masking key ({file}); a cluster made before LocalHSM had keys cannot hold keys: create a new one with localhsm up',
  ERR_KEY_BLOB: 'Rejected key copy: {detail}',
  ERR_KEY_EXISTS: 'Key {ref} already exists on this HSM with different contents',
  // key replicate (cloned clusters)
  ERR_KEY_NOT_SYNCHRONIZED: 'The selected key is not synchronized throughout the cluster',
  ERR_KEY_NOT_CLONES:
    'The source and destination clusters are not clones: key replicate needs clusters created from a common backup (localhsm backup restore)',
} as const;

export type ErrorCode = keyof typeof MESSAGES;
export type ErrorParams = Record<string, string | number>;

/** The `{name}` placeholders of a message text, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

/**
 * The params `new HsmError(code, …)` takes: every placeholder of the code's message (more are allowed, e.g.
 * hints for the client). A code only known as `ErrorCode` takes any params.
 */
export type ParamsOf<C extends ErrorCode> = [ErrorCode] extends [C]
  ? [params?: ErrorParams]
  : [Placeholders<(typeof MESSAGES)[C]>] extends [never]
    ? [params?: ErrorParams]
    : [params: { [K in Placeholders<(typeof MESSAGES)[C]>]: string | number } & ErrorParams];

export function formatMessage(code: ErrorCode, params: ErrorParams = {}): string {
  return MESSAGES[code].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** An expected failure with a stable code; the CLI boundary turns it into `{"error_code": 1, ...}`. */
export class HsmError<C extends ErrorCode = ErrorCode> extends Error {
  // C only types the constructor's params: instances (and `instanceof` narrowing) see any ErrorCode.
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: C, ...[params = {}]: ParamsOf<C>) {
    super(formatMessage(code, params));
    this.name = 'HsmError';
    this.code = code;
    this.params = params;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(MESSAGES, value);
}
