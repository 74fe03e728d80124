# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 区县工作总结
#
# 生成一个区、县或开发区的上半年（`2025-H1`）或年度（`2025`）工作总结。改下面参数单元格里的
# 区划代码和期间，然后从上到下运行（菜单“运行 → 运行全部单元格”）。
#
# - 每个数字都由 `emreport.metrics` 从数据库计算，文字由 `emreport.compose` 生成；
# - 分析员自己的文字（导语、亮点、问题、下一步安排）写在 `params/<区划代码>/<期间>.md`，
#   写法见 `params/README.md`，改完重新运行即可看到效果；
# - 下面显示的就是打印出来的样子。生成 HTML、PDF、Excel 附表等文件请运行
#   `emreport run --period 2025 --district 990102`。

# %% tags=["parameters"]
district = "990102"  # 区划代码
period = "2025"  # 2025-H1 表示上半年，2025 表示全年
store = ""  # 数据库文件；空白表示 data/store/emreport.duckdb
params_dir = ""  # 文字材料文件夹；空白表示 params/
report_date = ""  # 成文日期，如 2026-01-15；空白表示文字材料中的日期，没有则为当天

# %%
from emreport import report

r = report.build(district, period, store=store, params_dir=params_dir,
                 report_date=report_date, city=False)

# %% [markdown]
# ## 标题和导语

# %%
report.show(r, "标题", "导语")

# %% [markdown]
# ## 一、主要工作和成效

# %%
report.show(r, "成效")

# %% [markdown]
# ## 存在的问题和不足（数据显示的问题和分析员的文字）

# %%
report.show(r, "问题")

# %% [markdown]
# ## 下一步工作安排

# %%
report.show(r, "安排")

# %% [markdown]
# ## 落款和附表

# %%
report.show(r, "落款", "附表")

# %% [markdown]
# ## 交给生成程序的数据（指标、附表、数据指纹）

# %%
report.publish(r)
