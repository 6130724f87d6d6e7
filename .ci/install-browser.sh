#!/usr/bin/env bash
# Install Debian's headless Chromium (and a font) for the report's browser test, if it is missing.
# Never fails the CI: without apt, network or root, print why and exit 0; the browser test then
# skips and says so.
set -u

if [ -x /usr/bin/chromium ]; then
    echo "install-browser: /usr/bin/chromium is already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get on this machine; the browser test will be skipped"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-browser: not root and no password-less sudo; the browser test will be skipped"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
if ! timeout 600 $SUDO apt-get update -q >"$log" 2>&1; then
    echo "install-browser: apt-get update failed (repositories unreachable?); the browser test will be skipped"
    tail -n 5 "$log"
    rm -f "$log"
    exit 0
fi
if ! timeout 900 $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >"$log" 2>&1; then
    echo "install-browser: apt-get install chromium failed; the browser test will be skipped"
    tail -n 5 "$log"
    rm -f "$log"
    exit 0
fi
rm -f "$log"
if [ -x /usr/bin/chromium ]; then
    echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
    echo "install-browser: apt-get ran but /usr/bin/chromium is missing; the browser test will be skipped"
fi
exit 0
