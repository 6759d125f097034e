"""Mentions, entities, relations and metrics from real sentences of the genre (tests as data).

Each case is a small article: a headline line, then body text. Expected facts are written as
(subject label, predicate, object label) and compared through the pipeline's output.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.corpus import read_document
from kg.pipeline import extract_document


def extract(text: str, segmenter):
    document = read_document("case.txt", text=text)
    return extract_document(document, segmenter=segmenter)


def names(extractions, type_):
    return {e.label for x in extractions for e in x.entities.values() if e.type == type_}


def aliases(extractions, type_):
    return {a for x in extractions for e in x.entities.values() if e.type == type_ for a in e.aliases}


def facts(extractions):
    found = set()
    for x in extractions:
        label = {ident: e.label for ident, e in x.entities.items()}
        for r in x.relations:
            found.add((label[r.subject], r.predicate, label[r.object]))
    return found


@pytest.mark.parametrize(
    "text, type_, expected",
    [
        ("标题\n像江西珉轩智能科技有限公司这样的企业在南昌高新区还有很多。", "Enterprise", "江西珉轩智能科技有限公司"),
        (
            "标题\n当前，金力永磁（包头）科技有限公司一期项目处于稳定生产阶段。",
            "Enterprise",
            "金力永磁(包头)科技有限公司",
        ),
        (
            "标题\n由苏州金鸡湖产业投资集团有限公司投资建设的项目落户园区。",
            "Enterprise",
            "苏州金鸡湖产业投资集团有限公司",
        ),
        ("标题\n园区先后引进了湖南力驰液压科技有限公司等核心零部件企业。", "Enterprise", "湖南力驰液压科技有限公司"),
        ("标题\n吴前进与泰豪软件、科睿特软件、铜锐信息等11家企业负责人座谈。", "Enterprise", "科睿特软件"),
        ("标题\n近日，一场活动在江西南昌高新区举办。", "Park", "江西南昌高新区"),
        ("标题\n春节假期刚过，福建省厦门火炬高新区同翔高新城就主动发力。", "Park", "同翔高新城"),
        ("标题\n其中包括新经济产业园、金庐软件园、泰豪软件园等园区载体。", "Park", "新经济产业园"),
        ("标题\n由某某公司投资建设的海上风电装备智造基地落户董家口经济区。", "Park", "董家口经济区"),
        ("标题\n南京江北新区研创园是设计企业最集中的区域。", "Park", "南京江北新区研创园"),
        (
            "标题\n当地市委、市政府印发了《关于加快实施创新驱动发展战略的实施意见》。",
            "Policy",
            "关于加快实施创新驱动发展战略的实施意见",
        ),
        ("标题\n园区编制出台数谷“黄金十条”政策，对入驻项目给予支持。", "Policy", "黄金十条"),
        ("标题\n南昌高新区科经局软件科科长石亮红介绍。", "GovernmentBody", "南昌高新区科经局"),
        (
            "标题\n常州市自然资源和规划局高新区分局党委书记、局长薛学虎说。",
            "GovernmentBody",
            "常州市自然资源和规划局高新区分局",
        ),
        ("标题\n新北区委书记、常州国家高新区党工委副书记周庆表示。", "GovernmentBody", "新北区委"),
        ("标题\n厦门天马微电子副总经理钟健升介绍，订单量有所上升。", "Person", "钟健升"),
        ("标题\n企业总经理苏权介绍，公司产品已在全球范围内得到广泛认可。", "Person", "苏权"),
        ("标题\n长沙经开区党工委书记欧阳建明表示，园区将全力以赴。", "Person", "欧阳建明"),
        ("标题\n近日，记者在内蒙古包头市采访时了解到。", "Place", "包头市"),
        ("标题\n江海科技产业园区则主打外资招商。", "Park", "江海科技产业园区"),
        ("标题\n2018年，两市携手设立青禾经济特别合作区，规划面积约98平方公里。", "Park", "青禾经济特别合作区"),
        ("标题\n项目选址青川经开区，总投资9.6亿元。", "Park", "青川经开区"),
        ("标题\n陆海滨（湖州莫干山高新区管委会副主任）：我们今年出台了扶持办法。", "Park", "湖州莫干山高新区"),
        ("标题\n泰州综保区地处泰州医药高新技术产业开发区核心区域。", "Park", "泰州医药高新技术产业开发区"),
        (
            "标题\n与总部位于上海的同行上海泓澜生物技术股份有限公司相比，公司毛利率更高。",
            "Enterprise",
            "上海泓澜生物技术股份有限公司",
        ),
        (
            "标题\n同样落户园区的新加坡独资企业青川星辉医疗器械有限公司今年新增投资。",
            "Enterprise",
            "青川星辉医疗器械有限公司",
        ),
        ("标题\n青川汽车城已集聚整车及零部件企业160多家。", "Park", "青川汽车城"),
        # jieba's HMM glues 在 to an unknown name (在浒关-like); the zone starts after it.
        ("标题\n签约仪式在漓塘开发区举行。", "Park", "漓塘开发区"),
        ("标题\n据悉，鹿城北部科技园区本年度开工建设项目12项。", "Park", "鹿城北部科技园区"),
        ("标题\n项目位于本市滨河区青杨工业区，占地约80亩。", "Park", "滨河区青杨工业区"),
        ("标题\n走进青杨环保园，塔吊林立，工人们正在赶工。", "Park", "青杨环保园"),
        ("标题\n临川乾泰工业沟是全县工业布局的重点。", "Park", "临川乾泰工业沟"),
        ("标题\n该区将建设南通市海洋装备产业基地。", "Park", "南通市海洋装备产业基地"),
        # Owners in a list of projects, each written owner + capacity + product.
        (
            "标题\n全力保障青川钛材5万吨钛白粉生产线、鑫拓光能300兆瓦光伏组件等一批续建项目按期建成。",
            "Enterprise",
            "青川钛材",
        ),
        (
            "标题\n全力保障青川钛材5万吨钛白粉生产线、鑫拓光能300兆瓦光伏组件等一批续建项目按期建成。",
            "Enterprise",
            "鑫拓光能",
        ),
        # 投资 inside a legal name; factories named by their product; a former name.
        ("标题\n该公司的大股东为鼎川投资咨询有限公司。", "Enterprise", "鼎川投资咨询有限公司"),
        ("标题\n考察了科右前旗恒泰风机制造厂。", "Enterprise", "科右前旗恒泰风机制造厂"),
        ("标题\n1998年，原青川电视机厂破产。", "Enterprise", "青川电视机厂"),
        # A list of brands in groups led by their countries, across commas.
        ("标题\n届时将有瑞典鑫拓、恒岳，日本的沃达、鼎川，德国青禾等世界品牌入驻园区。", "Enterprise", "沃达"),
        ("标题\n届时将有瑞典鑫拓、恒岳，日本的沃达、鼎川，德国青禾等世界品牌入驻园区。", "Enterprise", "青禾"),
        # Names listed right after the kind of company they are (家电巨头甲、乙和丙等).
        ("标题\n青川鑫拓电器有限公司为国际家电巨头沃达、恒岳和鼎川等配套生产。", "Enterprise", "恒岳"),
        ("标题\n青川鑫拓电器有限公司为国际家电巨头沃达、恒岳和鼎川等配套生产。", "Enterprise", "鼎川"),
        # Companies named by their projects in a counted list (甲、乙二期等N个项目).
        ("标题\n鑫拓树脂、恒岳轮胎、沃达光伏二期等6个外商投资项目，总投资共计8.6亿美元。", "Enterprise", "恒岳轮胎"),
        ("标题\n鑫拓树脂、恒岳轮胎、沃达光伏二期等6个外商投资项目，总投资共计8.6亿美元。", "Enterprise", "沃达光伏"),
        ("标题\n鼎川人寿研发中心三期项目、恒岳研发中心五期项目等12个科技项目年内动工。", "Enterprise", "鼎川人寿"),
        # A short name with the company's industry word (鑫拓电子 of 鑫拓电子工业集团有限公司).
        (
            "标题\n青川鑫拓电子工业集团有限公司发布公告。鑫拓电子计划扩产。",
            "Enterprise",
            "青川鑫拓电子工业集团有限公司",
        ),
        # A sub-park named after the bare name of its zone.
        ("标题\n日前，输变电设备项目在高新区鹿鸣河园区开工建设。", "Park", "高新区鹿鸣河园区"),
        # A county's short name that jieba tags as a verb still begins the zone's name.
        ("标题\n该项目位于分宜经济开发区内，由某公司投资建设。", "Park", "分宜经济开发区"),
        ("标题\n项目落户隆化经济开发区。", "Park", "隆化经济开发区"),
        # Brands in a list closed by 等…品牌.
        ("标题\n明年起，鑫拓、恒岳、沃达等海外工程装备品牌陆续进驻。", "Enterprise", "恒岳"),
        # Plans and rules named without 《》.
        ("标题\n青川高新区“二次创业计划”全面启动。", "Policy", "二次创业计划"),
        ("标题\n园区积极实施“1+4”产业倍增计划，壮大主导产业。", "Policy", "“1+4”产业倍增计划"),
        ("标题\n本年度出台科技创新促进条例，推行营商环境优化18条提升举措。", "Policy", "科技创新促进条例"),
        ("标题\n本年度出台科技创新促进条例，推行营商环境优化18条提升举措。", "Policy", "营商环境优化18条提升举措"),
        ("标题\n落实好中小企业促进法和市中小企业促进条例。", "Policy", "市中小企业促进条例"),
        ("标题\n区里率先建立招投标供应商信用评价制度。", "Policy", "招投标供应商信用评价制度"),
        ("标题\n制定促进农民增收“小切口”政策举措。", "Policy", "促进农民增收“小切口”政策举措"),
        ("标题\n这座城市在“十四五”规划中提出发展海洋经济。", "Policy", "“十四五”规划"),
        # People in a list after a post, with roles outside government, and quoted with no post.
        ("标题\n青川市领导陈卫东、梁晓、孙建华参加了签约活动。", "Person", "孙建华"),
        ("标题\n青川市规划局科员马启明告诉记者，方案已经上报。", "Person", "马启明"),
        ("标题\n在厂里工作了20年的胡桂兰说，补偿标准太低。", "Person", "胡桂兰"),
        ("标题\n昨日，记者辗转联系到老职工孙永和。据他介绍，厂房已经出租。", "Person", "孙永和"),
    ],
)
def test_extract_finds_names_with_right_boundaries(segmenter, text, type_, expected):
    found = extract(text, segmenter)
    assert expected in names(found, type_) | aliases(found, type_)


@pytest.mark.parametrize(
    "text, not_expected",
    [
        ("标题\n该公司负责人说，高新区还有很多这样的企业。", {"该公司", "高新区"}),
        ("标题\n园区内的企业得到了支持，全区经济稳步增长。", {"园区", "全区"}),
        ("标题\n多年来，园区先后荣获“中国服务外包产业示范区”等称号。", {"中国服务外包产业示范区"}),
        (
            "标题\n该区报送的《算好“三本账”必答题 打造“空间补偿”创新链》获评改革成果。",
            {"算好三本账必答题打造空间补偿创新链"},
        ),
        ("标题\n青川港河口港区集装箱吞吐量增长35%。", {"青川港河口港区"}),  # a port's terminal area
        ("标题\n综保区进出口额增长31.6%，增速居湖北省综合保税区第二位。", {"湖北省综合保税区"}),  # a class of zones
        ("标题\n我们将做强开发区，做优营商环境。", {"做强开发区"}),
        ("标题\n园区从中试平台、应用场景、人才公寓等方面为企业“搭梯子”。", {"平台", "应用场景", "人才公寓"}),
        ("标题\n荆门、济宁、自贡三地高新区转型观察。", {"自贡三地高新区"}),
        ("标题\n两市携手设立合作区，整个合作区规划面积约300平方公里。", {"整个合作区"}),
        # Products and trades in a list are not companies (…、开关等规模企业150家).
        ("标题\n该县现有电抗器、电容器、开关、光缆制造等规上企业90家。", {"变压器", "电容器", "开关"}),
        ("标题\n这是对方深化开发区改革的重要一步。", {"深化开发区"}),
        ("标题\n要切实发挥国家级新区的示范引领作用。", {"充分发挥国家级新区"}),
        (
            "标题\n园区将加强规划引领，推出一系列扶持措施和相关政策。",
            {"加强规划", "一系列扶持措施", "相关政策", "扶持措施"},
        ),
        ("标题\n要把项目建设作为推动发展的重要举措。", {"项目建设作为推动发展的重要举措"}),
        ("标题\n健全市场和价格机制。", {"市场和价格机制"}),
        ("标题\n下一步，该市将尽快落实船舶配套产业发展措施。", {"船舶配套产业发展措施"}),
        ("标题\n执行稳健的货币政策，信贷投放保持平稳。", {"稳健的货币政策"}),
        ("标题\n园区规划面积20平方公里，发展规划已经编制完成。", {"园区规划", "发展规划"}),
        ("标题\n该区培育海工配套产业基地，做大海工装备。", {"海工配套产业基地"}),
        ("标题\n对于一线员工来说，这份补偿远远不够。", {"来说"}),
        ("标题\n董事会已于3月15日作出注销公司的决议。", {"日作出注销公司", "作出注销公司"}),
        ("标题\n青川电器(13.44,-0.35,-2.54%)股份有限公司发布公告。", {"2.54%)股份有限公司"}),
        ("标题\n该集团是国内位居前列的现代化大型钢铁企业集团。", {"现代化大型钢铁企业集团"}),
        ("标题\n该公司的大股东为鼎川投资咨询有限公司。", {"咨询有限公司"}),
        ("标题\n西北五省高新区合作联盟近日揭牌。", {"西北五省高新区", "五省高新区"}),
        ("标题\n察看了鼎盛集团冷链物流园区、恒岳集团乳品项目。", {"冷链物流园区"}),
        ("标题\n公司董事长林涛说，二期工程明年投产。", {"林涛说"}),
    ],
)
def test_extract_keeps_generic_words_out(segmenter, text, not_expected):
    found = extract(text, segmenter)
    every = {e.label for x in found for e in x.entities.values()}
    assert not every & not_expected


@pytest.mark.parametrize(
    "text, expected, unexpected",
    [
        (
            "标题\n江西珉轩智能科技有限公司是南昌高新区一家国家高新技术企业。",
            {("南昌高新区", "hosts", "江西珉轩智能科技有限公司")},
            set(),
        ),
        (
            "标题\n当地市委、市政府印发了《关于推进产业发展的实施意见》。稀土高新区深耕细作。\n包头市连续两年聚焦创新。",
            {
                ("包头市委", "issues", "关于推进产业发展的实施意见"),
                ("包头市政府", "issues", "关于推进产业发展的实施意见"),
            },
            {("稀土高新区", "issues", "关于推进产业发展的实施意见")},
        ),
        (
            "某高新区发展软件产业\n某某高新区共组织12家满足南昌市《加快推进数字产业发展政策十条》扶持条件的企业申报资金。",
            set(),
            {("某某高新区", "issues", "加快推进数字产业发展政策十条")},
        ),
        (
            "标题\n春节假期刚过，福建省厦门火炬高新区同翔高新城就主动发力。",
            {("同翔高新城", "partOf", "厦门火炬高新区"), ("厦门火炬高新区", "locatedIn", "厦门市")},
            set(),
        ),
        (
            "标题\n南京江北新区研创园是设计企业最集中的区域。",
            {("南京江北新区研创园", "partOf", "南京江北新区")},
            set(),
        ),
        (
            "标题\n今年，园区将落实苏州市《关于优化营商环境的若干措施》，同时兑现园区出台的《促进生物医药产业发展若干政策》。苏州工业园区举行签约活动。",
            {("苏州工业园区", "issues", "促进生物医药产业发展若干政策")},
            {("苏州工业园区", "issues", "关于优化营商环境的若干措施")},
        ),
        (
            "标题\n青禾县经济开发区今年新开工项目17个。",
            {("青禾县经济开发区", "locatedIn", "青禾县")},
            set(),
        ),
        (
            "标题\n在位于清城区的青禾产业园，生产线满负荷运转。",
            {("青禾产业园", "locatedIn", "清城区")},
            set(),
        ),
        (
            "标题\n位于柳州市东北部的青川新区加快发展。",
            {("青川新区", "locatedIn", "柳州市")},
            set(),
        ),
        (
            # A customer named by a zone's company is not in the zone.
            "标题\n青川经开区加快发展。青川瑞克斯精密传动有限公司总经理王明说，产品主要为上海申驰汽车有限公司等整车企业配套。",
            set(),
            {("青川经开区", "hosts", "上海申驰汽车有限公司")},
        ),
        (
            # 园区 right after a sub-park is named means that sub-park, not the zone around it.
            "标题\n青川经济开发区再生资源产业园集聚循环经济企业50余家，园区龙头企业湖北青禾再生金属有限公司年处理能力达到80万吨。",
            {("再生资源产业园", "hosts", "湖北青禾再生金属有限公司")},
            {("青川经济开发区", "hosts", "湖北青禾再生金属有限公司")},
        ),
        (
            # One administration, two names: neither zone is inside the other.
            "标题\n滨江新区与青川高新技术产业开发区（以下简称“青川高新区”）实行“一套班子、两块牌子”管理体制。滨江新区（青川高新区）加快发展，滨江新区主攻汽车。",
            set(),
            {("青川高新区", "partOf", "滨江新区"), ("滨江新区", "partOf", "青川高新区")},
        ),
        (
            # 其 names the owner of the sub-zone, though another zone leads the article.
            "标题\n滨江新区加快发展。滨江新区主攻汽车产业。青川高新区则聚焦生物医药，其河西片区已集聚企业近300家。",
            {("河西片区", "partOf", "青川高新区")},
            {("河西片区", "partOf", "滨江新区")},
        ),
        (
            # A zone named as the venue of a ceremony does not host the companies listed after it.
            "标题\n青川高新区重点项目集中开工。25日，开工仪式在鹿鸣开发区鑫拓工业园举行。"
            "恒岳树脂、沃达轮胎等7个外商投资项目，总投资共计12亿美元。",
            {("青川高新区", "hosts", "恒岳树脂")},
            {("鹿鸣开发区", "hosts", "恒岳树脂"), ("鑫拓工业园", "hosts", "恒岳树脂")},
        ),
        (
            # A sub-park that is one item of a list of projects does not host the other items.
            "标题\n青川高新区一批项目开工。鼎川人寿研发中心三期项目、恒岳研发中心五期项目、青川计算所鑫拓产业园三期项目……青川西部12个科技项目年内将相继动工。",
            set(),
            {("鑫拓产业园", "hosts", "恒岳"), ("鑫拓产业园", "hosts", "鼎川人寿")},
        ),
        (
            # Customers listed after 为…巨头 are not hosted; the company's figure stays its own.
            "标题\n青川高新区项目开工。青川鑫拓电器有限公司主营微电机，长期给全球家电巨头沃达、恒岳和鼎川等供货，本年度公司计划投入6000万元。",
            {("青川高新区", "hosts", "青川鑫拓电器有限公司")},
            {("青川高新区", "hosts", "鼎川"), ("青川高新区", "hosts", "恒岳")},
        ),
        (
            # A supplier between the zone and a company does not cut the company off: 在园区 after it places it.
            "标题\n青川高新区发展迅速。园区内的青川鑫拓化工有限公司为它配套供应原料，青川恒岳材料股份有限公司今年也在园区新上了项目。",
            {("青川高新区", "hosts", "青川恒岳材料股份有限公司")},
            set(),
        ),
        (
            # A zone named after a company of the article hosts it.
            "标题\n青川鑫拓电气股份有限公司（以下简称“鑫拓电气”）发展迅速。鑫拓工业园今年正式启用。",
            {("鑫拓工业园", "hosts", "青川鑫拓电气股份有限公司")},
            set(),
        ),
        (
            # A work report naming many zones: a company in a paragraph that names no zone is
            # hosted by none of them.
            "某省政府工作报告\n支持青川经开区、滨江高新区、河口综保区、鹿鸣产业园、石门工业园区提质增效。"
            "\n恒岳集团钢铁产能提升，高端产品占比提高到60%。",
            set(),
            {("青川经开区", "hosts", "恒岳集团")},
        ),
    ],
)
def test_extract_relations(segmenter, text, expected, unexpected):
    found = facts(extract(text, segmenter))
    assert expected <= found, found
    assert not unexpected & found


@pytest.mark.parametrize(
    "text, person, org, post",
    [
        ("标题\n南昌高新区党工委副书记吴前进与企业负责人座谈。", "吴前进", "南昌高新区", "党工委副书记"),
        ("标题\n南昌高新区科经局软件科科长石亮红介绍。", "石亮红", "南昌高新区科经局", "软件科科长"),
        ("标题\n厦门祥福兴科技股份有限公司总经理吴礼银介绍。", "吴礼银", "厦门祥福兴科技股份有限公司", "总经理"),
        ("标题\n苏州工业园区党工委委员、管委会副主任陆文斌在活动上介绍。", "陆文斌", "苏州工业园区", "管委会副主任"),
        ("标题\n新北区委书记、常州国家高新区党工委副书记周庆表示。", "周庆", "新北区委", "书记"),
        ("标题\n6月12日，淮安市委书记马立新先后来到淮安经济技术开发区调研。", "马立新", "淮安市委", "书记"),
        # Two companies share a core (智远); the place before the short name tells which one.
        (
            "标题\n总部位于佛山的佛山智远汽车零部件有限公司投资设立肇庆智远汽车零部件有限公司。肇庆智远总经理梁永康说，公司产值增长。",
            "梁永康",
            "肇庆智远汽车零部件有限公司",
            "总经理",
        ),
        # A transcript: the posts in brackets after the name.
        (
            "标题\n记者：园区今年有何新举措？\n陆海滨（湖州莫干山高新区管委会副主任）：我们今年出台了扶持办法。",
            "陆海滨",
            "湖州莫干山高新区",
            "管委会副主任",
        ),
    ],
)
def test_extract_people_hold_posts(segmenter, text, person, org, post):
    found = extract(text, segmenter)
    posts = set()
    for x in found:
        label = {ident: e.label for ident, e in x.entities.items()}
        posts |= {(label[r.subject], label[r.object], r.post) for r in x.relations if r.predicate == "holdsPost"}
    assert (person, org, post) in posts, posts


@pytest.mark.parametrize(
    "text, subject, value, unit, year, growth",
    [
        (
            "标题\n2023年，常州国家高新区新能源汽车及核心零部件产业实现工业产值1100亿元，同比增长23.9%。",
            "常州国家高新区",
            "110000000000",
            "CNY",
            2023,
            False,
        ),
        (
            "标题\n2023年，常州国家高新区新能源汽车及核心零部件产业实现工业产值1100亿元，同比增长23.9%。",
            "常州国家高新区",
            "23.9",
            "percent",
            2023,
            True,
        ),
        (
            "标题\n例如，南昌高新区有17家企业获得“科贷通”贷款，贷款金额达4620万元。",
            "南昌高新区",
            "46200000",
            "CNY",
            None,
            False,
        ),
        (
            "标题\n片区内的广州南沙综合保税区去年进出口总值突破1200亿元。",
            "广州南沙综合保税区",
            "120000000000",
            "CNY",
            None,
            False,
        ),
        (
            "标题\n走进某某经济技术开发区，宁夏鑫晶硅材料科技有限公司的车间里一片繁忙。“今年上半年，我们的产值同比增长46%。”公司总经理郝建军告诉记者。",
            "宁夏鑫晶硅材料科技有限公司",
            "46",
            "percent",
            None,
            False,
        ),
        (
            "标题\n2022年，青川高新区主要指标稳中有进。全年实现地区生产总值618.4亿元，同比增长5.9%。",
            "青川高新区",
            "61840000000",
            "CNY",
            2022,
            False,
        ),
        (
            # The company a sentence opens on keeps the figures of its later clauses.
            "标题\n青川综保区内的青川康柏瑞生物医药股份有限公司发布半年报。报告期内，公司实现营业收入14.82亿元，同比增长23.6%；归属于上市公司股东的净利润2.37亿元。",
            "青川康柏瑞生物医药股份有限公司",
            "237000000",
            "CNY",
            None,
            False,
        ),
        (
            # A body after 是 is part of the predicate, not the subject.
            "标题\n青川经开区加快发展。位于开发区东部的农机装备产业园，是县委、县政府近年谋划建设的专业园区，规划面积3.2平方公里。",
            "农机装备产业园",
            "3200000",
            "m2",
            None,
            False,
        ),
        (
            # A sub-park named right after its zone is the clause's subject.
            "标题\n青川经济开发区再生资源产业园集聚循环经济企业50余家。",
            "再生资源产业园",
            "50",
            "count",
            None,
            False,
        ),
        (
            # A zone named in one section does not take the figures of the next section.
            "标题\n2023年，青川高新区经济运行平稳。\n二、园区建设\n滨江智造产业园入驻企业35家，实现产值41亿元。\n三、对外贸易\n全年实现进出口总额88.5亿元。",
            "青川高新区",
            "8850000000",
            "CNY",
            2023,
            False,
        ),
        (
            # The figure right after its owner, inside a list of projects.
            "标题\n本批动工项目包括青川市对口支援的青川纺织集团年产60万件羊毛衫项目、鼎川化工集团20万吨甲醇项目等。",
            "鼎川化工集团",
            "200000",
            "tonne",
            None,
            False,
        ),
        (
            "标题\n本批动工项目包括青川市对口支援的青川纺织集团年产60万件羊毛衫项目、鼎川化工集团20万吨甲醇项目等。",
            "青川纺织集团",
            "600000",
            "count",
            None,
            False,
        ),
        (
            # A joint project's figures are every partner's.
            "标题\n日前，由青川恒泰电气有限公司和青川恒泰线缆有限公司投资建设的输变电设备项目开工。该项目占地约为60亩，项目总投资1.2亿元。",
            "青川恒泰线缆有限公司",
            "120000000",
            "CNY",
            None,
            False,
        ),
        (
            "标题\n日前，由青川恒泰电气有限公司和青川恒泰线缆有限公司投资建设的输变电设备项目开工。该项目占地约为60亩，项目总投资1.2亿元。",
            "青川恒泰电气有限公司",
            "60",
            "mu",
            None,
            False,
        ),
        (
            # Partners named one by one after their joint project keep its figures (甲是…。乙是…。该项目…).
            "标题\n青川煤业集团和鼎川物流集团签署协议，共同投资建设煤炭物流园项目。青川煤业集团是省内大型企业。"
            "鼎川物流集团是当地民营企业。据悉，该物流园项目投资15亿元。",
            "青川煤业集团",
            "1500000000",
            "CNY",
            None,
            False,
        ),
        (
            # 公司 means the company the last sentence opened on, not the parent named inside it.
            "标题\n青川光能科技有限公司系鑫拓集团在青川高新区独资兴办的企业。公司的二期项目总投资达2.5亿美元。",
            "青川光能科技有限公司",
            "250000000",
            "USD",
            None,
            False,
        ),
        (
            # Partners joined through where one of them sits (甲公司与位于某开发区的乙), figures of that sentence.
            "标题\n该合资企业由鼎川钢铁集团公司与位于青川开发区的青川恒泰钢材有限公司合作组建，投资额30亿元。",
            "青川恒泰钢材有限公司",
            "3000000000",
            "CNY",
            None,
            False,
        ),
        (
            "标题\n该项目选址青川经济技术开发区，鑫拓光电、恒岳电子和鼎川集团联合投入4亿美元。",
            "鼎川集团",
            "400000000",
            "USD",
            None,
            False,
        ),
        (
            # Money with 元 left out; 投产后 opens a sentence about the project of the company just named.
            "标题\n青川硅材科技股份有限公司的控股股东是鼎川投资咨询有限公司。投产后，预计形成每年30亿的销售额。",
            "青川硅材科技股份有限公司",
            "3000000000",
            "CNY",
            None,
            False,
        ),
        (
            "标题\n青川高新区项目开工。青川鑫拓电器有限公司主营微电机，长期给全球家电巨头沃达、恒岳和鼎川等供货，本年度公司计划投入6000万元。",
            "青川鑫拓电器有限公司",
            "60000000",
            "CNY",
            None,
            False,
        ),
        (
            # A quotation after the sentence that introduces its speaker is the speaker's company's;
            # a scope inside it (全球前十大厂商中) is no subject of its own.
            "标题\n青川高新区企业发展良好。青川鑫拓磁材有限公司总经理林涛介绍，公司产品广受认可。“在新能源汽车领域，全球前十大厂商中，有6家是我们的客户。”",
            "青川鑫拓磁材有限公司",
            "6",
            "count",
            None,
            False,
        ),
        (
            # A quotation closed by 某某说 in a sentence of its own: the company of their post before.
            "标题\n青川高新区企业发展良好。青川鑫拓磁材有限公司总经理林涛介绍了情况。“十年前，我们的产品稀土含量至少12%。”林涛说。",
            "青川鑫拓磁材有限公司",
            "12",
            "percent",
            None,
            False,
        ),
        (
            # Power in 兆瓦 / MW, kept in kW.
            "标题\n青川光能科技有限公司的一期项目300MW已经达产。",
            "青川光能科技有限公司",
            "300000",
            "kW",
            None,
            False,
        ),
        (
            # The total of a list closed by 等 belongs to the zone, not to the last company listed.
            "标题\n青川高新区20个重点项目集中开工。鑫拓电子、恒岳精工、沃达光电等6个外商投资项目，总投资共计8.6亿美元。",
            "青川高新区",
            "860000000",
            "USD",
            None,
            False,
        ),
    ],
)
def test_extract_metrics_credit_the_right_subject(segmenter, text, subject, value, unit, year, growth):
    found = extract(text, segmenter)
    metrics = []
    for x in found:
        label = {ident: e.label for ident, e in x.entities.items()}
        metrics += [(label[m.subject], m.value, m.unit, m.year, m.growth_of is not None) for m in x.metrics]
    assert (subject, Decimal(value), unit, year, growth) in metrics, metrics


@pytest.mark.parametrize(
    "text, value",
    [
        ("标题\n推动5人入选人才计划，占全市总数的42%。", "42"),
        ("标题\n今年苏州全市计划新签约亿元以上产业项目1000个以上。", "1000"),
        ("标题\n某高新区对量子企业首台套产品给予最高500万元奖励。", "5000000"),
        ("标题\n某经开区对固定资产投资1000万元以上的智能网联整车项目，按设备投资额的42%给予补助。", "42"),
        # The clauses after a city's own figure are the city's too, though they name no one.
        (
            "标题\n2024年，青川高新区发展良好。全市地区生产总值达到3840亿元，增长6.1%；规模以上工业增加值增长7.4%。",
            "7.4",
        ),
        ("标题\n青川高新区对年营业收入首次突破10亿元、50亿元的企业，分别给予100万元、300万元奖励。", "1000000000"),
        (
            "标题\n青川高新区企业座谈会召开。“按照新政，我们今年可以拿到300万元的一次性奖励。”青川电气有限公司总经理王明说。",
            "3000000",
        ),
        ("标题\n青川高新区管委会印发《若干措施》，从四个方面推出十二条支持政策。", "12"),
        # A work report naming many zones: figures of a paragraph that names none are the province's.
        (
            "某省政府工作报告\n支持青川经开区、滨江高新区、河口综保区、鹿鸣产业园、石门工业园区提质增效。"
            "\n全年植树造林1250万亩，森林覆盖率达到32.5%。",
            "32.5",
        ),
    ],
)
def test_extract_metrics_not_credited_to_the_park(segmenter, text, value):
    found = extract(text, segmenter)
    assert not [m for x in found for m in x.metrics if m.value == Decimal(value)]


@pytest.mark.parametrize(
    "text, spellings",
    [
        # A sub-park written after its zone and later on its own is one zone, not two.
        (
            "标题\n在青川经开区竹行高端装备产业园，德资企业青川瑞克斯精密传动有限公司的二期厂房正在调试。园区将把外资项目导入竹行高端装备产业园等专业园区。",
            {"青川经开区竹行高端装备产业园", "竹行高端装备产业园"},
        ),
        # A county before a zone's own name, and 开发区 for the 经济技术开发区 the article names.
        ("标题\n萧山区鹿鸣工业园今年新引进企业12家。鹿鸣工业园还将扩建。", {"萧山区鹿鸣工业园", "鹿鸣工业园"}),
        (
            "标题\n镇江经济技术开发区获批储能产业示范园区。另据了解，镇江开发区规划已通过论证。",
            {"镇江经济技术开发区", "镇江开发区"},
        ),
    ],
)
def test_extract_one_zone_under_two_spellings(segmenter, text, spellings):
    found = extract(text, segmenter)
    holders = [
        e for x in found for e in x.entities.values() if e.type == "Park" and spellings & (e.aliases | {e.label})
    ]
    assert len(holders) == 1 and spellings <= holders[0].aliases | {holders[0].label}, holders


@pytest.mark.parametrize(
    "spelling, full", [("萧山区", "萧山区"), ("萧山", "萧山区"), ("涡阳", "涡阳县"), ("英德", "英德市")]
)
def test_extract_county_lexicon_knows_full_and_short_names(spelling, full):
    from kg.lexicon import counties

    assert counties()[spelling] == full


def test_extract_a_place_is_not_a_company_short_name(segmenter):
    found = extract("标题\n去年，原常州电视机厂破产。常州方面表示将妥善安置职工。", segmenter)
    assert "常州电视机厂" in names(found, "Enterprise")
    assert "常州" not in names(found, "Enterprise") | aliases(found, "Enterprise")


def test_extract_a_speaker_named_again_is_the_same_person(segmenter):
    found = extract("标题\n青川鑫拓磁材有限公司总经理林涛介绍了情况。“今年订单增长明显。”林涛说。", segmenter)
    people = [e for x in found for e in x.entities.values() if e.type == "Person"]
    assert [p.label for p in people] == ["林涛"], people


# ---------------------------------------------------------------------------------------
# Every rule a reader sees has words (kg.extract.rules)
# ---------------------------------------------------------------------------------------

_RELATION_RULE = r"(?:hosts|issues|achieves|locatedIn|partOf|holdsPost)\.[a-z][a-z-]*"


def _rules_in_source() -> set[str]:
    """Every relation rule id written as a string in the extractors' source."""
    import ast
    import re
    from pathlib import Path

    import kg.extract

    found = set()
    for path in Path(kg.extract.__file__).parent.glob("*.py"):
        if path.name == "rules.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(_RELATION_RULE, node.value)
            ):
                found.add(node.value)
    return found


