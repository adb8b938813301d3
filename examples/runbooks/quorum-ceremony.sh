#!/usr/bin/env bash
# Drill: a quorum ceremony raising the `user` quorum value to 2. Two officers register quorum keys, an
# admin sets the value, and from then on a user change needs two approvals, collected on a token that the
# requester generates and uses in one login session.
source "$(dirname "$0")/lib.sh"

step "A cluster with three admins; admin's quorum key comes with the seed"
new_key admin
new_key officer1
new_key officer2
cat > seed.yaml <<YAML
users:
  - { username: admin, role: admin, password: admin-pass-1, quorumPublicKey: admin.pub }
  - { username: officer1, role: admin, password: officer1-pass-1 }
  - { username: officer2, role: admin, password: officer2-pass-1 }
YAML
up_seeded seed.yaml
expect "quorum values" "$(cloudhsm-cli quorum token-sign list-quorum-values | jq -c .data)" '{"user":1,"quorum":1,"cluster":1}'

step "Each officer registers a quorum key: a registration token, signed with the officer's private key"
for officer in officer1 officer2; do
  rm -f "$officer-registration.json"
  registered=$({
    echo "login --username $officer --role admin --password $officer-pass-1"
    echo "quorum token-sign generate --service registration --token $officer-registration.json"
    sign_when_written "$officer-registration.json" "$officer.key"
    echo "user change-quorum token-sign register --public-key $officer.pub --signed-token $officer-registration.json"
    echo quit
  } | cloudhsm-cli interactive 2>/dev/null | jq -s -c '.[2]')
  expect "$officer's registration" "$registered" "{\"error_code\":0,\"data\":{\"username\":\"$officer\",\"role\":\"admin\"}}"
done
expect "quorum keys" "$(cloudhsm-cli user list | jq -r '[.data.users[] | select(.quorum[0].status == "enabled") | .username] | join(" ")')" \
  "admin officer1 officer2"

step "admin raises the user quorum value to 2 (the quorum service's value is 1: no approval needed for that)"
as_user admin admin admin-pass-1 quorum token-sign set-quorum-value --service user --value 2 >/dev/null
expect "quorum values" "$(cloudhsm-cli quorum token-sign list-quorum-values | jq -c .data)" '{"user":2,"quorum":1,"cluster":1}'
expect "creating a user without approval" \
  "$(as_user admin admin admin-pass-1 user create --username carol --role crypto-user --password carol-pass-1 | jq -r .data)" \
  "Quorum approval is required for this operation"

# create_carol APPROVER...: in one session admin generates a `user` token, the approvers sign the token file
# (localhsm quorum approve), and the same session creates carol with it; prints the create's data.
create_carol() {
  rm -f approval.json
  {
    echo "login --username admin --role admin --password admin-pass-1"
    echo "quorum token-sign generate --service user --token approval.json"
    wait_for_file approval.json
    for approver in "$@"; do
      localhsm quorum approve --token approval.json --username "$approver" --private-key "$approver.key" >&2
    done
    echo "user create --username carol --role crypto-user --password carol-pass-1 --approval approval.json"
    echo quit
  } | cloudhsm-cli interactive 2>/dev/null | jq -s -c '.[2].data'
}

step "One approval is not enough"
expect "create with officer1's approval" "$(create_carol officer1)" \
  '"Too few quorum approvals: currently 1 approvals, but 2 approvals required"'

step "Two officers approve"
expect "create with two approvals" "$(create_carol officer1 officer2)" '{"username":"carol","role":"crypto-user"}'
expect "carol" "$(user_field carol '."cluster-coverage"')" full
echo "drill passed: the user quorum value is 2"
