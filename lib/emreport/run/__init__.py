"""The run stage: `emreport run` plans the grid of reports (plan), skips the ones whose inputs
have not changed (cache), and makes the rest on local worker processes (local) or a Dask
cluster (cluster); a worker (worker) runs each report's notebook (notebook) on a warm kernel
fork server (kernels) and prints its PDF; the coordinator writes every file (batch)."""
