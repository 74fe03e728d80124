"""Output: the Document rendered to every file of a report (page HTML, PDF, the appendix
workbook), the bundle a notebook hands the runner, the outputs folder and its index."""
