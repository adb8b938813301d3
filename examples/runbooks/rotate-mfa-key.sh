#!/usr/bin/env bash
# Drill: a crypto user rotates her MFA key (AWS: "Rotate keys for users with MFA enabled").
# alice logs in with her current key, registers a new one by signing the new tokens with the NEW private
# key, and from then on only the new key logs her in.
source "$(dirname "$0")/lib.sh"

step "A cluster where alice has MFA with her current key"
new_key alice-old
cat > seed.yaml <<YAML
users:
  - { username: admin, role: admin, password: admin-pass-1 }
  - { username: alice, role: crypto-user, password: alice-pass-1, mfaPublicKey: alice-old.pub }
YAML
up_seeded seed.yaml
expect "alice's MFA" "$(user_field alice '.mfa[0].status')" enabled
expect "alice logs in with her current key" "$(mfa_login crypto-user alice alice-pass-1 alice-old.key)" \
  '{"error_code":0,"data":{"username":"alice","role":"crypto-user"}}'

step "alice makes a new key pair and rotates: the tokens are signed with the NEW private key"
new_key alice-new
rm -f unsigned-tokens.json
rotation=$({
  echo "login --username alice --role crypto-user --password alice-pass-1 mfa-token-sign --token login.json"
  sign_when_written login.json alice-old.key && echo
  echo "user change-mfa token-sign --token unsigned-tokens.json --username alice --role crypto-user --change-quorum --change-password alice-pass-2"
  sign_when_written unsigned-tokens.json alice-new.key && echo # Enter: signed in place
  echo alice-new.pub                                           # the public key to register
  echo quit
} | cloudhsm-cli interactive 2>/dev/null | jq -s -c '.[1]')
expect "the rotation" "$rotation" '{"error_code":0,"data":{"username":"alice","role":"crypto-user"}}'

step "Only the new key logs alice in now"
expect "login with the new key" "$(mfa_login crypto-user alice alice-pass-2 alice-new.key | jq -r .error_code)" 0
expect "login with the old key" "$(mfa_login crypto-user alice alice-pass-2 alice-old.key | jq -r .error_code)" 1
expect "alice's MFA and quorum" "$(user_field alice '[.mfa[0].status, .quorum[0].status, ."cluster-coverage"] | join(" ")')" \
  "enabled enabled full"
echo "drill passed: alice's MFA key rotated"
