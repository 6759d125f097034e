"""General lexicons of the genre: places, zone suffixes, legal forms, posts, bodies, cue words.

Nothing here names a particular park, company, policy or person: these are the closed word
classes of Chinese administrative and business writing, so the rules built on them carry over
to articles from any province, year or outlet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

__all__ = [
    "HAN",
    "alternation",
    "PROVINCES",
    "CITIES",
    "province_short",
    "city_short",
    "place_index",
    "PARK_SUFFIXES",
    "counties",
    "PARK_RANK",
    "park_rank",
    "COMPANY_SUFFIXES",
    "INDUSTRY_WORDS",
    "POST_TITLES",
    "BODY_HEADS",
    "PARK_BODY_HEADS",
    "DEPARTMENTS",
    "LEFT_STOPWORDS",
    "COUNTRIES",
    "NATIONAL_BODIES",
    "SURNAMES",
]

#: The CJK Unified Ideographs block, as a regular-expression character range (``[{HAN}]``).
HAN = "\u4e00-\u9fff"

#: Provinces, autonomous regions, municipalities and SARs, full names.
PROVINCES: tuple[str, ...] = tuple(
    """北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省
    江西省 山东省 河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省
    台湾省 内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区
    香港特别行政区 澳门特别行政区""".split()
)

#: Prefecture-level cities (and a few county-level cities often named in park news).
CITIES: tuple[str, ...] = tuple(
    """石家庄市 唐山市 秦皇岛市 邯郸市 邢台市 保定市 张家口市 承德市 沧州市 廊坊市 衡水市 雄安新区
    太原市 大同市 阳泉市 长治市 晋城市 朔州市 晋中市 运城市 忻州市 临汾市 吕梁市
    呼和浩特市 包头市 乌海市 赤峰市 通辽市 鄂尔多斯市 呼伦贝尔市 巴彦淖尔市 乌兰察布市
    沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市 葫芦岛市
    长春市 吉林市 四平市 辽源市 通化市 白山市 松原市 白城市 延吉市
    哈尔滨市 齐齐哈尔市 鸡西市 鹤岗市 双鸭山市 大庆市 伊春市 佳木斯市 七台河市 牡丹江市 黑河市 绥化市
    南京市 无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市 镇江市 泰州市 宿迁市
    昆山市 江阴市 张家港市 常熟市 宜兴市
    杭州市 宁波市 温州市 嘉兴市 湖州市 绍兴市 金华市 衢州市 舟山市 台州市 丽水市 义乌市
    合肥市 芜湖市 蚌埠市 淮南市 马鞍山市 淮北市 铜陵市 安庆市 黄山市 滁州市 阜阳市 宿州市 六安市 亳州市 池州市 宣城市
    福州市 厦门市 莆田市 三明市 泉州市 漳州市 南平市 龙岩市 宁德市 晋江市
    南昌市 景德镇市 萍乡市 九江市 新余市 鹰潭市 赣州市 吉安市 宜春市 抚州市 上饶市
    济南市 青岛市 淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市 德州市 聊城市 滨州市 菏泽市
    郑州市 开封市 洛阳市 平顶山市 安阳市 鹤壁市 新乡市 焦作市 濮阳市 许昌市 漯河市 三门峡市 南阳市 商丘市 信阳市 周口市 驻马店市
    武汉市 黄石市 十堰市 宜昌市 襄阳市 鄂州市 荆门市 孝感市 荆州市 黄冈市 咸宁市 随州市
    长沙市 株洲市 湘潭市 衡阳市 邵阳市 岳阳市 常德市 张家界市 益阳市 郴州市 永州市 怀化市 娄底市
    广州市 韶关市 深圳市 珠海市 汕头市 佛山市 江门市 湛江市 茂名市 肇庆市 惠州市 梅州市 汕尾市 河源市 阳江市 清远市 东莞市 中山市 潮州市 揭阳市 云浮市
    南宁市 柳州市 桂林市 梧州市 北海市 防城港市 钦州市 贵港市 玉林市 百色市 贺州市 河池市 来宾市 崇左市
    海口市 三亚市 儋州市
    成都市 自贡市 攀枝花市 泸州市 德阳市 绵阳市 广元市 遂宁市 内江市 乐山市 南充市 眉山市 宜宾市 广安市 达州市 雅安市 巴中市 资阳市
    贵阳市 六盘水市 遵义市 安顺市 毕节市 铜仁市
    昆明市 曲靖市 玉溪市 保山市 昭通市 丽江市 普洱市 临沧市
    拉萨市 日喀则市
    西安市 铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市 杨凌
    兰州市 嘉峪关市 金昌市 白银市 天水市 武威市 张掖市 平凉市 酒泉市 庆阳市 定西市 陇南市
    西宁市 海东市 银川市 石嘴山市 吴忠市 固原市 中卫市
    乌鲁木齐市 克拉玛依市 吐鲁番市 哈密市 昌吉市 库尔勒市 喀什市 伊宁市 石河子市""".split()
)


#: Countries that begin foreign company names (日本富通商事株式会社) or name a partner (中德).
COUNTRIES: frozenset[str] = frozenset(
    """日本 韩国 德国 美国 英国 法国 意大利 荷兰 瑞士 瑞典 丹麦 芬兰 挪威 奥地利 比利时 西班牙 葡萄牙 加拿大
    澳大利亚 新西兰 新加坡 马来西亚 泰国 越南 印度 印度尼西亚 俄罗斯 以色列 巴西 墨西哥 阿联酋 沙特""".split()
)


def alternation(words: Iterable[str]) -> str:
    """A regex source matching any of ``words``, the longest first, written as a trie.

    ``北京|北京市|北海`` becomes ``北(?:京市?|海)``: the same matches as the words joined
    longest first, but a position is rejected after one character instead of after trying
    every word, which makes the big lists (hundreds of places, dozens of suffixes) 2–3× faster.
    The source is a group or a single word, so it can be embedded in a larger pattern.
    """
    trie: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def source(node: dict[str, dict]) -> str:
        branches = sorted((char, child) for char, child in node.items() if char)
        if not branches:
            return ""
        longer = [re.escape(char) + source(child) for char, child in branches if len(child) > 1 or "" not in child]
        ends = [re.escape(char) for char, child in branches if len(child) == 1 and "" in child]
        if ends:
            longer.append(ends[0] if len(ends) == 1 else f"[{''.join(ends)}]")
        body = longer[0] if len(longer) == 1 else f"(?:{'|'.join(longer)})"
        if "" in node:
            return f"(?:{body})?"
        return body

    return f"(?:{source(trie)})" if trie else "(?!)"


def province_short(name: str) -> str:
    """江西省 → 江西, 内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def city_short(name: str) -> str:
    """南昌市 → 南昌; 雄安新区 stays."""
    return name[:-1] if name.endswith("市") and len(name) > 2 else name


