#!/usr/bin/env bash
# Drill: recover a user who lost her MFA private key. An admin removes the MFA key (and the quorum key that
# went with it) and sets a temporary password; the user logs in with it, then registers a new key.
source "$(dirname "$0")/lib.sh"

step "A cluster where alice has MFA -- and her private key is gone"
new_key alice-lost
cat > seed.yaml <<YAML
users:
  - { username: admin, role: admin, password: admin-pass-1 }
  - { username: alice, role: crypto-user, password: alice-pass-1, mfaPublicKey: alice-lost.pub }
YAML
up_seeded seed.yaml
rm alice-lost.key
expect "alice's password alone" "$(as_user crypto-user alice alice-pass-1 logout | jq -r .data)" \
  "User alice has MFA enabled; log in with: login --username alice --role crypto-user mfa-token-sign --token <TOKEN>"

step "An admin deregisters alice's MFA key and gives her a temporary password"
as_user admin admin admin-pass-1 user change-mfa token-sign --username alice --role crypto-user \
  --deregister --change-password temporary-pass-1 >/dev/null
expect "alice's MFA" "$(user_field alice '.mfa | length')" 0
expect "alice's quorum key (it went with the MFA key)" "$(user_field alice '.quorum | length')" 0

step "alice logs in with the temporary password and registers a new key (signing with it)"
new_key alice-new
rm -f unsigned-tokens.json
registered=$({
  sign_when_written unsigned-tokens.json alice-new.key && echo # Enter: signed in place
  echo alice-new.pub
} | as_user crypto-user alice temporary-pass-1 user change-mfa token-sign --username alice --role crypto-user \
  --token unsigned-tokens.json --change-password alice-pass-2 2>/dev/null | jq -r .error_code)
expect "the new registration" "$registered" 0
expect "alice logs in with the new key" "$(mfa_login crypto-user alice alice-pass-2 alice-new.key | jq -r .error_code)" 0
expect "alice's MFA and quorum" "$(user_field alice '[.mfa[0].status, .quorum[0].status] | join(" ")')" "enabled enabled"
echo "drill passed: alice recovered with a new MFA key"
