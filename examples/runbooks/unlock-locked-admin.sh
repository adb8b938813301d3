#!/usr/bin/env bash
# Drill: unlock an admin locked out by failed logins. Five wrong passwords lock the account on every HSM;
# another admin's `user change-password` sets a new password and unlocks it.
source "$(dirname "$0")/lib.sh"

step "A cluster with two admins"
cat > seed.yaml <<YAML
users:
  - { username: admin, role: admin, password: admin-pass-1 }
  - { username: officer, role: admin, password: officer-pass-1 }
YAML
up_seeded seed.yaml

step "officer mistypes the password five times"
for attempt in 1 2 3 4 5; do
  expect "attempt $attempt" "$(as_user admin officer wrong-password-1 logout | jq -r .data)" "Incorrect authentication credentials"
done
expect "officer's lock" "$(user_field officer '.locked')" true
expect "the right password now" "$(as_user admin officer officer-pass-1 logout | jq -r .data)" \
  "User officer is locked after too many failed login attempts; an admin can unlock it with user change-password"

step "Another admin sets a new password, which unlocks officer"
as_user admin admin admin-pass-1 user change-password --username officer --role admin --password officer-pass-2 >/dev/null
expect "officer's lock" "$(user_field officer '.locked')" false
expect "officer logs in" "$(as_user admin officer officer-pass-2 logout | jq -r .data)" "Logout successful"
echo "drill passed: officer unlocked"
