# The workspace's JupyterLab. `make lab` (scripts/lab.sh) puts this folder first on
# JUPYTER_CONFIG_PATH, so these settings win over a user's own ~/.jupyter for this workspace
# only; the user's Lab settings (~/.jupyter/lab/user-settings) still apply on top of the
# defaults below, so an analyst who picks another language or theme keeps that choice.
from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 -- provided by Jupyter when it reads this file

c.ServerApp.ip = "127.0.0.1"  # the browser on this machine only (an SSH tunnel for others)
c.ServerApp.open_browser = False  # a server has no browser; the address is printed instead
c.ServerApp.root_dir = str(HERE.parent)  # the file browser starts at the project

# No calls out: no news feed, no update check (the pop-up that covered the output).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# The interface's defaults (Chinese, no notifications about news): lab-settings/overrides.json.
c.LabApp.app_settings_dir = str(HERE / "lab-settings")