@cache
def place_index() -> dict[str, tuple[str, str]]:
    """Every spelling of a province or city → ``(full name, level)``; level is province/city."""
    index: dict[str, tuple[str, str]] = {}
    for city in CITIES:
        index[city] = (city, "city")
        index.setdefault(city_short(city), (city, "city"))
    for province in PROVINCES:
        level = "city" if province in ("北京市", "天津市", "上海市", "重庆市") else "province"
        index[province] = (province, level)
        index[province_short(province)] = (province, level)
    # Short forms that are also common words are left out.
    for ambiguous in ("吉林", "朝阳", "中山", "白城", "通化", "黄山", "丽江", "安康", "定西", "海东"):
        if ambiguous in index and index[ambiguous][0] != ambiguous:
            index.pop(ambiguous, None)
    index["吉林"] = ("吉林省", "province")
    return index


_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|林区|特区|新区|矿区|区|县|市|旗)$")


@cache
def counties() -> dict[str, str]:
    """County-level divisions (districts, counties, county-level cities, banners), every
    spelling → full name: 增城区 and 增城 → 增城区. Read from ``_data/counties.tsv``."""
    from importlib.resources import files

    index: dict[str, str] = {}
    for line in files("kg").joinpath("_data/counties.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        full = line.split("\t", 1)[0]
        index[full] = full
        short = _COUNTY_SUFFIX.sub("", full)
        if len(short) >= 2 and short != full:
            index.setdefault(short, full)
    return index


#: Zone suffixes, longest first; the value is the short form used to compare spellings.
PARK_SUFFIXES: dict[str, str] = {
    "国家高新技术产业开发区": "高新区",
    "高新技术产业开发区": "高新区",
    "国家级经济技术开发区": "经开区",
    "国家经济技术开发区": "经开区",
    "经济技术开发区": "经开区",
    "经济开发区": "经开区",
    "国家高新区": "高新区",
    "自由贸易试验区": "自贸区",
    "自贸试验区": "自贸区",
    "综合保税区": "综保区",
    "高新技术产业园区": "高新区",
    "高新技术园区": "高新区",
    "产业开发区": "开发区",
    "工业开发区": "开发区",
    "科技产业园": "产业园",
    "工业园区": "工业园",
    "产业园区": "产业园",
    "科技产业园区": "产业园",
    "科技园区": "科技园",
    "物流园区": "物流园",
    "保税港区": "保税港区",
    "保税区": "保税区",
    "高新区": "高新区",
    "经开区": "经开区",
    "开发区": "开发区",
    "综保区": "综保区",
    "自贸区": "自贸区",
    "产业园": "产业园",
    "工业园": "工业园",
    "科技园": "科技园",
    "软件园": "软件园",
    "科学城": "科学城",
    "高新城": "高新城",
    "科创城": "科创城",
    "物流园": "物流园",
    "创新园": "创新园",
    "产业新城": "产业新城",
    "新区": "新区",
    "自贸片区": "自贸片区",
    "片区": "片区",
    "生物城": "生物城",
    "软件城": "软件城",
    "纳米城": "纳米城",
    "科技城": "科技城",
    "汽车城": "汽车城",
    "生态城": "生态城",
    "智造城": "智造城",
    "生态园": "生态园",
    "研创园": "研创园",
    "孵化园": "孵化园",
    "经济区": "经济区",
    "产业集中区": "产业集中区",
    "集中区": "集中区",
    "商务区": "商务区",
    "直管区": "直管区",
    "经济特别合作区": "合作区",
    "特别合作区": "合作区",
    "合作区": "合作区",
    "试验区": "试验区",
    "实验区": "实验区",
    "小镇": "小镇",
    "科创园": "科创园",
    "合作园": "合作园",
    "起步区": "起步区",
    "台商投资区": "投资区",
    "投资区": "投资区",
    "医药港": "医药港",
    "创业园": "创业园",
    "创新港": "创新港",
    "科技港": "科技港",
    "产业港": "产业港",
    "综合改革示范区": "示范区",
    "综改示范区": "示范区",
    "示范区": "示范区",
    "环保园": "环保园",
    "工业区": "工业区",
    "工业沟": "工业沟",
    "工业集中区": "集中区",
    "产业基地": "产业基地",
    "园区": "园区",
    "港区": "港区",
}

#: How high a kind of zone stands: 0 contains 1 contains 2 (a 新区 holds 经开区, which hold 产业园).
PARK_RANK: dict[str, int] = {
    "自贸区": 0,
    "新区": 0,
    "高新区": 1,
    "经开区": 1,
    "开发区": 1,
    "工业园": 1,
    "自贸片区": 1,
    "片区": 1,
    "直管区": 1,
    "试验区": 1,
    "实验区": 1,
    "合作区": 1,
    "示范区": 1,
    "起步区": 1,
    "投资区": 1,
    "工业区": 1,
}
DEFAULT_PARK_RANK = 2


def park_rank(short_kind: str) -> int:
    """The rank of a zone kind (its folded suffix); sub-parks such as 产业园 rank lowest."""
    return PARK_RANK.get(short_kind, DEFAULT_PARK_RANK)


#: Legal forms that end a full enterprise name, longest first.
COMPANY_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "集团股份有限公司",
    "有限公司",
    "集团公司",
    "株式会社",
    "(集团)",
    "集团",
    "股份公司",
    # Factories named by their product: 某某电视机厂, 某某风机制造厂.
    "制造厂",
    "机械厂",
    "电器厂",
    "电子厂",
    "化工厂",
    "钢铁厂",
    "钢厂",
    "制药厂",
    "酒厂",
    "纺织厂",
    "电视机厂",
    "水泥厂",
    "造纸厂",
    "食品厂",
    "机床厂",
    "仪表厂",
    "电机厂",
    "内燃机厂",
    "汽车厂",
    "拖拉机厂",
    "玻璃厂",
    "啤酒厂",
)

