#!/usr/bin/env bash
# Set up mtcompare on a Debian/Ubuntu machine: Apertium from Debian's packages, a virtualenv in .venv,
# the package in editable mode. With --test, also the hf extra (torch CPU build, transformers), the
# plot extra (matplotlib) with Noto fonts for Arabic, Hebrew and Chinese labels, chromium and its
# driver for the report's browser tests, and the test tools. Safe to run again; steps already done
# are skipped.
#   bash scripts/setup.sh          # the toolkit and Apertium
#   bash scripts/setup.sh --test   # plus everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TESTS=1 ;;
    *) echo "setup.sh: unknown option $arg (accepted: --test)" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Every Apertium pair Debian ships between the languages this field works in (chains through es, ca,
# fr, pt, it, gl, eo, eu); apertium-apy is Apertium's own HTTP server (the apy backend).
DEBS="apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en apertium-eu-en \
  apertium-spa-cat apertium-es-gl apertium-fr-es apertium-fra-cat apertium-es-pt apertium-spa-ita \
  apertium-eo-es apertium-eo-fr apertium-eo-ca apertium-eu-es apertium-isl-eng apertium-mkd-eng \
  apertium-hbs-eng apertium-apy"
if [ "$WITH_TESTS" = 1 ]; then
  DEBS="$DEBS chromium chromium-driver fonts-noto-core fonts-noto-cjk"
fi
if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  DEBS="$DEBS python3 python3-venv python3-pip"
fi
missing=""
for pkg in $DEBS; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Debian's apertium-eo-es and apertium-eo-ca put their data where their own modes do not look
# (es-eo.mode reads /usr/share/apertium/apertium-eo-es); a link makes es→eo and ca→eo work.
for pair in es-eo:eo-es ca-eo:eo-ca; do
  have=/usr/share/apertium/apertium-${pair%%:*}
  want=/usr/share/apertium/apertium-${pair##*:}
  if [ -d "$have" ] && [ ! -e "$want" ]; then $SUDO ln -s "$have" "$want"; fi
done

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
LOG=$(mktemp)
pip_install() {
  if ! .venv/bin/python -m pip install -q --disable-pip-version-check "$@" >"$LOG" 2>&1; then
    grep -v WARNING "$LOG" | tail -n 20 >&2
    echo "setup: pip install $* failed" >&2
    exit 1
  fi
}
if [ "$WITH_TESTS" = 1 ]; then
  # torch pinned first (the CPU build on this project's machines), so that transformers keeps it.
  .venv/bin/python -c 'import torch' >/dev/null 2>&1 || pip_install "torch==2.13.0"
  pip_install -e '.[hf,ct2,openai,ray,align,test,semantic,plot]'
else
  pip_install -e .
fi
rm -f "$LOG"
.venv/bin/python -c 'import compare' || { echo "setup: the install failed" >&2; exit 1; }
echo "setup: ready (.venv/bin/mtcompare)" >&2
