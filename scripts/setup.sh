#!/usr/bin/env bash
# Idempotent set-up on a bare Debian 12 machine: system packages, virtual environment, Python
# packages. Each step is skipped when already done, so `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# CJK fonts for reports and charts (FandolFang/FandolKai come with texlive-lang-chinese), pango
# for WeasyPrint, poppler for reading PDFs back, Chromium for page tests, LibreOffice Writer
# (without its desktop) for reading report.docx back in the tests.
APT_PACKAGES=(fontconfig fonts-noto-cjk fonts-arphic-ukai texlive-lang-chinese libpango-1.0-0
  libpangoft2-1.0-0 poppler-utils chromium libreoffice-writer-nogui)
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

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "安装 Python 依赖(.venv)"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test,weasyprint]' 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The project's own modules compiled once, as pip compiles an installed package's: where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every process, each kernel of the
# naive loop or of a JupyterLab session included, would otherwise compile them from source
# (0.15-0.2 CPU-s of a process importing the report's modules). A module edited later is
# compiled afresh in memory, as always; this brings the files up to date again.
.venv/bin/python -m compileall -q -j 0 lib >/dev/null

# TeX Live keeps the Fandol faces out of fontconfig's path, and ships them with CFF outlines,
# which Chromium prints as unnamed Type 3 glyphs. They are converted once to TrueType outlines
# (named, subset fonts in the PDF; half the file size) and installed where fontconfig looks.
FANDOL=/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
FONTS=/usr/local/share/fonts/emreport-fandol
STAMP="$FONTS/.converted-2"  # the number goes up when the conversion changes
if [ -d "$FANDOL" ] && { [ ! -f "$STAMP" ] || [ -L /usr/local/share/fonts/fandol ]; }; then
  echo "转换 Fandol 字体为 TrueType 轮廓（只需一次）"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo mkdir -p "$FONTS"
  $sudo rm -f "$FONTS"/*.ttf "$FONTS"/.converted*
  $sudo .venv/bin/python scripts/ttf_fonts.py "$FANDOL" "$FONTS"
  $sudo touch "$STAMP"
  $sudo rm -f /usr/local/share/fonts/fandol  # the .otf link of earlier set-ups: one face a name
  $sudo fc-cache -f /usr/local/share/fonts >/dev/null
fi

# report.docx names its faces as Chinese Windows and WPS do (仿宋, 黑体, …); fontconfig maps
# those names to the faces report.pdf is set in, so LibreOffice shows the same page.
FC_CONF=/etc/fonts/conf.d/65-emreport-docx.conf
if ! cmp -s scripts/fontconfig.conf "$FC_CONF"; then
  echo "登记 Word 版报告的字体名（fontconfig）"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo install -m 644 scripts/fontconfig.conf "$FC_CONF"
fi

# Notebook outputs never reach git: .gitattributes sends notebooks/*.ipynb through the
# nbstripout filter, defined here for this clone (git keeps filter commands out of the
# repository). Paths are from the work tree's top, where git runs filters; `required` makes
# `git add` fail rather than commit outputs should the filter be missing.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git config filter.nbstripout.clean ".venv/bin/nbstripout --keep-id"
  git config filter.nbstripout.smudge cat
  git config filter.nbstripout.required true
  git config filter.nbstripout.extrakeys "metadata.language_info metadata.papermill cell.metadata.papermill cell.metadata.execution"
  git config diff.ipynb.textconv ".venv/bin/nbstripout --keep-id -t"
fi
