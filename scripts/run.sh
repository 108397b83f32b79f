#!/usr/bin/env bash
# `make run`: prepares the embedded SQLite database on first use (schema, an
# admin login, a first channel) and starts `replydesk serve` in the foreground.
set -euo pipefail
bin=$1
db=$2
export REPLYDESK_DB=$db

"$bin" migrate >/dev/null
# Prints the admin login; the password is shown only when the account is created.
"$bin" user ensure-admin --email admin@localhost
if [[ "$("$bin" channel list --json)" == "[]" ]]; then
  "$bin" channel add support@localhost --name "Support" --team "Support" >/dev/null
  echo "channel support@localhost (team Support) created: deliver with LMTP to it"
fi
echo "try: swaks --protocol LMTP --server 127.0.0.1 --port 2424 --to support@localhost --from you@example.com"
echo "then: $bin --db $db ticket list"
exec "$bin" serve --lmtp 127.0.0.1:2424
