#!/usr/bin/env bash
# Idempotent set-up on a bare Debian 12 machine: system packages, virtual environment, Python
# packages. Each step is skipped when already done, so `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# CJK fonts for reports and charts (FandolFang/FandolKai come with texlive-lang-chinese), pango
# for WeasyPrint, poppler for reading PDFs back, Chromium for page tests.
APT_PACKAGES=(fontconfig fonts-noto-cjk fonts-arphic-ukai texlive-lang-chinese libpango-1.0-0
  libpangoft2-1.0-0 poppler-utils chromium)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装系统软件包:${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# TeX Live keeps the Fandol faces out of fontconfig's path; a link makes them visible to
# WeasyPrint and Chromium.
FANDOL=/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
if [ -d "$FANDOL" ] && ! fc-list | grep -q FandolFang; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo mkdir -p /usr/local/share/fonts
  $sudo ln -sfn "$FANDOL" /usr/local/share/fonts/fandol
  $sudo fc-cache -f /usr/local/share/fonts >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "安装 Python 依赖(.venv)"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]' 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f .venv/.installed-*
  touch "$stamp"
fi
