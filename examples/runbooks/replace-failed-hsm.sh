#!/usr/bin/env bash
# Drill: replace a failed HSM. One HSM stops answering; the cluster keeps working on the others with
# warnings; the failed HSM is removed and a new one, cloned from a healthy HSM, takes its place.
source "$(dirname "$0")/lib.sh"

step "A 3-HSM cluster with users"
cat > seed.yaml <<YAML
users:
  - { username: admin, role: admin, password: admin-pass-1 }
  - { username: alice, role: crypto-user, password: alice-pass-1 }
  - { username: bob, role: crypto-user, password: bob-pass-12 }
YAML
up_seeded seed.yaml --hsms 3
failed=$(localhsm status --json | jq -r '.hsms[0].id')

step "HSM $failed fails"
localhsm hsm stop --hsm "$failed" >/dev/null
expect "HSMs up" "$(localhsm status --json | jq '[.hsms[] | select(.up)] | length')" 2
expect "user list still answers" "$(cloudhsm-cli user list 2>/dev/null | jq -r '[.data.users[].username] | join(" ")')" \
  "admin alice bob app_user"
expect "a change while it is down" \
  "$(as_user admin admin admin-pass-1 user create --username carol --role crypto-user --password carol-pass-1 2>/dev/null | jq -r .data)" \
  "User create failed on 1 of 3 connections"

step "Remove it, add a new HSM cloned from a healthy one"
localhsm hsm remove --hsm "$failed" >/dev/null
localhsm hsm add >/dev/null
expect "HSMs up" "$(localhsm status --json | jq '[.hsms[] | select(.up)] | length')" 3
expect "the failed HSM is gone" "$(localhsm status --json | jq --arg f "$failed" '[.hsms[] | select(.id == $f)] | length')" 0
expect "every user on every HSM" \
  "$(cloudhsm-cli user list | jq -r '[.data.users[] | "\(.username):\(."cluster-coverage")"] | join(" ")')" \
  "admin:full alice:full bob:full carol:full app_user:full"
echo "drill passed: $failed replaced"
