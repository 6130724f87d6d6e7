#!/usr/bin/env bash
# Install Debian's headless Chromium (and a font) for the report's browser test, and LibreOffice
# (calc, writer, no GUI) with poppler-utils for the workbook rendering tests, where missing.
# Never fails the CI: without apt, network or root, print why and exit 0; the tests that need
# the missing program then skip and say so.
set -u

need_chromium=1
need_office=1
need_poppler=1
[ -x /usr/bin/chromium ] && need_chromium=0
command -v soffice >/dev/null 2>&1 && need_office=0
command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 && need_poppler=0
[ "$need_chromium" -eq 0 ] && echo "install-browser: /usr/bin/chromium is already installed"
[ "$need_office" -eq 0 ] && echo "install-browser: LibreOffice (soffice) is already installed"
[ "$need_poppler" -eq 0 ] && echo "install-browser: poppler-utils (pdftotext) is already installed"
if [ $((need_chromium + need_office + need_poppler)) -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get on this machine; the browser and rendering tests will be skipped"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-browser: not root and no password-less sudo; the browser and rendering tests will be skipped"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
if ! timeout 600 $SUDO apt-get update -q >"$log" 2>&1; then
    echo "install-browser: apt-get update failed (repositories unreachable?); the browser and rendering tests will be skipped"
    tail -n 5 "$log"
    rm -f "$log"
    exit 0
fi

# install WHAT PACKAGES...: one apt-get install, its failure told and then ignored.
apt_install() {
    local what="$1"
    shift
    if ! timeout 900 $SUDO apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
        echo "install-browser: apt-get install $* failed; the $what test(s) will be skipped"
        tail -n 5 "$log"
    fi
}

if [ "$need_chromium" -eq 1 ]; then
    apt_install browser chromium fonts-dejavu-core
    if [ -x /usr/bin/chromium ]; then
        echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
    else
        echo "install-browser: /usr/bin/chromium is missing; the browser test will be skipped"
    fi
fi
if [ "$need_office" -eq 1 ]; then
    apt_install "workbook rendering" libreoffice-calc-nogui libreoffice-writer-nogui fonts-dejavu-core
    if command -v soffice >/dev/null 2>&1; then
        echo "install-browser: installed LibreOffice ($(soffice --version 2>/dev/null | head -n 1))"
    else
        echo "install-browser: soffice is missing; the workbook rendering tests will be skipped"
    fi
fi
if [ "$need_poppler" -eq 1 ]; then
    apt_install "workbook rendering" poppler-utils
    if command -v pdftotext >/dev/null 2>&1; then
        echo "install-browser: installed poppler-utils"
    else
        echo "install-browser: pdftotext is missing; the workbook rendering tests will be skipped"
    fi
fi
rm -f "$log"
exit 0