#: Industry words that end short enterprise names such as 某某软件, 某某光电.
INDUSTRY_WORDS: tuple[str, ...] = tuple(
    """微电子 半导体 光电子 光电 电子 软件 科技 信息 信息技术 网络 智能 生物 医药 药业 制药 新材料 材料
    新能源 能源 电气 电力 电器 汽车 机械 装备 重工 精密 化工 化学 环保 物流 控股 通信 集成电路 芯片
    数据 数字 传感 光伏 锂电 储能 动力 电池 磁材 永磁 稀土 钢铁 铝业 铜业 食品 纺织 传媒 航空 航天
    机器人 医疗 器械 实业 股份 冷链 健康 大健康 制造 装备制造 文旅 文化 创意 数字经济 跨境电商 电商 农业 现代农业 纺织
    工业 服装 家居 建材 石化 物联网 人工智能 大数据 云计算 新能源汽车 汽车零部件 零部件 生物医药 医药健康 检测 技术 生物技术""".split()
)

#: Post titles, longest first so that 副总经理 wins over 总经理.
POST_TITLES: tuple[str, ...] = tuple(
    sorted(
        set(
            """党工委书记 党工委副书记 党委书记 党委副书记 党组书记 党组副书记 书记 副书记 常委 市委常委 区委常委 县委常委
            主任 副主任 常务副主任 管委会主任 管委会副主任 局长 副局长 处长 副处长 科长 副科长 部长 副部长
            市长 副市长 常务副市长 区长 副区长 县长 副县长 省长 副省长 镇长 主席 副主席 秘书长 副秘书长 巡视员 调研员
            董事长 副董事长 总经理 副总经理 常务副总经理 总裁 副总裁 首席执行官 首席技术官 总工程师 总监 技术总监
            经理 项目经理 厂长 副厂长 院长 副院长 所长 副所长 校长 负责人 创始人 联合创始人 合伙人 执行董事
            专员 服务专员 招商专员 组长 队长 站长 行长 主管 研究员 教授 工程师 总指挥 指挥长 副指挥长
            科员 技术员 律师 职工 老职工 员工 工人 会长 副会长 理事长 董事 监事 市领导 县领导 区领导 领导""".split()
        ),
        key=len,
        reverse=True,
    )
)

