"""The fixed vocabularies of the input data: the values a column of the schema allows (sectors,
accident categories, hazard sources and grades, response levels, disaster types, penalty
types) and the other spellings bureaus' exports use for them (aliases), read as the canonical
value."""

from __future__ import annotations

SECTORS = (
    "煤矿",
    "金属非金属矿山",
    "危险化学品",
    "烟花爆竹",
    "工贸",
    "建筑施工",
    "道路运输",
    "水上运输",
    "消防火灾",
    "燃气",
    "特种设备",
    "城市运行",
    "旅游",
    "教育",
    "渔业船舶",
    "其他",
)
SECTOR_ALIASES = {
    "危化品": "危险化学品",
    "危化": "危险化学品",
    "化工": "危险化学品",
    "危险化学品/化工": "危险化学品",
    "非煤矿山": "金属非金属矿山",
    "矿山": "金属非金属矿山",
    "工商贸": "工贸",
    "消防": "消防火灾",
    "火灾": "消防火灾",
    "消防/火灾": "消防火灾",
    "建筑": "建筑施工",
    "建设工程": "建筑施工",
    "交通运输": "道路运输",
    "道路交通": "道路运输",
    "水上交通": "水上运输",
    "城镇燃气": "燃气",
    "渔船": "渔业船舶",
}
ACCIDENT_CATEGORIES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)
HAZARD_SOURCES = ("企业自查", "政府检查", "中介检查", "暗访", "省市交办")
SOURCE_ALIASES = {
    "自查": "企业自查",
    "政府部门检查": "政府检查",
    "部门检查": "政府检查",
    "执法检查": "政府检查",
    "第三方检查": "中介检查",
    "中介机构检查": "中介检查",
    "暗访检查": "暗访",
    "暗查暗访": "暗访",
    "省市暗访交办": "省市交办",
    "上级交办": "省市交办",
}
HAZARD_GRADES = ("一般", "重大")
GRADE_ALIASES = {
    "一般隐患": "一般",
    "一般事故隐患": "一般",
    "重大隐患": "重大",
    "重大事故隐患": "重大",
}
RESPONSE_LEVELS = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
LEVEL_ALIASES = {
    # NFKC folds Ⅰ..Ⅳ into ASCII letters, so the ASCII forms are the normalised keys.
    "I": "Ⅰ",
    "II": "Ⅱ",
    "III": "Ⅲ",
    "IV": "Ⅳ",
    "I级": "Ⅰ",
    "II级": "Ⅱ",
    "III级": "Ⅲ",
    "IV级": "Ⅳ",
    "1": "Ⅰ",
    "2": "Ⅱ",
    "3": "Ⅲ",
    "4": "Ⅳ",
    "一级": "Ⅰ",
    "二级": "Ⅱ",
    "三级": "Ⅲ",
    "四级": "Ⅳ",
}
FLOOD_HAZARDS = ("台风", "暴雨", "洪涝", "强对流", "其他")
DISASTER_TYPES = (
    "洪涝",
    "干旱",
    "台风",
    "风雹",
    "低温冷冻",
    "雪灾",
    "地震",
    "崩塌",
    "滑坡",
    "泥石流",
    "风暴潮",
    "森林草原火灾",
)
PENALTY_TYPES = ("事故处罚", "非事故处罚")