def test_extract_every_rule_in_the_source_has_a_reading():
    """A new rule without a row in kg/extract/rules.py fails here."""
    from kg.extract.rules import RULES

    in_source = _rules_in_source()
    assert len(in_source) >= 15  # the scan finds the rules at all
    assert sorted(in_source - set(RULES)) == [], "add these rules to RULES in kg/extract/rules.py"
    assert sorted(set(RULES) - in_source) == [], "RULES names rules no extractor emits any more"


def test_extract_every_rule_the_seed_build_emits_has_a_reading(seed_result):
    from rdflib import Literal

    from kg.extract.rules import RULES
    from kg.ontology import KG

    emitted = {str(rule) for rule in seed_result.graph.objects(None, KG.rule) if isinstance(rule, Literal)}
    assert {"locatedIn.name-prefix", "hosts.article-park"} <= emitted
    assert emitted <= set(RULES)


@pytest.mark.parametrize(
    ("rule", "zh", "why"),
    [
        ("hosts.same-sentence", "句中明言", None),
        ("locatedIn.stated", "句中明言：位于", None),
        ("hosts.article-park", "同篇报道推断", "同篇报道推断：句中未提园区，取本段或全文所写的园区"),
        ("locatedIn.name-prefix", "由名称推断", "由名称推断：园区名以该地名开头"),
        ("hosts.park-named-after", "由名称推断", "由名称推断：园区以该企业命名"),
        ("partOf.name-contains", "由名称推断", "由名称推断：园区名以上级园区名开头"),
        ("partOf.article-rank", "由园区级别推断", "由园区级别推断：本文所写的更高级别园区"),
        ("achieves.article-park", "同篇报道推断", "同篇报道推断：句中无主体，取本文所写的园区"),
    ],
)
def test_extract_rule_readings(rule, zh, why):
    from kg.extract.rules import reading

    known = reading(rule)
    assert known is not None and (known.zh, known.why_zh, known.inferred) == (zh, why, why is not None)
    assert known.en and (known.why_en is None) == (why is None)


def test_extract_rule_readings_name_inferred_rules_are_inferred():
    """Rules that read a link out of a name never claim the sentence stated it."""
    from kg.extract.rules import RULES

    by_name = {rule for rule in RULES if rule.endswith(("name-prefix", "name-contains", "named-after"))}
    assert by_name == {"locatedIn.name-prefix", "partOf.name-contains", "hosts.park-named-after"}
    assert all(RULES[rule].inferred and RULES[rule].why_zh.startswith("由名称推断") for rule in by_name)
    assert all(reading.zh.startswith("句中明言") for reading in RULES.values() if not reading.inferred)
