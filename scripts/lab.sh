#!/usr/bin/env bash
# `make lab`: JupyterLab for this workspace, with the project's settings (jupyter_config/: the
# interface in Chinese, no news pop-up, listening on 127.0.0.1 only). Extra arguments go to
# `jupyter lab` (tests/test_lab.py passes a port and a token).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export JUPYTER_CONFIG_PATH="$ROOT/jupyter_config${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
args=()
[ "$(id -u)" -ne 0 ] || args+=(--allow-root)  # a container or a server where one works as root
echo "启动 JupyterLab：稍后在浏览器中打开下面显示的 http://127.0.0.1:…/lab?token=… 地址；按两次 Ctrl-C 退出。" >&2
exec .venv/bin/jupyter lab "${args[@]}" "$@"