#: Bodies that are a park's own administration (某高新区管委会): what they say or hold is the park's.
PARK_BODY_HEADS: tuple[str, ...] = ("党工委", "管委会", "管理委员会", "工委")

#: Heads of government bodies that stand alone after a place or park name.
BODY_HEADS: tuple[str, ...] = (
    "海关",
    "人大常委会",
    "人大",
    "政协",
    "党工委",
    "管委会",
    "管理委员会",
    "人民政府",
    "市政府",
    "区政府",
    "县政府",
    "省政府",
    "政府",
    "市委",
    "区委",
    "县委",
    "省委",
    "党委",
)

#: Central bodies that are named on their own, without a place before them.
NATIONAL_BODIES: tuple[str, ...] = tuple(
    """国务院 国务院办公厅 中共中央 全国人大常委会 国家发展改革委 国家发展和改革委员会 国家发改委 工业和信息化部 工信部
    科学技术部 科技部 商务部 财政部 自然资源部 生态环境部 交通运输部 人力资源和社会保障部 海关总署 国家税务总局
    国家市场监督管理总局 国家知识产权局 中国人民银行 国家外汇管理局 国务院国资委 国家能源局 国家统计局""".split()
)

#: Government departments: the word before 局 / 委 / 厅 / 办 / 中心 / 部.
DEPARTMENTS: tuple[str, ...] = tuple(
    sorted(
        """科技 科经 科技和经济发展 经济发展 经济发展和科技 经信 工信 工业和信息化 发展和改革 发改 商务 财政 税务 统计
        自然资源和规划 自然资源 规划和自然资源 住房和城乡建设 住建 生态环境 环保 人力资源和社会保障 人社 教育 卫生健康
        市场监督管理 市场监管 行政审批 政务服务 招商 投资促进 招商服务 企业服务 数据 大数据 应急管理 交通运输 水利
        农业农村 文化和旅游 金融 地方金融 国资 国有资产监督管理 海关 知识产权 建设管理 规划建设 经济运行 科技创新
        产业发展 组织 宣传 统战 党政""".split(),
        key=len,
        reverse=True,
    )
)

