"""The report's sentences, written from the computed metrics and the analyst's narrative.

Every figure in the text is a `Metric` (or a row of one of its breakdown tables) worded by
`emreport.wording`; nothing is typed twice, so the text, the tables and metrics.json agree.
Parts without data for the period are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from emreport import charts, narrative, wording
from emreport.appendix import AppendixTable
from emreport.document import Document, Figure, Part, cn_number
from emreport.metrics import Metric, Metrics, as_number
from emreport.schema import DISASTER_TYPES, RESPONSE_LEVELS

SCOPE = {"市": "全市", "区": "全区", "县": "全县", "开发区": "全区", "市本级": "市本级"}
LEADERS = {
    "市": "在市委市政府和省应急管理厅的坚强领导下",
    "区": "在区委区政府和市应急管理局的坚强领导下",
    "县": "在县委县政府和市应急管理局的坚强领导下",
    "开发区": "在管委会和市应急管理局的坚强领导下",
}
DISTRICT_WORD = {"区": "区", "县": "县", "开发区": "开发区"}


@dataclass
class Peer:
    """One member of a city: its name, level and metrics, for comparisons and rankings."""

    code: str
    name: str
    level: str
    metrics: Metrics


class Composer:
    """Writes one report; `peers` (a city's members) add the city's comparisons."""

    def __init__(self, m: Metrics, story: narrative.Narrative, peers: list[Peer] | None = None,
                 today: date | None = None):
        self.m = m
        self.story = story
        self.peers = peers or []
        self.today = today or date.today()
        self.dated = today is not None  # a date asked for outright wins over the narrative's
        self.p = m.period
        self.scope = SCOPE.get(m.unit.level, "全区")
        self.when = f"{self.p.year}年" if not self.p.half else self.p.label
        self.figures = 0
        # figures the text states beyond the metrics: campaign rows, 市本级/各地 splits
        self.stated_tables: dict[str, pd.DataFrame] = {}
        self.splits: dict[str, dict] = {}
        narrative.check(story, m)

    # --- small helpers ----------------------------------------------------------------------

    def t(self, mid: str) -> str:
        return self.m[mid].text()

    def v(self, mid: str) -> float:
        return self.m[mid].value or 0

    def listing(self, items: list[tuple[str, str]], sep: str = "，") -> str:
        """"检查企业15家，发现隐患75处": items whose figure is zero or missing are left out."""
        out = []
        for prefix, mid in items:
            metric = self.m[mid]
            if metric.value:
                out.append(f"{prefix}{metric.text()}")
        return sep.join(out)

    def figure(self, caption: str, draw: Callable[[], bytes]) -> Figure | None:
        """A numbered chart, or nothing when there is nothing to draw."""
        try:
            svg = draw()
        except ValueError:
            return None
        self.figures += 1
        return Figure(svg, f"图{self.figures}　{caption}")

    def extras(self, section: str) -> list[str]:
        """The analyst's own paragraphs for a section, placeholders filled."""
        return [narrative.filled(self.story, p, self.m)
                for p in self.story.sections.get(section, [])]

    @staticmethod
    def numbered(part: Part, points: list[str]) -> None:
        """Paragraphs opening 一是…、二是…, the genre's way of listing measures."""
        for i, text in enumerate(p for p in points if p):
            part.para(f"{cn_number(i + 1)}是{text}")

    def yoy_pair(self, *mids: str) -> str:
        ms = [self.m[x] for x in mids]
        if any(x.prev is None for x in ms):
            return ""
        return wording.yoy_pair([(x.value or 0, x.prev) for x in ms], [x.unit for x in ms])

    @property
    def districts(self) -> list[Peer]:
        return [p for p in self.peers if p.level != "市本级"]

    @property
    def own(self) -> Peer | None:
        return next((p for p in self.peers if p.level == "市本级"), None)

    def split(self, mid: str, what: str) -> str:
        """市本级 against 各地 for one figure: 其中市本级…，各地…."""
        own = self.own
        if own is None or not self.districts:
            return ""
        rest = sum(p.metrics[mid].value or 0 for p in self.districts)
        metric = own.metrics[mid]
        rest_text = Metric(mid, metric.label, metric.unit, as_number(rest), None).text()
        self.splits[mid] = {"市本级": metric.value, "各地": as_number(rest)}
        return f"其中市本级{what}{metric.text()}，各地{what}{rest_text}"

    # --- the report -------------------------------------------------------------------------

    def document(self) -> Document:
        name = self.m.unit.name
        main = Part("main", "", 1)
        sections = [self.safety(), self.hazards(), self.enforcement(), self.flood(),
                    self.forest(), self.training(), self.preparedness()]
        sections = [s for s in sections if s is not None and not s.empty]
        for i, s in enumerate(sections, 1):
            s.title = f"（{cn_number(i)}）{s.title}"
            main.items.append(("part", s))
        parts = [self.lead()]
        headings = [("成效", self.achievements_title(), main), ("问题", "存在的问题和不足", self.problems()),
                    ("安排", self.plans_title(), self.plans())]
        n = 0
        for key, title, body in headings:
            if body.empty:
                continue
            n += 1
            body.key, body.title, body.level = key, f"{cn_number(n)}、{title}", 1
            parts.append(body)
        signature = self.story.signature or f"{name}应急管理局"
        dated = wording.date_cn(self.today)
        return Document(f"{name}应急管理局{self.p.label}工作总结", parts, self.appendix(),
                        signature, dated if self.dated else (self.story.date or dated))

    def achievements_title(self) -> str:
        return "上半年主要工作和成效" if self.p.half else "主要工作和成效"

    def plans_title(self) -> str:
        return "下半年工作思路" if self.p.half else f"{self.p.year + 1}年主要安排"

    def lead(self) -> Part:
        part = Part("导语", "", 1)
        name = self.m.unit.name
        if self.story.lead:
            opening = "".join(narrative.filled(self.story, p, self.m) for p in self.story.lead)
        else:
            leader = LEADERS.get(self.m.unit.level, "在上级党委政府的坚强领导下")
            opening = (f"{self.when}，{name}应急管理局{leader}，坚持人民至上、生命至上，统筹发展和"
                       "安全，全力防范化解重大安全风险，各项工作取得积极成效。")
        part.para(opening + self.headline())
        return part

    def headline(self) -> str:
        """The 导语's figures: accidents and deaths with 同比, hazards, enforcement."""
        bits = [f"{self.scope}共发生生产安全事故{self.t('accidents.count')}、"
                f"死亡{self.t('accidents.deaths')}"]
        yoy = self.yoy_pair("accidents.count", "accidents.deaths")
        if yoy:
            bits[0] += f"，{yoy}"
        bits[0] += "，" + self.grave_clause()
        if self.m.has("hazards"):
            bits.append(f"排查发现隐患{self.t('hazards.found')}，整改率"
                        f"{self.t('hazards.rectification_rate')}")
        if self.m.has("inspections"):
            bits.append(f"开展执法检查{self.t('inspections.count')}，立案{self.t('inspections.cases')}"
                        f"，罚款{self.t('inspections.fines')}")
        return "；".join(bits) + "。"

    def grave_clause(self) -> str:
        n = self.v("accidents.major_or_above")
        if not n:
            return "未发生较大及以上生产安全事故"
        return f"发生较大及以上生产安全事故{self.t('accidents.major_or_above')}"

    # --- (一) 安全生产形势 ---------------------------------------------------------------------

    def safety(self) -> Part:
        c = self.m["accidents.count"]
        rising = c.prev is not None and (c.value or 0) > c.prev
        part = Part("安全生产形势", "聚焦事故防控，安全生产形势依然复杂" if rising
                    else "强化源头治理，安全生产形势总体平稳")
        points = [self.accident_total(), self.accident_sectors()]
        if self.m.has("responsibility"):
            items = self.listing([("签订安全生产责任书", "responsibility.letters"),
                                  ("召开安委会会议", "responsibility.meetings"),
                                  ("明确重点部门", "responsibility.key_departments"),
                                  ("重点岗位", "responsibility.key_posts"),
                                  ("重点任务", "responsibility.key_tasks")])
            if items:
                points.append(f"压实安全生产责任。{self.when}，{self.scope}{items}。")
        if self.m.has("accountability"):
            items = self.listing([("依法追究刑事责任", "accountability.criminal"),
                                  ("给予党纪政务处分", "accountability.disciplined"),
                                  ("纳入黑名单管理企业", "accountability.blacklisted")])
            if items:
                points.append(f"严肃事故责任追究。{items}。")
        self.numbered(part, points + self.extras("安全生产形势"))
        if self.districts:
            part.para(self.city_accidents())
        prev = f"{self.p.year - 1}年" if c.prev is not None else None
        part.figure(self.figure(
            "分月生产安全事故起数", lambda: charts.monthly_accidents(
                self.m.tables["accidents.by_month"], f"{self.p.year}年", prev)))
        return part

    def accident_total(self) -> str:
        c = self.m["accidents.count"]
        if not c.value:
            head = "实现生产安全事故“零发生”。"
        elif c.prev is None or c.value == c.prev:
            head = "事故总量保持平稳。" if c.prev is not None else "事故总量总体可控。"
        elif c.value < c.prev:
            head = "事故总量实现下降。"
        else:
            head = "事故总量有所上升。"
        text = (f"{self.when}，{self.scope}共发生生产安全事故{c.text()}、"
                f"死亡{self.t('accidents.deaths')}")
        people = self.listing([("重伤", "accidents.serious_injuries"),
                               ("失踪", "accidents.missing")], sep="、")
        loss = self.listing([("直接经济损失", "accidents.loss")])
        text += (f"、{people}" if people else "") + (f"，{loss}" if loss else "")
        yoy = self.yoy_pair("accidents.count", "accidents.deaths")
        if yoy:
            text += f"，事故起数和死亡人数{yoy}"
        return f"{head}{text}；{self.grave_clause()}。"

    def accident_sectors(self) -> str:
        t = self.m.tables["accidents.by_sector"]
        t = t[t["事故起数"] > 0].sort_values("事故起数", ascending=False, kind="stable")
        if t.empty:
            return ""
        parts = [f"{sector}{wording.count(r['事故起数'], '起')}、死亡{wording.count(r['死亡人数'], '人')}"
                 for sector, r in t.iterrows()]
        text = f"分行业领域看，{'，'.join(parts)}"
        up = self.rising_sectors()
        if up:
            text += "；其中" + "，".join(f"{s}领域同比增加{wording.count(d, '起')}" for s, d in up)
        where = "、".join(t.index[:3]) + ("等领域" if len(t) > 3 else "领域")
        head = f"事故主要集中在{where}。" if t["事故起数"].iloc[0] > 1 else f"事故分布在{where}。"
        return f"{head}{text}。"

    def rising_sectors(self) -> list[tuple[str, float]]:
        t = self.m.tables["accidents.by_sector"]
        if "事故起数(上年同期)" not in t:
            return []
        diff = t["事故起数"] - t["事故起数(上年同期)"]
        return [(s, d) for s, d in diff.items() if d > 0]

    def city_accidents(self) -> str:
        """How many districts fell, held or had no deaths; where accidents rose."""
        ds = self.districts
        if not ds or self.m["accidents.deaths"].prev is None:
            return ""
        good = [p for p in ds if (p.metrics["accidents.deaths"].value or 0) == 0 or
                (p.metrics["accidents.deaths"].value or 0) <= (p.metrics["accidents.deaths"].prev or 0)]
        text = (f"从各地看，{len(ds)}个区县（开发区）死亡人数均同比下降、持平或实现“零死亡”"
                if len(good) == len(ds) else
                f"从各地看，{len(ds)}个区县（开发区）中，{len(good)}个死亡人数同比下降、持平或"
                "实现“零死亡”")
        up = [p for p in ds if (p.metrics["accidents.count"].value or 0) >
              (p.metrics["accidents.count"].prev or 0)]
        if up:
            text += "；" + "、".join(p.name for p in up) + "事故起数同比上升"
        return text + "。"

    # --- (二) 隐患排查治理 ---------------------------------------------------------------------

    def hazards(self) -> Part | None:
        if not self.m.has("hazards"):
            return None
        rate = self.m["hazards.rectification_rate"]
        improving = rate.prev is None or (rate.value or 0) >= rate.prev
        part = Part("隐患排查治理", "深化隐患排查，闭环整改成效明显" if improving
                    else "深化隐患排查，推动隐患闭环整改")
        found = self.m["hazards.found"]
        total = (f"隐患排查整改有序推进。{self.when}，{self.scope}共排查发现各类隐患{found.text()}"
                 + (f"，{found.yoy()}" if found.yoy() else "") +
                 f"；已整改{self.t('hazards.rectified')}，整改率{rate.text()}" +
                 (f"，{rate.yoy()}" if rate.yoy() else "") + "。")
        if self.districts:
            total += self.split("hazards.found", "排查隐患") + "。"
        points = [total, self.hazard_sources(), self.major_hazards(), self.campaigns(),
                  self.covert()]
        self.numbered(part, points + self.extras("隐患排查治理"))
        if self.districts:
            part.para(self.city_rates())
        part.figure(self.figure("分来源隐患排查整改情况", lambda: charts.hazards_by_source(
            self.m.tables["hazards.by_source"])))
        overdue = int(self.v("hazards.overdue"))
        open_ = int(self.v("hazards.open"))
        part.figure(self.figure("隐患整改状态", lambda: charts.hazard_status(
            int(self.v("hazards.rectified")), open_ - overdue, overdue)))
        if self.districts:
            part.figure(self.figure("各地隐患排查数量", lambda: charts.districts_compare(
                self.peer_frame("hazards.found", "发现隐患"), "发现隐患", "条",
                "发现隐患(上年同期)" if found.prev is not None else None)))
        return part

    def hazard_sources(self) -> str:
        t = self.m.tables["hazards.by_source"]
        t = t[t["发现隐患"] > 0]
        if t.empty:
            return ""
        src = "、".join(f"{s}{wording.count(n, '条')}" for s, n in t["发现隐患"].items())
        text = f"多渠道排查隐患。从来源看，{src}"
        sectors = self.m.tables["hazards.by_sector"]["发现隐患"].sort_values(
            ascending=False, kind="stable")
        top = [f"{s}（{wording.count(n, '条')}）" for s, n in sectors.head(3).items() if n > 0]
        if len(top) > 1:
            text += f"；从行业领域看，隐患主要集中在{'、'.join(top[:-1])}和{top[-1]}等领域"
        return text + "。"

    def major_hazards(self) -> str:
        major = self.m["hazards.major"]
        overdue = self.m["hazards.overdue"]
        text = ""
        if major.value:
            text = (f"紧盯重大事故隐患治理。排查重大事故隐患{major.text()}，" +
                    self.listing([("挂牌督办", "hazards.major_supervised"),
                                  ("已整改销号", "hazards.major_rectified")]) +
                    f"，重大隐患整改率{self.t('hazards.major_rate')}。")
        if overdue.value:
            tail = (f"，其中重大隐患{self.t('hazards.major_overdue')}"
                    if self.v("hazards.major_overdue") else "")
            text = text or "加强隐患整改督办。"
            text += f"{self.p.as_of}，尚有{overdue.text()}隐患逾期未整改{tail}，已逐条督促整改。"
        elif text:
            text += f"{self.p.as_of}，无逾期未整改隐患。"
        return text

    def campaigns(self) -> str:
        if not self.m.has("campaigns"):
            return ""
        df = self.m.cur["campaigns"]
        sums = df.groupby("campaign", sort=False)[["enterprises", "found", "rectified",
                                                   "orders"]].sum()
        self.stated_tables["campaigns.by_name"] = sums.rename(columns=CAMPAIGN_COLUMNS).rename_axis(
            "专项名称")
        each = []
        for name, r in sums.iterrows():
            bits = [f"检查企业{wording.count(r['enterprises'], '家')}",
                    f"发现隐患{wording.count(r['found'], '处')}"]
            bits.append("已全部整改" if r["rectified"] == r["found"]
                        else f"已整改{wording.count(r['rectified'], '处')}")
            if r["orders"]:
                bits.append(f"开具整改指令书{wording.count(r['orders'], '份')}")
            each.append(f"{name}{'，'.join(bits)}")
        total = self.listing([("检查企业", "campaigns.enterprises"), ("发现隐患", "campaigns.found"),
                              ("已整改", "campaigns.rectified"), ("开具整改指令书", "campaigns.orders")])
        return (f"扎实开展专项整治。{self.when}共开展专项整治{self.t('campaigns.count')}，{total}。"
                f"其中，{'；'.join(each)}。")

    def covert(self) -> str:
        if not self.m.has("covert_checks"):
            return ""
        text = self.listing([("开展重大安全隐患暗访曝光", "covert_checks.rounds"),
                             ("暗访企业", "covert_checks.enterprises"),
                             ("开具隐患交办单", "covert_checks.notices"),
                             ("曝光隐患", "covert_checks.exposed")])
        a, r = self.m["covert_checks.assigned"], self.m["covert_checks.assigned_rectified"]
        if a.value:
            done = "已全部整改" if r.value == a.value else f"已整改{r.text()}"
            text += ("；" if text else "") + f"省市交办隐患{a.text()}，{done}"
        return f"严格暗访督办。{text}。" if text else ""

    def city_rates(self) -> str:
        rated = [(p.name, p.metrics["hazards.rectification_rate"]) for p in self.districts
                 if p.metrics["hazards.rectification_rate"].value is not None]
        if len(rated) < 2:
            return ""
        rated.sort(key=lambda x: x[1].value, reverse=True)
        hi, lo = rated[0], rated[-1]
        return (f"从各地看，隐患整改率最高的是{hi[0]}（{hi[1].text()}），最低的是{lo[0]}"
                f"（{lo[1].text()}）。")

    # --- (三) 监管执法 ---------------------------------------------------------------------

    def enforcement(self) -> Part | None:
        if not self.m.has("inspections") and not self.m.has("licensing"):
            return None
        part = Part("监管执法", "严格监管执法，依法治安持续加强")
        points = []
        if self.m.has("inspections"):
            ins = self.m["inspections.count"]
            text = (f"加大执法检查力度。{self.when}，{self.scope}共开展执法检查{ins.text()}"
                    + (f"，{ins.yoy()}" if ins.yoy() else "") + "，" +
                    self.listing([("出动执法人员", "inspections.inspectors"),
                                  ("检查单位", "inspections.units"),
                                  ("发现问题隐患", "inspections.problems")]) + "。")
            if self.districts:
                text += self.split("inspections.count", "开展执法检查") + "。"
            points.append(text)
            points.append(self.penalties())
        if self.m.has("licensing"):
            items = self.listing([("受理行政许可", "licensing.accepted"), ("发证", "licensing.issued"),
                                  ("办理备案", "licensing.filings")])
            if items:
                points.append(f"严格行政审批。{items}。")
        self.numbered(part, points + self.extras("监管执法"))
        if self.districts:
            part.para(self.city_fines())
        return part

    def penalties(self) -> str:
        cases, fines = self.m["inspections.cases"], self.m["inspections.fines"]
        if not cases.value:
            return ""
        text = f"严厉打击违法行为。立案{cases.text()}，罚款{fines.text()}"
        yoy = self.yoy_pair("inspections.cases", "inspections.fines")
        if yoy:
            text += f"，立案数和罚款金额{yoy}"
        if self.v("inspections.fines_accident") and self.v("inspections.fines_other"):
            text += (f"（其中事故罚款{self.t('inspections.fines_accident')}、非事故罚款"
                     f"{self.t('inspections.fines_other')}）")
        others = self.listing([("责令停产停业整顿", "inspections.suspended"),
                               ("关闭取缔", "inspections.closed"),
                               ("移送公安", "inspections.police")])
        if others:
            text += f"；{others}"
            if self.v("inspections.police_persons"):
                text += f"、{self.t('inspections.police_persons')}"
        reviews = self.m["inspections.reviews"]
        text += (f"。立案查处的案件中，发生行政复议和诉讼{reviews.text()}" if reviews.value
                 else f"。立案查处的{cases.text()}案件，均无行政复议、诉讼情况发生")
        return text + "。"

    def city_fines(self) -> str:
        ranked = sorted(((p.name, p.metrics["inspections.fines"]) for p in self.districts
                         if p.metrics["inspections.fines"].value), key=lambda x: -x[1].value)
        if len(ranked) < 3:
            return ""
        top = "、".join(f"{n}（{m.text()}）" for n, m in ranked[:3])
        return f"从各地看，罚款金额排在前3位的是{top}。"

    # --- (四) 防汛防台与自然灾害防御 ------------------------------------------------------------

    def flood(self) -> Part | None:
        has = [self.m.has(t) for t in ("flood_responses", "flood_work", "disasters")]
        if not any(has):
            return None
        part = Part("防汛防台与自然灾害防御", "科学应对汛情，防汛防台和灾害防御有力有序")
        points = []
        if self.m.has("flood_work"):
            items = self.listing([("发布气象预警", "flood_work.warnings"),
                                  ("组织防汛会商", "flood_work.consultations"),
                                  ("发送预警信息", "flood_work.alerts")])
            rain = (f"{self.scope}累计降雨量{self.t('flood_work.rainfall')}；"
                    if self.v("flood_work.rainfall") else "")
            points.append(f"强化监测预警。{self.when}，{rain}{items}。" if items or rain else "")
        if self.m.has("flood_responses"):
            n = self.m["flood.responses"]
            levels = "、".join(f"{lv}级{self.t(f'flood.responses_l{i}')}"
                               for i, lv in enumerate(RESPONSE_LEVELS, 1)
                               if self.v(f"flood.responses_l{i}"))
            work = self.listing([("出动队伍", "flood.teams"), ("人员", "flood.personnel"),
                                 ("车辆", "flood.vehicles"), ("水泵", "flood.pumps")], sep="、")
            text = f"及时启动应急响应。共启动防汛防台应急响应{n.text()}（其中{levels}）"
            if work:
                text += f"，{work}"
            rest = self.listing([("转移人员", "flood.relocated"), ("处置险情", "flood.incidents")])
            points.append(text + (f"，{rest}" if rest else "") + "。")
        if self.m.has("flood_work"):
            drills = self.listing([("开展防汛演练", "flood_work.drills"),
                                   ("参演单位", "flood_work.drill_units"),
                                   ("参演人员", "flood_work.drill_persons")])
            points.append(f"提升实战能力。{drills}。" if drills else "")
        if self.m.has("disasters"):
            points.append(self.disasters())
        self.numbered(part, points + self.extras("防汛防台与自然灾害防御"))
        if self.m.has("flood_responses"):
            prev = f"{self.p.year - 1}年" if self.m["flood.responses"].prev is not None else None
            part.figure(self.figure("分级别防汛防台应急响应次数", lambda: charts.responses_by_level(
                self.m.tables["flood.by_level"], f"{self.p.year}年", prev)))
        return part

    def disasters(self) -> str:
        kinds = [k for k in DISASTER_TYPES if k in set(self.m.cur["disasters"]["disaster"])]
        items = self.listing([("受灾人口", "disasters.affected"),
                              ("紧急转移安置", "disasters.evacuated"),
                              ("农作物受灾面积", "disasters.crop_area"),
                              ("倒塌房屋", "disasters.collapsed"), ("损坏房屋", "disasters.damaged"),
                              ("直接经济损失", "disasters.loss")])
        dead = self.m["disasters.dead_missing"]
        tail = f"因灾死亡失踪{dead.text()}" if dead.value else "未发生因灾死亡失踪"
        return (f"全力做好灾害应对。{self.when}，{self.scope}受{'、'.join(kinds)}等自然灾害影响，"
                f"{items}，{tail}。")

    # --- (五)(六)(七) -----------------------------------------------------------------------

    def forest(self) -> Part | None:
        if not self.m.has("forest_fire"):
            return None
        part = Part("森林防灭火", "严防森林火灾，森林防灭火形势平稳")
        checks = self.listing([("组织检查组", "forest_fire.groups"), ("检查", "forest_fire.checkers"),
                               ("制止违规用火", "forest_fire.stopped")])
        drills = self.listing([("开展森林防灭火演练", "forest_fire.drills"),
                               ("参演人员", "forest_fire.drill_persons")])
        self.numbered(part, [f"加强火源管控。{checks}。" if checks else "",
                             f"强化应急准备。{drills}。" if drills else "",
                             *self.extras("森林防灭火")])
        return part

    def training(self) -> Part | None:
        if not self.m.has("training") and not self.m.has("publicity"):
            return None
        part = Part("宣传培训", "强化宣传培训，全民安全素质不断提升")
        points = []
        if self.m.has("training"):
            text = self.listing([("举办安全培训班", "training.classes"),
                                 ("培训", "training.total")])
            split = self.listing([("线下", "training.offline"), ("线上", "training.online")], "、")
            if split:
                text += f"（其中{split}）"
            if self.v("training.exams"):
                text += (f"；组织考试{self.t('training.exams')}，合格率"
                         f"{self.t('training.pass_rate')}")
            points.append(f"深化安全培训。{text}。" if text else "")
        if self.m.has("publicity"):
            items = self.listing([("发放宣传资料", "publicity.materials"),
                                  ("制作展板", "publicity.boards"),
                                  ("发送安全提示短信", "publicity.messages"),
                                  ("开展宣传活动", "publicity.events")])
            points.append(f"营造安全氛围。{items}。" if items else "")
        self.numbered(part, points + self.extras("宣传培训"))
        return part

    def preparedness(self) -> Part | None:
        if not self.m.has("preparedness"):
            return None
        part = Part("应急保障能力", "夯实应急基础，应急保障能力持续提升")
        clauses = [
            self.listing([("应急救援队伍", "preparedness.teams"),
                          ("队员", "preparedness.team_members")], sep="、"),
            self.listing([("应急专家", "preparedness.experts")]),
            self.listing([("备案应急预案", "preparedness.plans")]),
            self.listing([("储备物资", "preparedness.supply_kinds"),
                          ("", "preparedness.supply_items")], sep=""),
            self.listing([("避灾安置场所", "preparedness.shelters")]),
            self.listing([("指挥终端", "preparedness.terminals")]),
        ]
        items = "，".join(c for c in clauses if c)
        if not items:
            return None
        text = f"{self.p.as_of}，{self.scope}共有{items}"
        teams = self.m["preparedness.teams"]
        if teams.prev is not None and teams.value != teams.prev:
            text += "，救援队伍" + wording.yoy_abs(teams.value or 0, teams.prev, "支").replace(
                "同比", "较上年同期", 1)
        self.numbered(part, [f"加强应急力量建设。{text}。", *self.extras("应急保障能力")])
        return part

    # --- 二、三 ------------------------------------------------------------------------------

    def data_problems(self) -> list[str]:
        """Problems the figures themselves show, each with its figures."""
        out = []
        c = self.m["accidents.count"]
        up = self.rising_sectors()
        if c.prev is not None and (c.value or 0) > c.prev:
            text = f"安全生产形势依然严峻。{self.when}共发生生产安全事故{c.text()}，{c.yoy()}"
        elif up:
            text = "部分行业领域事故有所反弹。"
        else:
            text = ""
        if up:
            sectors = "；".join(
                f"{s}领域发生事故{wording.count(self.m.tables['accidents.by_sector'].at[s, '事故起数'], '起')}"
                f"，同比增加{wording.count(d, '起')}" for s, d in up)
            text += ("；" if text.endswith(("%", "起")) else "") + sectors
        if self.districts:
            rising = [p.name for p in self.districts if (p.metrics["accidents.count"].value or 0) >
                      (p.metrics["accidents.count"].prev or 0)]
            if rising and text:
                text += f"；{'、'.join(rising)}事故起数同比上升"
        if text:
            out.append(text + "。")
        rate = self.m["hazards.rectification_rate"]
        bits = []
        if rate.value is not None and rate.prev is not None and rate.value < rate.prev:
            bits.append(f"隐患整改率为{rate.text()}，{rate.yoy()}")
        if self.v("hazards.major_overdue"):
            bits.append(f"{self.p.as_of}仍有重大隐患{self.t('hazards.major_overdue')}逾期未整改")
        elif self.v("hazards.overdue"):
            bits.append(f"{self.p.as_of}仍有{self.t('hazards.overdue')}隐患逾期未整改")
        if bits:
            out.append("隐患闭环整改有待加强。" + "，".join(bits) + "。")
        ins = self.m["inspections.count"]
        if ins.pct is not None and ins.pct <= -0.1:
            out.append(f"监管执法力度有待加大。执法检查{ins.text()}，{ins.yoy()}。")
        return out

    def problems(self) -> Part:
        part = Part("问题")
        mine = [narrative.filled(self.story, p, self.m) for p in self.story.problems]
        self.numbered(part, self.data_problems() + mine)
        return part

    def plans(self) -> Part:
        part = Part("安排")
        nxt = "下半年" if self.p.half else f"{self.p.year + 1}年"
        if self.story.plans_lead:
            for p in self.story.plans_lead:
                part.para(narrative.filled(self.story, p, self.m))
        else:
            part.para(f"{nxt}，{self.m.unit.name}应急管理局将坚持人民至上、生命至上，统筹发展和安全，"
                      "重点抓好以下工作：")
        items = ([(narrative.fill(p.title, self.m, where=f"{self.story.name} 第{p.line}行"),
                   [narrative.filled(self.story, x, self.m) for x in p.paragraphs])
                  for p in self.story.plans] or self.default_plans())
        for i, (title, paras) in enumerate(items, 1):
            sub = part.sub(f"（{cn_number(i)}）{title}")
            for text in paras:
                sub.para(text)
        return part

    def default_plans(self) -> list[tuple[str, list[str]]]:
        """Plans that follow from the figures, for a report without the analyst's own."""
        out = []
        up = [s for s, _ in self.rising_sectors()]
        if up:
            out.append(("聚焦事故多发领域，强化源头管控",
                        [f"针对{'、'.join(up)}等事故同比上升的领域，深入分析事故规律，开展专项整治，"
                         "坚决遏制事故多发势头。"]))
        if self.v("hazards.overdue"):
            major = (f"（其中重大隐患{self.t('hazards.major_overdue')}）"
                     if self.v("hazards.major_overdue") else "")
            out.append(("紧盯隐患闭环整改，推动逾期隐患清零",
                        [f"对{self.t('hazards.overdue')}逾期未整改隐患{major}逐条挂牌督办，"
                         "明确责任、时限和措施，确保整改到位。"]))
        out.append(("坚持严格执法，压实企业主体责任",
                    ["保持执法高压态势，综合运用停产整顿、关闭取缔、联合惩戒等手段，推动企业落实"
                     "安全生产主体责任。"]))
        if self.p.half and (self.m.has("flood_responses") or self.m.has("flood_work")):
            out.append(("全力做好主汛期防汛防台工作",
                        ["加强监测预警和会商研判，落实转移避险措施，确保人民群众生命财产安全。"]))
        else:
            out.append(("提升自然灾害防御能力", ["完善应急预案体系，加强队伍、物资和避灾安置场所建设，"
                                                "提升综合应急保障能力。"]))
        return out

    # --- 附表 -------------------------------------------------------------------------------

    def appendix(self) -> list[AppendixTable]:
        tables = [self.summary_table()]
        if self.districts:
            tables.append(self.peer_table())
        for bid in BREAKDOWN_TABLES:
            frame = self.m.tables[bid]
            if frame.empty or not frame.to_numpy().any():
                continue
            tables.append(breakdown_table(bid, frame))
        if "campaigns.by_name" in self.stated_tables:
            frame = self.stated_tables["campaigns.by_name"].copy()
            frame.loc["合计"] = [as_number(x) for x in frame.sum()]
            tables.append(AppendixTable("专项整治情况", frame, dict(CAMPAIGN_UNITS)))
        major = self.major_hazard_table()
        if major is not None:
            tables.append(major)
        for i, t in enumerate(tables, 1):
            t.title = f"表{i}　{t.title}"
        return tables

    def major_hazard_table(self) -> AppendixTable | None:
        """重大事故隐患 one by one (a city lists those still open): enterprise, sector, dates,
        status at the period's end."""
        h = self.m.cur["hazards"]
        done = self.m.cur.rectified_by_end()
        overdue = self.m.cur.overdue()
        pick = h["grade"] == "重大"
        if self.peers:
            pick &= ~done
        rows = h[pick].sort_values(["found_on", "id"])
        if rows.empty:
            return None
        status = ["已整改" if done[i] else "逾期未整改" if overdue[i] else "整改中"
                  for i in rows.index]
        names = {p.code: p.name for p in self.peers}
        frame = pd.DataFrame({
            **({"区县": [names.get(c, c) for c in rows["district"]]} if self.peers else {}),
            "企业名称": list(rows["enterprise"]),
            "行业领域": list(rows["sector"]),
            "发现日期": [wording.date_cn(d) for d in rows["found_on"]],
            "整改期限": [wording.date_cn(d) if pd.notna(d) else "—" for d in rows["deadline"]],
            "挂牌督办": ["是" if x else "否" for x in rows["supervised"].astype(bool)],
            "整改状态": status,
        }, index=pd.Index(range(1, len(rows) + 1), name="序号"))
        title = f"{self.p.as_of}未整改的重大事故隐患" if self.peers else "重大事故隐患整改情况"
        return AppendixTable(title, frame)

    def summary_table(self) -> AppendixTable:
        rows = []
        for mid in SUMMARY:
            metric = self.m[mid]
            if metric.value is None:
                continue
            def shown(x: float | None, rate: bool = metric.is_rate) -> float | None:
                if x is None:
                    return None
                return float(wording.round_half_up(x * 100, 1)) if rate else as_number(x)

            rows.append((metric.label, "%" if metric.is_rate else metric.unit,
                         shown(metric.value), shown(metric.prev),
                         metric.yoy().removeprefix("同比") or "—"))
        frame = pd.DataFrame(rows, columns=["指标", "单位", "本期", "上年同期", "同比"]).set_index("指标")
        return AppendixTable("主要指标", frame)

    def peer_frame(self, mid: str, name: str) -> pd.DataFrame:
        rows = {p.name: (p.metrics[mid].value, p.metrics[mid].prev) for p in self.peers}
        return pd.DataFrame.from_dict(rows, orient="index", columns=[name, f"{name}(上年同期)"])

    def peer_table(self) -> AppendixTable:
        """The district comparison: each member, then 合计 (the city's own figures)."""
        units = {}
        data = {}
        for mid, name in PEER_COLUMNS:
            metric = self.m[mid]
            units[name] = "%" if metric.is_rate else metric.unit
            values = [p.metrics[mid].value for p in self.peers] + [metric.value]
            data[name] = values
        index = pd.Index([p.name for p in self.peers] + ["合计"], name="区县")
        return AppendixTable("各地主要指标对比", pd.DataFrame(data, index=index), units)

    def bundle(self, doc: Document) -> dict:
        """What the runner needs besides the page: metrics.json's body and the appendix."""
        body = self.m.to_json()
        body["tables"] = {bid: _table_json(t) for bid, t in
                          {**self.m.tables, **self.stated_tables}.items()}
        if self.splits:
            body["splits"] = self.splits
        if self.peers:
            body["members"] = {p.code: {"name": p.name, "level": p.level,
                                        "metrics": {k: p.metrics[k].to_json() for k in PEER_IDS}}
                               for p in self.peers}
        return {"metrics": body, "title": doc.title}


SUMMARY = (
    "accidents.count", "accidents.deaths", "accidents.serious_injuries", "accidents.loss",
    "accidents.major_or_above", "hazards.found", "hazards.rectified", "hazards.rectification_rate",
    "hazards.major", "hazards.major_rectified", "hazards.overdue", "inspections.count",
    "inspections.cases", "inspections.fines", "inspections.suspended", "flood.responses",
    "flood.relocated", "training.total", "preparedness.teams",
)
PEER_COLUMNS = (
    ("accidents.count", "事故起数"), ("accidents.deaths", "死亡人数"), ("hazards.found", "发现隐患"),
    ("hazards.rectified", "已整改"), ("hazards.rectification_rate", "整改率"),
    ("inspections.count", "执法检查"), ("inspections.cases", "立案"),
    ("inspections.fines", "罚款金额"),
)
PEER_IDS = tuple(mid for mid, _ in PEER_COLUMNS)
CAMPAIGN_COLUMNS = {"enterprises": "检查企业", "found": "发现隐患", "rectified": "已整改",
                    "orders": "整改指令书"}
CAMPAIGN_UNITS = {"检查企业": "家", "发现隐患": "处", "已整改": "处", "整改指令书": "份"}
BREAKDOWN_TABLES = (
    "accidents.by_sector", "accidents.by_grade", "accidents.by_month", "hazards.by_source",
    "hazards.by_grade", "hazards.by_sector", "hazards.by_month", "inspections.by_sector",
    "flood.by_level",
)
BREAKDOWN_TITLES = {
    "accidents.by_sector": "分行业领域生产安全事故情况", "accidents.by_grade": "分等级生产安全事故情况",
    "accidents.by_month": "分月生产安全事故情况", "hazards.by_source": "分来源隐患排查整改情况",
    "hazards.by_grade": "分等级隐患排查整改情况", "hazards.by_sector": "分行业领域隐患排查整改情况",
    "hazards.by_month": "分月隐患排查整改情况", "inspections.by_sector": "分行业领域执法检查情况",
    "flood.by_level": "分级别防汛防台应急响应情况",
}
MEASURE_UNITS = {"事故起数": "起", "死亡人数": "人", "发现隐患": "条", "已整改": "条",
                 "执法检查": "家次", "立案": "起", "罚款金额": "万元", "应急响应": "次", "整改率": "%"}


def breakdown_table(bid: str, frame: pd.DataFrame) -> AppendixTable:
    """A breakdown as an appendix table: full-width headers, 整改率 for hazards, 合计 row."""
    frame = frame.copy()
    if bid == "flood.by_level":
        frame.index = [f"{lv}级" for lv in frame.index]
        frame.index.name = "响应级别"
    if bid.endswith("by_month"):
        frame.index = [f"{m}月" for m in frame.index]
        frame.index.name = "月份"
    frame.loc["合计"] = [as_number(x) for x in frame.sum(numeric_only=True)]
    if "发现隐患" in frame:
        found = frame["发现隐患"].astype(float)
        frame.insert(frame.columns.get_loc("已整改") + 1, "整改率",
                     [r / f if f else None for r, f in zip(frame["已整改"], found, strict=True)])
    renamed = {c: "上年同期" + c.removesuffix("(上年同期)") if c.endswith("(上年同期)") else c
               for c in frame.columns}
    frame = frame.rename(columns=renamed)
    units = {new: MEASURE_UNITS.get(old.split("(")[0], "") for old, new in renamed.items()}
    return AppendixTable(BREAKDOWN_TITLES[bid], frame, units)


def _table_json(t: pd.DataFrame) -> dict:
    return {"index_name": t.index.name, "index": [str(i) for i in t.index],
            "columns": {c: [as_number(v) for v in t[c]] for c in t.columns}}
