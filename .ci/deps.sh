#!/bin/sh
# Installs the Debian packages rt needs to build and test; a no-op when present.
set -e
PKGS="build-essential pkg-config git libgit2-dev libssh2-1-dev libssl-dev libmbedtls-dev nettle-dev libyaml-dev libjansson-dev \
liblmdb-dev libmailutils-dev mailutils postfix mandoc python3 python3-yaml chromium tidy valgrind bc procmail fetchmail jq libxml2-utils strace gdb \
clang libclang-rt-14-dev lighttpd tesseract-ocr tesseract-ocr-eng zsh"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