#: Words that may stand just before a name but never begin one (prepositions, verbs, fillers).
LEFT_STOPWORDS: frozenset[str] = frozenset(
    """像 由 与 和 同 跟 及 以及 并 或 在 于 对 为 向 将 把 被 让 使 给 从 是 有 了 的 等 其中 包括 如 例如 比如
    还有 以 该 这 那 其 各 每 一家 一批 一个 这家 那家 这些 多家 设在 制约 立足 优化 后续 仅为 均为 即为 作为 成为 并为 位列 列入 纳入 入选 评为 获批 推出 走访 带动 牵头 孵化 打造 助力 新增 先后 相继 陆续 分别 均 世界一流 国际一流 国内一流 一流 引进 引入 签约 签下 落户 入驻 投资 建设 成立 设立
    组建 推动 支持 帮助 服务 扶持 培育 吸引 招引 携手 联合 联手 依托 围绕 通过 作为 成为 获 获得 获评 荣获 位于 来自
    企业 公司 龙头 龙头企业 头部 头部企业 重点 重点企业 项目 合作 推进 加快 实现 完成 达成 落地 落成 开工 竣工 投产
    目前 当前 近日 近年来 今年 去年 日前 此外 同时 另外 而 但 也 都 还 又 再 已 已经 正 正在 就 则 即 亦 依托 当前 力争 争取 确保 计划 预计 加快 内 支持
    记者 了解到 据 据悉 介绍 表示 说 称 指出 来到 走进 走访 采访 参观 调研 考察 看到 发现 首家
    已有 拥有 集聚 聚集 汇聚 吸纳 落户于 扎根 坐落 区内 园内 园区 区域 当地 本地 全市 全区 全省 全国
    选址 做强 做大 做优 做实 壮大 独资企业 外资企业 外商独资企业 合资企业 中外合资企业 民营企业 国有企业 上市公司
    地处 坐落于 坐落在 毗邻 紧邻 同行 母公司 子公司 控股股东 归属于
    深化 大力 大力深化 充分发挥 发挥 积极 积极争取 所属 隶属 隶属于 作出 做出 解散 进入 试图 找 审议通过 实施 落实 本市 本区 本县 本省 我市 我区 我县 我省 希望 欢迎 感谢 邀请 会见 拜访 原 前身""".split()
)

#: Common Chinese surnames (single and double), for recognising a person's name after a post.
SURNAMES: frozenset[str] = frozenset(
    """王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董
    袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦
    邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢
    安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童
    凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳
    时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧
    闵 苟 邬 边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 官 封 谈 匡
    鞠 惠 荆 乐 冀 郁 胥 南 班 储 原 栗 燕 楚 鄢 劳 谌 奚 皮 粟 冼 蔺 楼 盘 满 闻 位 厉 伊 仝 区 郜 海 阚 花 权 强
    帅 屠 豆 朴 盖 练 廉 禹 井 祖 漆 巴 丰 支 卿 国 狄 平 计 索 宣 晋 相 初 门 云 容 敬 来 扈 晁 芮 都 普 阙 浦 戈
    伏 鹿 薄 邸 雍 辜 羊 阿 乌 母 裘 亓 修 邰 赫 杭 况 那 宿 鲜 印 逯 隆 茹 诸 战 慕 危 玉 银 亢 嵇 公 哈 湛 宾 戎
    勾 茅 利 於 呼 居 揭 干 但 尉 冶 斯 元 束 檀 衣 信 展 阴 昝 智 幸 奉 植 衡 富 尧 闭 由 欧阳 司马 上官 诸葛 东方
    皇甫 尉迟 公孙 令狐 慕容 夏侯 长孙 宇文 司徒 西门""".split()
)
