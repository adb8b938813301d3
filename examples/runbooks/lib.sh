# Shared by the runbook drills: a fresh cluster in a temporary directory (removed on exit), and the few
# steps every drill repeats. Needs bash, openssl and jq; localhsm and cloudhsm-cli on PATH (else this checkout's).
set -euo pipefail
command -v localhsm >/dev/null || PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin:$PATH"

# A temporary working directory holding the keys, token files and the cluster state; the cluster is stopped
# and everything deleted when the drill ends, whether it passed or not.
WORK=$(mktemp -d)
export LOCALHSM_STATE="$WORK/state"
trap 'localhsm down >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cd "$WORK"

step() { echo "== $*"; }

# up_seeded SEED_FILE [localhsm up options]: a new cluster, activated with the seed's users.
up_seeded() {
  localhsm up --seed "$1" --kdf fast --base-port 0 --detach "${@:2}" >/dev/null 2>&1
}

# new_key NAME: NAME.key (RSA 2048 private key) and NAME.pub, as the AWS documentation makes them.
new_key() {
  openssl genrsa -out "$1.key" 2048 2>/dev/null
  openssl rsa -in "$1.key" -pubout -out "$1.pub" 2>/dev/null
}

# wait_for_file FILE: waits (at most 30 s) until cloudhsm-cli has written FILE, e.g. a token file.
wait_for_file() {
  for _ in $(seq 300); do
    [ -s "$1" ] && return
    sleep 0.1
  done
  echo "no file $1 was written" >&2
  return 1
}

# sign_when_written FILE KEY: once cloudhsm-cli has written the token file FILE, signs every token in it
# with KEY -- what the person at the prompt does with openssl (see docs/mfa.md).
sign_when_written() {
  wait_for_file "$1" && localhsm token sign --token "$1" --private-key "$2" >&2
}

# user_field USER JQ_PATH: one attribute of USER from `user list`, e.g. user_field alice '.mfa[0].status'.
user_field() {
  cloudhsm-cli user list | jq -r --arg u "$1" ".data.users[] | select(.username == \$u) | $2"
}

# expect WHAT ACTUAL EXPECTED: stops the drill unless ACTUAL is EXPECTED.
expect() {
  if [ "$2" != "$3" ]; then
    echo "FAILED: $1: got '$2', expected '$3'" >&2
    exit 1
  fi
  echo "ok: $1 = $3"
}

# as_user ROLE USER PASSWORD ARGS...: one cloudhsm-cli command in single-command mode, logged in as USER.
as_user() {
  local role=$1 user=$2 password=$3
  shift 3
  CLOUDHSM_ROLE=$role CLOUDHSM_PIN="$user:$password" cloudhsm-cli "$@"
}

# mfa_login ROLE USER PASSWORD KEY: an MFA login in the interactive shell, its tokens signed with KEY, then
# logout; prints the login's envelope on one line.
mfa_login() {
  local tokens="login-$2.json"
  rm -f "$tokens"
  {
    echo "login --username $2 --role $1 --password $3 mfa-token-sign --token $tokens"
    sign_when_written "$tokens" "$4" && echo # Enter: the signed file is the token file itself
    echo logout
    echo quit
  } | cloudhsm-cli interactive 2>/dev/null | jq -s -c '.[0]'
}
