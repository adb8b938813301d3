#!/usr/bin/env bash
# Bootstrap of a new AWS CloudHSM cluster, written for the real client (Client SDK 5, /opt/cloudhsm): point the
# client at one HSM, activate the cluster (retrying until it is, and accepting a re-run), create the crypto users
# with single-command mode, and register the admin's quorum key in two processes. Safe to run twice.
# test/examples/script-run.test.ts runs it against LocalHSM with only the /opt/cloudhsm prefix changed.
set -euo pipefail

: "${HSM_IP:?set HSM_IP to the ENI IP address of one HSM of the cluster}"
: "${ADMIN_PASSWORD:?set ADMIN_PASSWORD}"
: "${CU_PASSWORD:?set CU_PASSWORD}"
CRYPTO_USERS="${CRYPTO_USERS:-app_signer app_reader}"
MAX_ATTEMPTS="${MAX_ATTEMPTS:-10}"

CLI=/opt/cloudhsm/bin/cloudhsm-cli

# 1. The client configuration: the HSM address, and no key availability check (a one-AZ test cluster).
/opt/cloudhsm/bin/configure-cli -a "$HSM_IP"
/opt/cloudhsm/bin/configure-cli --disable-key-availability-check
test -s /opt/cloudhsm/etc/customerCA.crt || { echo "customerCA.crt is missing" >&2; exit 1; }

# 2. Activation: the cluster may still be initialising right after CreateHsm; a re-run finds it activated.
activate() {
  local attempt output
  for ((attempt = 1; attempt <= MAX_ATTEMPTS; attempt++)); do
    if output=$("$CLI" cluster activate --password "$ADMIN_PASSWORD" 2>&1); then
      echo "cluster activated"
      return 0
    fi
    if grep -q "Cluster has already been activated" <<<"$output"; then
      echo "cluster already activated"
      return 0
    fi
    echo "activation attempt $attempt failed: $output" >&2
    sleep 10
  done
  echo "could not activate the cluster" >&2
  return 1
}
activate

# 3. Users, one single-command invocation each, as the admin.
export CLOUDHSM_ROLE=admin
export CLOUDHSM_PIN="admin:${ADMIN_PASSWORD}"
for user in $CRYPTO_USERS; do
  if output=$("$CLI" user create --username "$user" --role crypto-user --password "$CU_PASSWORD" 2>&1); then
    echo "created $user"
  elif grep -q "User already exists" <<<"$output"; then
    echo "$user already exists"
  else
    echo "creating $user failed: $output" >&2
    exit 1
  fi
done

# 4. Quorum registration of the admin, in two processes: generate the registration token (one process), sign
#    each token with the admin's quorum key as the guide shows, register the key (another process).
QUORUM_DIR="${QUORUM_DIR:-$PWD/quorum}"
mkdir -p "$QUORUM_DIR"
if [ ! -f "$QUORUM_DIR/admin.key" ]; then
  openssl genrsa -out "$QUORUM_DIR/admin.key" 2048 2>/dev/null
  openssl rsa -in "$QUORUM_DIR/admin.key" -pubout -out "$QUORUM_DIR/admin.pub" 2>/dev/null
fi
TOKEN="$QUORUM_DIR/admin-registration-token.json"
rm -f "$TOKEN"
"$CLI" quorum token-sign generate --service registration --token "$TOKEN" >/dev/null
for ((i = 0; i < $(jq '.tokens | length' "$TOKEN"); i++)); do
  jq -r ".tokens[$i].unsigned" "$TOKEN" | base64 -d >"$QUORUM_DIR/token.bin"
  openssl pkeyutl -sign -inkey "$QUORUM_DIR/admin.key" -pkeyopt digest:sha256 -keyform PEM \
    -in "$QUORUM_DIR/token.bin" -out "$QUORUM_DIR/token.sig"
  jq --arg signed "$(base64 -w0 "$QUORUM_DIR/token.sig")" ".tokens[$i].signed = \$signed" "$TOKEN" >"$TOKEN.tmp"
  mv "$TOKEN.tmp" "$TOKEN"
done
"$CLI" user change-quorum token-sign register --public-key "$QUORUM_DIR/admin.pub" --signed-token "$TOKEN" >/dev/null
"$CLI" user list | jq -r '.data.users[] | select(.username == "admin") | "admin quorum strategies: \(.quorum | length)"'

"$CLI" user list | grep -c '"username"' | sed 's/^/users on the cluster: /'
unset CLOUDHSM_PIN CLOUDHSM_ROLE
