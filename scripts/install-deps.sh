#!/usr/bin/env bash
# Installs every Debian package Replydesk needs to build, run and test.
# Idempotent and quick when everything is present (one dpkg-query, no apt-get).
# Runs as root on Debian 12; elsewhere prints what is missing and exits non-zero.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format git ca-certificates
  libgmime-3.0-dev libglib2.0-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libsodium-dev libssl-dev libgumbo-dev
  libcli11-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libkainjow-mustache-dev libicu-dev libstemmer-dev libcld2-dev
  libopendkim-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postfix swaks python3-aiosmtpd
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
  procps psmisc
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks a question on install; answer it first ("Local only", no relay).
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian packages start system services we do not use; tests start their own
# instances on loopback ports from private configurations.
for svc in postfix dovecot postgresql; do
  (systemctl disable --now "$svc" || service "$svc" stop) >/dev/null 2>&1 || true
done
