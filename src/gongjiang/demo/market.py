"""The demo region's marketplace, made the way the region would make it.

Every enterprise fills in its profile; enterprises and schools publish what they offer and need
(jobs, internships, apprenticeship places, order classes, cooperation, R&D and technical
service, training; a school's graduating cohort, training and service offers, R&D capability),
each checked by the city bureau: most are published, a few still wait and one or two are
returned with the reason a real moderator would give. Students apply to jobs and internships,
trained people of the region to apprenticeship places; the enterprises move the applications
on, and some offers are accepted, which records the internship or apprenticeship in the register. A school or two agree to an
enterprise's order class and open the class.

All of it goes through `gongjiang.market.services`, so it is validated and audited like real
data. Titles and descriptions are built from templates and the reference data's occupation and
major names, so that search, facets and recommendations have realistic text to work on; pay is
what the occupation earns in Inner Mongolia (3,000–12,000 CNY a month).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from gongjiang.core.actors import Actor
from gongjiang.core.scope import ActorKind
from gongjiang.demo.register import clerk_of, person_name
from gongjiang.directory.models import Organisation, OrganisationKind, SchoolTier, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.market import services
from gongjiang.market.models import (
    APPLICABLE_KINDS,
    Application,
    ApplicationStatus,
    Notification,
    Posting,
    PostingKind,
    PostingStatus,
)
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts, crosswalk_targets, remembered_lookups
from gongjiang.registry.models import (
    Apprenticeship,
    AssessmentResult,
    Internship,
    MajorOffering,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    SkillAssessment,
    StudyForm,
    TrainingRecord,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Employer:
    """An enterprise of the region with the kind of company it is (a key of `TRADES`) and the
    major categories it hires from."""

    organisation: Organisation
    kind: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Trade:
    """What a kind of company is: its industry (GB/T 4754, a code of the built-in table), the
    occupations it hires, its business in a phrase, its R&D topics and the services it buys."""

    industry: str
    occupations: tuple[str, ...]
    business: str
    research: tuple[str, ...]
    services: tuple[str, ...]
    rural: float = 0.08  # the share of such companies outside the towns


# The built-in industry table is a subset: where the exact class is missing (dairy and food
# manufacturing are C14, not in it) the profile carries the nearest broader code that is.
TRADES: dict[str, Trade] = {
    "装备制造有限公司": Trade(
        "3421", ("6-18-01-01", "6-18-01-07", "6-18-02-04", "6-20-01-01", "6-20-03-01", "6-31-01-03"),
        "主要从事矿山机械、数控机床和大型结构件的设计、制造与售后服务",
        ("数控机床主轴热变形补偿技术研究", "大型结构件焊接变形控制工艺研究"),
        ("老旧数控机床电气系统改造", "关键零部件三坐标精度检测"),
    ),
    "电力工程有限公司": Trade(
        "4910", ("6-31-01-03", "6-29-02-11", "6-18-02-04"),
        "承接输变电工程、配电网建设和电力设施运维，具有电力工程施工总承包资质",
        ("配电网故障快速定位装置研制", "变电站巡检机器人应用研究"),
        ("高压开关柜局部放电检测", "配电房智能化改造方案设计"),
    ),
    "乳业股份有限公司": Trade(
        "C", ("6-31-03-01", "6-31-01-03", "6-31-07-03", "4-02-06-03", "4-01-06-01"),
        "以液态奶、奶粉和奶酪的生产加工为主，自建规模化牧场，产品销往全国",
        ("奶酪生产线自动化包装改造", "原料乳快速检测方法研究"),
        ("灌装设备PLC控制系统维护", "冷链物流温控数据分析"),
        rural=0.5,
    ),
    "汽车服务有限公司": Trade(
        "8111", ("4-12-01-01", "4-12-01-03"),
        "经营汽车销售、维修保养、钣金喷漆和新能源汽车售后服务，是多个品牌的授权服务站",
        ("新能源汽车动力电池故障诊断方法研究",),
        ("新能源汽车高压系统维修技术支持", "维修车间数字化管理系统建设"),
    ),
    "智能科技有限公司": Trade(
        "3491", ("6-31-07-01", "6-31-07-03", "2-02-38-05", "6-31-01-03"),
        "专注工业机器人系统集成、智能产线设计和数字化工厂解决方案",
        ("焊接机器人离线编程与视觉纠偏系统开发", "基于机器视觉的零件缺陷检测研究"),
        ("机器人工作站夹具设计", "产线设备联网与数据采集"),
    ),
    "新能源有限公司": Trade(
        "4415", ("6-31-01-03", "6-29-02-11", "6-24-02-04"),
        "投资建设和运营风电场、光伏电站，装机容量逾百万千瓦",
        ("风电机组齿轮箱故障预警模型研究", "光伏组件积灰清洗机器人研制"),
        ("风机叶片无人机巡检", "升压站二次设备调试"),
        rural=0.4,
    ),
    "农业机械有限公司": Trade(
        "35", ("5-05-05-02", "6-18-02-04", "6-20-01-01", "6-18-01-01"),
        "生产播种机、青贮收获机等农牧业机械，并提供农机维修和配件供应",
        ("青贮收获机喂入装置改进设计", "北斗导航自动驾驶播种机研制"),
        ("农机具焊接件工艺改进", "农机合作社维修技术指导"),
        rural=0.5,
    ),
    "数据科技有限公司": Trade(
        "6531", ("4-04-04-02", "4-04-05-01", "4-04-05-05", "4-12-02-01"),
        "从事数据中心运维、信息系统集成和数据标注服务，服务政务和能源行业客户",
        ("数据中心能耗智能调控系统开发", "蒙汉双语语音数据标注平台建设"),
        ("机房网络安全等级保护整改", "服务器集群运维外包"),
    ),
    "钢结构有限公司": Trade(
        "47", ("6-18-02-04", "6-29-01-04", "4-08-08-23", "6-20-01-01"),
        "承接工业厂房、体育场馆和桥梁钢结构的深化设计、制作与安装",
        ("装配式钢结构节点焊接工艺研究", "BIM在钢结构深化设计中的应用"),
        ("钢结构焊缝无损检测", "厂房钢结构BIM深化设计"),
    ),
    "物流有限公司": Trade(
        "5431", ("4-02-06-03", "4-02-07-08", "4-12-01-01"),
        "提供公路干线运输、仓储配送和供应链管理服务，在自治区内设有多个分拨中心",
        ("仓储分拣自动化改造方案研究",),
        ("仓储管理系统升级", "车队车辆维修保养"),
    ),
    "食品有限公司": Trade(
        "C", ("6-31-03-01", "4-03-02-04", "4-03-02-01", "6-31-01-03"),
        "生产风干牛肉、奶食品和烘焙食品等地方特色食品，拥有现代化生产车间",
        ("风干牛肉低温加工工艺研究", "烘焙产品保质期延长技术研究"),
        ("食品微生物检测", "生产线设备电气维护"),
        rural=0.4,
    ),
    "化工有限公司": Trade(
        "2614", ("6-11-01-03", "6-31-03-01", "6-31-01-03"),
        "以煤为原料生产甲醇、烯烃等化工产品，是地区重点化工企业",
        ("煤制甲醇装置节能降耗工艺优化", "化工装置DCS报警管理优化"),
        ("化验室检测方法验证", "装置仪表校验"),
    ),
    "光伏科技有限公司": Trade(
        "3825", ("6-24-02-04", "6-31-01-03", "6-31-07-03"),
        "生产单晶硅光伏组件和支架，产品供应区内外光伏电站项目",
        ("光伏组件EL缺陷自动识别研究",),
        ("组件层压设备维修", "光伏电站运维技术支持"),
    ),
    "新材料有限公司": Trade(
        "3232", ("6-17-07-04", "6-31-03-01", "6-31-01-03"),
        "从事稀土金属冶炼及稀土永磁材料、抛光材料的研发与生产",
        ("稀土永磁材料晶界扩散工艺研究", "稀土冶炼废水资源化利用研究"),
        ("稀土产品成分化学分析", "冶炼车间自动化控制改造"),
    ),
    "电子有限公司": Trade(
        "39", ("4-12-02-01", "6-31-07-03", "6-23-03-15", "6-31-01-03"),
        "从事电子元器件、智能终端和无人机的组装与检测",
        ("无人机飞控板自动化测试工装开发",),
        ("SMT贴片设备维修", "电子产品可靠性检测"),
    ),
    "建设集团有限公司": Trade(
        "4710", ("6-29-01-01", "6-29-01-04", "4-08-08-23", "6-31-01-03"),
        "具有建筑工程施工总承包一级资质，承建住宅、学校和医院等项目",
        ("严寒地区装配式建筑冬季施工技术研究",),
        ("施工图BIM建模与碰撞检查", "既有建筑节能改造咨询"),
    ),
    "生态股份有限公司": Trade(
        "05", ("5-05-02-01", "2-03-02-00", "4-02-04-06"),
        "从事草原生态修复、乡土草种繁育和矿山复绿，业务遍及自治区各盟市",
        ("乡土草种抗旱品种选育", "无人机飞播种草技术研究"),
        ("退化草原植被监测", "植保无人机作业服务"),
        rural=0.6,
    ),
    "软件有限公司": Trade(
        "6513", ("4-04-05-01", "4-04-04-02", "4-04-05-05", "4-01-06-01"),
        "为政务、教育和医疗行业开发应用软件，提供系统运维与数据服务",
        ("技工院校实训管理平台开发", "蒙古文输入与识别软件研发"),
        ("企业网站与小程序开发", "信息系统安全加固"),
    ),
    "养老服务有限公司": Trade(
        "8514", ("4-10-01-05", "4-10-01-06", "4-03-02-01"),
        "运营养老院和社区居家养老服务中心，提供生活照料、康复护理和助餐服务",
        ("失能老人智能照护设备应用研究",),
        ("护理员技能等级培训", "老年助餐营养配餐指导"),
        rural=0.2,
    ),
    "快递有限公司": Trade(
        "6020", ("4-02-07-08", "4-02-06-03"),
        "提供同城及全国快递、仓配一体化服务，在各旗县设有网点",
        ("农村快递末端共同配送模式研究",),
        ("分拣中心设备维护", "快递网点信息系统运维"),
        rural=0.2,
    ),
    "酒店管理有限公司": Trade(
        "6110", ("4-03-01-01", "4-03-01-02", "4-03-02-01", "4-03-02-04"),
        "经营商务酒店和旅游度假酒店，提供客房、餐饮和会议服务",
        ("蒙餐标准化菜谱与出品流程研究",),
        ("酒店员工服务礼仪培训", "中央厨房设计咨询"),
    ),
    "机械制造有限公司": Trade(
        "342", ("6-18-01-01", "6-18-01-02", "6-18-04-01", "6-18-04-06", "6-20-01-01"),
        "从事精密零部件和工装模具的加工制造，为风电、汽车和矿山企业配套",
        ("风电轴承座精密加工工艺研究", "模具快速换模技术研究"),
        ("复杂零件数控编程与加工", "模具修复与再制造"),
    ),
    "餐饮管理有限公司": Trade(
        "6210", ("4-03-02-01", "4-03-02-04", "4-03-01-01"),
        "经营蒙餐、烧麦和团餐连锁门店，承接学校和企业食堂托管",
        ("烧麦速冻工艺与品质保持研究",),
        ("中央厨房食品安全管理", "门店数字化点餐系统"),
    ),
    "矿业有限公司": Trade(
        "323", ("6-31-01-03", "6-17-07-04", "6-18-02-04", "6-31-03-01"),
        "从事铁矿、稀土矿的开采与选矿，建有智能化选矿厂",
        ("选矿流程智能控制系统研究", "尾矿综合利用技术研究"),
        ("矿山设备状态监测", "选矿化验分析"),
        rural=0.6,
    ),
}  # fmt: skip

# How employers name the job of an occupation; a title always uses one of these, so the title
# and the occupation code agree.
JOB_WORDS: dict[str, tuple[str, ...]] = {
    "6-18-01-01": ("数控车工", "普车工", "车工"),
    "6-18-01-02": ("数控铣工", "铣工"),
    "6-18-01-07": ("加工中心操作工", "数控机床操作工"),
    "6-18-02-04": ("电焊工", "氩弧焊工", "焊工"),
    "6-18-04-01": ("模具工", "模具钳工"),
    "6-18-04-06": ("工具钳工",),
    "6-20-01-01": ("装配钳工", "机械装配工"),
    "6-20-03-01": ("机床装调维修工", "设备维修工"),
    "6-31-01-03": ("维修电工", "电工", "电气维修工"),
    "6-29-02-11": ("电力电缆运维工", "电缆安装工"),
    "6-24-02-04": ("光伏组件制造工", "光伏组件操作工"),
    "6-31-03-01": ("化学检验员", "化验员"),
    "6-31-07-01": ("工业机器人运维员", "机器人运维技术员"),
    "6-31-07-03": ("工业机器人操作员", "机器人操作员"),
    "2-02-38-05": ("智能制造工程技术人员", "智能制造技术员"),
    "4-04-05-05": ("人工智能训练师", "数据标注员"),
    "4-04-05-01": ("软件开发工程师", "程序员"),
    "4-04-04-02": ("网络安全管理员", "网络运维工程师"),
    "4-12-02-01": ("计算机维修工", "电脑维修技术员"),
    "4-12-01-01": ("汽车维修工", "汽修工", "汽车机修工"),
    "4-12-01-03": ("新能源汽车电池维修工", "动力电池维修保养师"),
    "5-05-05-02": ("农机修理工", "农机维修工"),
    "4-02-06-03": ("物流服务师", "仓储物流专员", "物流调度员"),
    "4-02-07-08": ("快递员", "快递收派员"),
    "6-11-01-03": ("化工总控工", "化工操作工"),
    "6-17-07-04": ("稀土冶炼工",),
    "6-29-01-01": ("砌筑工", "瓦工"),
    "6-29-01-04": ("钢筋工",),
    "4-08-08-23": ("BIM建模员", "建筑信息模型技术员"),
    "5-05-02-01": ("农作物植保员", "植保员"),
    "2-03-02-00": ("农业技术员", "农技推广员"),
    "4-02-04-06": ("无人机驾驶员", "植保无人机飞手"),
    "4-10-01-05": ("养老护理员", "护理员"),
    "4-10-01-06": ("家政服务员", "育婴员"),
    "4-03-02-01": ("中式烹调师", "厨师", "炒锅厨师"),
    "4-03-02-04": ("西式面点师", "面点师", "烘焙师"),
    "4-03-01-01": ("前厅服务员", "前台接待"),
    "4-03-01-02": ("客房服务员",),
    "4-01-06-01": ("电商运营专员", "电子商务师", "网店运营"),
    "6-23-03-15": ("无人机装调检修工", "无人机装调工"),
}
# What the job is, in the words of a posting.
DUTIES: dict[str, str] = {
    "6-18-01-01": "按图纸和工艺要求操作数控车床加工轴类、盘类零件，负责程序调试、首件自检和设备日常保养",
    "6-18-01-02": "操作数控铣床加工箱体、模板类零件，能独立编制加工程序并选择刀具和切削参数",
    "6-18-01-07": "操作立式加工中心完成复杂零件的多工序加工，负责装夹找正、程序调用和刀具补偿",
    "6-18-02-04": "从事钢结构件、压力管道的手工电弧焊、二氧化碳气体保护焊和氩弧焊作业，保证焊缝质量",
    "6-18-04-01": "负责冲压模具、注塑模具的装配、试模与维修，能根据制件缺陷调整模具",
    "6-18-04-06": "负责工装夹具和检具的制作、装配与修理，保证精度满足生产要求",
    "6-20-01-01": "按装配工艺完成设备部件和整机的装配、调整与试车，记录装配质量数据",
    "6-20-03-01": "负责数控机床的安装调试、故障诊断与维修，定期开展设备精度检测",
    "6-31-01-03": "负责高低压配电设备、电气控制线路和PLC控制系统的巡检、维护与故障处理",
    "6-29-02-11": "从事电力电缆敷设、中间接头与终端头制作、线路巡视和故障测寻",
    "6-24-02-04": "操作串焊机、层压机等设备生产光伏组件，负责本工序质量自检",
    "6-31-03-01": "按标准方法对原料、中间产品和成品取样并做理化分析，出具检验报告",
    "6-31-07-01": "负责工业机器人工作站的安装调试、程序备份、故障诊断和预防性维护",
    "6-31-07-03": "操作工业机器人完成上下料、焊接、码垛等作业，进行示教编程和日常点检",
    "2-02-38-05": "参与智能产线的规划设计与数字化改造，负责MES系统实施、设备联网和生产数据分析",
    "4-04-05-05": "负责图像、语音和文本数据的采集、清洗与标注，参与训练数据的质量检验",
    "4-04-05-01": "参与业务系统的需求分析、编码实现和测试，维护已上线系统的稳定运行",
    "4-04-04-02": "负责服务器、网络和安全设备的日常运维，开展漏洞扫描与安全加固",
    "4-12-02-01": "负责计算机、打印机等办公设备的安装、维修与保养，处理终端故障",
    "4-12-01-01": "负责车辆维护保养、发动机和底盘故障诊断与维修，规范填写维修工单",
    "4-12-01-03": "负责新能源汽车动力电池及高压系统的检测、维修与保养，严格执行高压作业安全规范",
    "5-05-05-02": "负责拖拉机、收获机、播种机等农牧业机械的维修保养和田间技术服务",
    "4-02-06-03": "负责仓储作业计划、库存管理和配送调度，使用仓储管理系统处理出入库单据",
    "4-02-07-08": "负责片区快件的揽收与派送，按规范扫描录入，维护客户关系",
    "6-11-01-03": "通过DCS系统监控化工装置运行，负责工艺参数调整、现场巡检和开停车操作",
    "6-17-07-04": "从事稀土萃取分离、沉淀灼烧等工序操作，记录工艺数据并处理一般异常",
    "6-29-01-01": "负责砌体砌筑、抹灰等施工作业，按图施工并保证质量和安全",
    "6-29-01-04": "负责钢筋下料、加工和绑扎安装，能看懂结构施工图",
    "4-08-08-23": "使用BIM软件建立建筑、结构和机电模型，完成碰撞检查和工程量统计",
    "5-05-02-01": "负责作物病虫草害的监测调查与防治作业，指导农牧户科学用药",
    "2-03-02-00": "负责种植技术示范推广、田间试验记录和农牧户技术培训",
    "4-02-04-06": "操作植保无人机完成飞防、飞播和巡检作业，负责无人机日常保养",
    "4-10-01-05": "为入住老人提供生活照料、基础护理和康复协助，做好护理记录",
    "4-10-01-06": "为客户家庭提供保洁、烹饪和婴幼儿照护等家政服务",
    "4-03-02-01": "负责热菜烹制、菜品创新和厨房卫生管理，熟悉蒙餐和家常菜制作",
    "4-03-02-04": "负责面包、蛋糕和中式面点的制作与出品，控制产品质量与成本",
    "4-03-01-01": "负责宾客入住登记、退房结账、咨询接待和预订管理",
    "4-03-01-02": "负责客房清扫整理、布草更换和客用品补充，保证客房卫生标准",
    "4-01-06-01": "负责网店日常运营、商品上架、直播带货和销售数据分析",
    "6-23-03-15": "负责无人机整机装配、调试和飞行测试，处理返修机故障",
}
# The monthly pay (CNY) of a 中级工 in the occupation in Inner Mongolia: from, to.
PAY: dict[str, tuple[int, int]] = {
    "6-18-01-01": (5000, 8000), "6-18-01-02": (5000, 8000), "6-18-01-07": (5500, 9000),
    "6-18-02-04": (6000, 10000), "6-18-04-01": (5500, 8500), "6-18-04-06": (5000, 8000),
    "6-20-01-01": (4500, 7000), "6-20-03-01": (5500, 8500), "6-31-01-03": (5000, 8000),
    "6-29-02-11": (6000, 9000), "6-24-02-04": (4500, 6500), "6-31-03-01": (4000, 6000),
    "6-31-07-01": (5500, 9000), "6-31-07-03": (5000, 7500), "2-02-38-05": (7000, 11000),
    "4-04-05-05": (4500, 7000), "4-04-05-01": (6000, 11000), "4-04-04-02": (5500, 9000),
    "4-12-02-01": (4000, 6000), "4-12-01-01": (4500, 8000), "4-12-01-03": (5000, 8000),
    "5-05-05-02": (4000, 6500), "4-02-06-03": (4500, 6500), "4-02-07-08": (5000, 9000),
    "6-11-01-03": (6000, 9500), "6-17-07-04": (6000, 9500), "6-29-01-01": (6000, 9500),
    "6-29-01-04": (6500, 10000), "4-08-08-23": (5000, 8000), "5-05-02-01": (3500, 5500),
    "2-03-02-00": (4500, 7000), "4-02-04-06": (5000, 8000), "4-10-01-05": (3500, 5500),
    "4-10-01-06": (4000, 7000), "4-03-02-01": (4500, 8000), "4-03-02-04": (4000, 6500),
    "4-03-01-01": (3200, 4500), "4-03-01-02": (3000, 4200), "4-01-06-01": (4000, 7000),
    "6-23-03-15": (5000, 8000),
}  # fmt: skip
MIN_PAY, MAX_PAY = 3000, 12000
# Jobs taken without a skill certificate: employers do not ask for a level.
ENTRY_JOBS = frozenset({"4-03-01-01", "4-03-01-02", "4-02-07-08", "4-10-01-06", "4-02-06-03", "4-04-05-05"})
SKILL_LEVELS = ("初级工", "中级工", "高级工", "技师")
SKILL_WEIGHTS = (1, 5, 3, 1)
LEVEL_PAY = {"": 0.95, "初级工": 0.85, "中级工": 1.0, "高级工": 1.2, "技师": 1.45}
CLASS_LEVEL_NAMES = {"intermediate": "中级工班", "senior": "高级工班", "preparatory_technician": "预备技师班"}
# The skill levels a school of each tier trains the public to (002 §6).
TIER_TRAINING_LEVELS = {
    SchoolTier.TECHNICIAN_COLLEGE: ("中级工", "高级工", "技师"),
    SchoolTier.SENIOR_SCHOOL: ("中级工", "高级工"),
    SchoolTier.TECHNICAL_SCHOOL: ("初级工", "中级工"),
}
TRAINING_HOURS = {"初级工": (80, 120), "中级工": (120, 200), "高级工": (160, 300), "技师": (240, 400)}

BENEFITS = (
    "五险一金", "带薪年休假", "节日福利", "年终奖", "技能等级津贴", "免费工作餐", "通勤班车", "冬季取暖补贴",
    "免费体检", "定期调薪", "师傅带教",
)  # fmt: skip
HOUSING = ("包吃住", "提供员工宿舍", "提供住宿和餐补")
HIRING_REASONS = ("因生产规模扩大", "因新生产线投产", "因业务发展需要", "因订单增加", "因新项目开工")
RETURN_FLAWS = (
    ("；限男性", "", "招聘条件中“限男性”属于性别限制，违反《中华人民共和国就业促进法》第二十七条，请删除后重新提交。"),
    ("；入职需缴纳工装押金300元", "", "要求求职者缴纳工装押金属于违规收取费用，请删除该要求后重新提交。"),
    ("", "no_pay", "未写明薪酬待遇，请补充月薪范围和试用期工资后重新提交。"),
)
ROADS = (
    "经济技术开发区腾飞大道", "装备制造产业园区创业路", "高新技术产业开发区科技路", "工业园区经三路", "滨河大街",
    "新华大街", "友谊大街", "建设路", "民族南路", "物流园区通达路",
)  # fmt: skip
AREA_CODES = {"1501": "0471", "1502": "0472", "1504": "0476", "1506": "0477", "1508": "0478"}
CONTACT_TITLES = ("经理", "主管", "女士", "先生", "部长")

SCHOOL_SERVICES: dict[str, tuple[str, str]] = {
    "01": ("数控设备维修与零件试制加工服务",
           "依托数控加工实训中心的数控车床、加工中心等设备，为中小企业提供零件试制和小批量加工、数控设备维修保养及加工工艺改进服务，可派教师团队上门诊断。"),
    "02": ("电气控制系统改造与光伏电站运维服务",
           "依托电气自动化实训中心，提供老旧设备电气控制系统改造、PLC编程调试和分布式光伏电站运维检测服务。"),
    "03": ("网站建设、网络运维与数据标注服务",
           "计算机专业师生团队可承接企业网站和小程序开发、机房网络运维以及图像、语音数据标注业务。"),
    "04": ("汽车及新能源汽车故障诊断服务",
           "依托汽车维修实训中心和新能源汽车检测设备，为维修企业提供疑难故障诊断、技术培训和检测设备共享服务。"),
    "05": ("烹饪、养老护理技术指导与岗前培训服务",
           "为餐饮、养老机构提供菜品研发、标准化操作流程制定和员工岗前培训，可按企业需求定制课程。"),
    "06": ("代理记账与物流方案咨询服务",
           "依托财经商贸专业师资，为小微企业提供代理记账、纳税申报辅导和仓储物流方案咨询。"),
    "07": ("农机维修与农业技术推广服务",
           "组织农机维修教师和学生服务队，在春耕秋收期间深入嘎查村开展农机具检修和种植技术指导。"),
    "08": ("变电设备检修与风电运维技术服务",
           "依托电力实训基地，为企业提供变配电设备预防性试验、继电保护调试和风电机组运维技术支持。"),
    "09": ("化工产品检测与工艺咨询服务",
           "化工分析实训中心具备常规理化检测能力，可为中小化工企业提供原料和产品检测、化验员比对考核服务。"),
    "10": ("冶金试样分析与工艺改进服务", "为冶金企业提供试样化学分析、金相检验和冶炼工艺改进咨询服务。"),
    "11": ("建筑BIM建模与工程测量服务", "建筑专业教师团队可承接施工图BIM建模、碰撞检查和工程测量放线等技术服务。"),
    "13": ("服装制版与平面设计服务", "为服装企业和文创企业提供样板制作、民族服饰设计和包装平面设计服务。"),
}  # fmt: skip
SCHOOL_RESEARCH: dict[str, tuple[str, ...]] = {
    "01": ("精密零件多轴加工工艺攻关", "焊接机器人工艺参数优化"),
    "02": ("PLC控制系统国产化替代", "光伏电站智能运维监测装置研制"),
    "03": ("蒙古文语音数据标注与质检", "中小企业网络安全检测工具开发"),
    "04": ("新能源汽车高压系统故障诊断", "汽车检测设备校准方法"),
    "05": ("蒙餐标准化与营养配餐", "失能老人照护辅具改进"),
    "06": ("县域电商供应链优化", "快递末端配送路径优化"),
    "07": ("农机具改装与节能改进", "节水灌溉智能控制"),
    "08": ("风电机组故障预警", "变电站巡检数据分析"),
    "09": ("化工产品快速检测方法", "化工装置仿真培训系统"),
    "10": ("稀土冶炼工艺改进", "钢铁试样快速分析"),
    "11": ("装配式建筑BIM深化设计", "既有建筑节能改造"),
    "13": ("民族服饰数字化制版", "文创产品包装设计"),
}
OTHER_CATEGORY = "01"

# How often an enterprise publishes each kind (apprenticeship places only with a partner school).
ENTERPRISE_MIX = (
    (PostingKind.JOB, 30), (PostingKind.INTERNSHIP, 16), (PostingKind.APPRENTICESHIP, 8), (PostingKind.ORDER_CLASS, 6),
    (PostingKind.COOPERATION, 8), (PostingKind.RND_PROJECT, 6), (PostingKind.SERVICE_NEED, 8),
    (PostingKind.TRAINING_NEED, 8),
)  # fmt: skip
SCHOOL_OTHERS = (PostingKind.TRAINING_OFFER, PostingKind.SERVICE_OFFER, PostingKind.RND_CAPABILITY)
# The course of an application as the enterprise runs it: the share of applications that end at
# or before each course (cumulative), the rest get an offer.
COURSES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.25, ()),
    (0.43, (ApplicationStatus.VIEWED,)),
    (0.57, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW)),
    (0.72, (ApplicationStatus.VIEWED, ApplicationStatus.REJECTED)),
    (1.01, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER)),
)
WITHDRAWN_SHARE = 0.03
PENDING_SHARE = 0.07  # still waiting for the bureau
POSTINGS_PER_RETURN = 90  # about one in ninety is returned, at least one

# The postings of the years before the platform, recorded by the bureaus from their earlier
# system: jobs, internships and apprenticeship places, so that demand has a history to forecast.
HISTORY_MONTHS = 36
HISTORY_PER_ENTERPRISE_MONTH = 3.2  # with the current postings, about 3,000 at the demo's scale
HISTORY_MIX = ((PostingKind.JOB, 70), (PostingKind.INTERNSHIP, 20), (PostingKind.APPRENTICESHIP, 10))
SIZE_ACTIVITY = {"micro": 0.4, "small": 0.8, "medium": 1.2, "large": 1.6}
# Hiring in the region by month: little around the Spring Festival, the spring and autumn
# recruiting seasons high.
SEASON = (0.55, 0.7, 1.5, 1.35, 1.1, 1.0, 0.85, 0.8, 1.2, 1.15, 0.95, 0.75)
# How a trade's hiring changes in a year (factor): new energy, care and digital grow, mining,
# chemicals and steel shrink, the rest roughly hold.
TRADE_GROWTH = {
    "新能源有限公司": 1.35, "光伏科技有限公司": 1.3, "养老服务有限公司": 1.3, "数据科技有限公司": 1.2,
    "智能科技有限公司": 1.2, "软件有限公司": 1.15, "快递有限公司": 1.1, "汽车服务有限公司": 1.05,
    "矿业有限公司": 0.75, "化工有限公司": 0.85, "钢结构有限公司": 0.9, "建设集团有限公司": 0.85,
    "餐饮管理有限公司": 0.95,
}  # fmt: skip


@dataclass
class MarketCounts:
    """What was made, for the command's summary."""

    profiles: int = 0
    archived: int = 0  # postings of the years before, recorded by the bureaus
    postings: int = 0
    published: int = 0
    pending: int = 0
    returned: int = 0
    applications: int = 0
    accepted: int = 0  # offers accepted
    internships: int = 0  # … of which internships, recorded in the register
    apprenticeships: int = 0  # … and apprenticeship places
    order_classes: int = 0


@dataclass
class _Draft:
    """A posting before it is created: who publishes it, what, and what happens to it."""

    owner: Organisation
    kind: str
    employer: Employer | None = None  # for an enterprise's posting
    major_code: str = ""  # the major an order class is for
    fate: str = "publish"  # publish, pending, or return
    reason: str = ""
    protected: bool = False  # the personas' demo depends on it being published


@dataclass
class _Context:
    """What every posting is built from: today, the catalogue and the register's facts."""

    today: dt.date
    occupation_names: dict[str, str]
    major_names: dict[str, str]
    major_occupations: dict[str, list[str]]
    occupation_majors: dict[str, list[str]]
    occupation_industries: dict[str, list[str]]
    filed: dict[str, list[Organisation]]  # major code → schools that run it
    region_names: dict[str, str]
    partner_school: dict[int, Organisation]  # enterprise → the school of its latest apprenticeship
    sizes: dict[int, str] = field(default_factory=dict)  # enterprise → its profile's size
    clerks: dict[int, Actor] = field(default_factory=dict)
    moderators: dict[str, Actor] = field(default_factory=dict)  # city → its bureau's clerk

    def short_major(self, code: str) -> str:
        return self.major_names[code].split("（")[0]

    def clerk(self, org: Organisation) -> Actor:
        """The organisation's clerk, looked up once (every posting and application needs one)."""
        if org.pk not in self.clerks:
            self.clerks[org.pk] = clerk_of(org)
        return self.clerks[org.pk]


def populate_market(
    *,
    bureau: Actor,
    enterprises: Sequence[Employer],
    schools: Sequence[Organisation],
    student: User | None,
    rng: random.Random,
    progress: Progress | None = None,
    history_months: int = HISTORY_MONTHS,
) -> MarketCounts:
    """Fill the marketplace of a populated region (see the module's docstring). `bureau` moderates
    postings of regions no city bureau oversees; `student` is the learner persona, who gets
    applications the demo can show; `history_months` months of earlier postings come first."""
    context = _context()
    counts = MarketCounts()
    # One transaction around the services' own: the marketplace appears whole or not at all, and
    # SQLite commits once instead of once a write (which was a third of the time).
    with transaction.atomic():
        if progress:
            progress("供需平台：企业档案")
        for employer in enterprises:
            counts.profiles += _profile(context, employer, rng)
        if progress:
            progress("供需平台：人社部门录入往年的招聘信息")
        # Thousands of postings check the same few codes: look each up once.
        with remembered_lookups():
            counts.archived = _history(context, enterprises, bureau, rng, history_months)
        if progress:
            progress("供需平台：企业和院校发布供需信息，人社部门审核")
        drafts = _enterprise_drafts(context, enterprises, rng) + _school_drafts(context, schools, rng)
        _decide_fates(drafts, rng)
        postings = _publish(context, drafts, bureau, rng, counts)
        # Its own random stream, so that every other draw of the region is as it was without it.
        _spread_in_time([posting for _draft, posting in postings], random.Random(context.today.toordinal()))
        if progress:
            progress("供需平台：学生申请，企业录用")
        _applications(context, postings, enterprises, student, rng, counts)
        if student is not None and student.person is not None:
            # The persona agrees to be found, so publishers of postings of their trade see them.
            services.preference_save(
                actor=actor_for_user(student), person=student.person, postings=True, policies=True,
                by_email=False, discoverable=True,
            )  # fmt: skip
        if progress:
            progress("供需平台：院校承接订单班")
        counts.order_classes = _order_classes(context, postings, schools, limit=2 + len(enterprises) // 100)
    return counts


def _context() -> _Context:
    majors = dict(concepts(Scheme.MAJOR).filter(level=2).order_by("code").values_list("code", "name"))
    major_occupations = {code: crosswalk_targets(Scheme.MAJOR_OCCUPATION, code) for code in majors}
    occupation_majors: dict[str, list[str]] = defaultdict(list)
    for major, occupations in major_occupations.items():
        for occupation in occupations:
            occupation_majors[occupation].append(major)
    occupation_names = dict(concepts(Scheme.OCCUPATION).values_list("code", "name"))
    filed: dict[str, list[Organisation]] = defaultdict(list)
    for offering in (
        MajorOffering.objects.filter(status=OfferingStatus.FILED).select_related("school").order_by("school_id", "pk")
    ):
        filed[offering.major_code].append(offering.school)
    partner_school: dict[int, Organisation] = {}
    # The latest apprenticeship's school is the partner an apprenticeship place trains with.
    for record in Apprenticeship.objects.select_related("school").order_by("starts_on", "pk"):
        partner_school[record.enterprise_id] = record.school
    return _Context(
        today=timezone.localdate(),
        occupation_names=occupation_names,
        major_names=majors,
        major_occupations=major_occupations,
        occupation_majors=dict(occupation_majors),
        occupation_industries={code: crosswalk_targets(Scheme.OCCUPATION_INDUSTRY, code) for code in occupation_names},
        filed=dict(filed),
        partner_school=partner_school,
        region_names=dict(concepts(Scheme.REGION).values_list("code", "name")),
    )


# -- profiles -----------------------------------------------------------------------------------


def _place(context: _Context, org: Organisation) -> tuple[str, str]:
    """The city (without 市) and the district of an organisation."""
    city = context.region_names.get(org.region_code[:4] + "00", "")
    return city.removesuffix("市"), context.region_names.get(org.region_code, "")


def _brand(context: _Context, org: Organisation, kind: str) -> str:
    """The enterprise's own name: its full name without the city and the kind of company."""
    city, _district = _place(context, org)
    return org.name.removeprefix(city).removesuffix(kind) or org.name


def _profile(context: _Context, employer: Employer, rng: random.Random) -> int:
    org = employer.organisation
    trade = TRADES[employer.kind]
    grouped = "集团" in employer.kind or "股份" in employer.kind
    size = rng.choices(("micro", "small", "medium", "large"), weights=(0, 15, 50, 35) if grouped else (8, 45, 40, 7))[0]
    context.sizes[org.pk] = size
    low, high = {"micro": (6, 19), "small": (20, 299), "medium": (300, 999), "large": (1000, 6000)}[size]
    staff = rng.randint(low, high)
    skilled = round(staff * rng.uniform(0.35, 0.6))
    integration = rng.random() < {"micro": 0.0, "small": 0.08, "medium": 0.25, "large": 0.6}[size]
    rural = rng.random() < trade.rural
    city, district = _place(context, org)
    founded = rng.randint(1995, 2019)
    description = (
        f"{org.name}成立于{founded}年，位于{city}市{district}，{trade.business}。"
        f"现有员工{staff}人，其中技术工人{skilled}人、高技能人才{max(1, skilled // rng.randint(4, 8))}人。"
    )
    if integration:
        description += f"{rng.randint(2020, context.today.year - 1)}年入选内蒙古自治区产教融合型企业建设培育名单，"
        description += "与区内多所技工院校共建实训基地、开设订单班。"
    elif rng.random() < 0.4:
        description += rng.choice(
            ("公司是自治区级“专精特新”中小企业。", "公司是国家高新技术企业。", "公司长期接收技工院校学生实习。")
        )
    surname = person_name(rng)[0]
    area = AREA_CODES.get(org.region_code[:4], "0471")
    initials = "".join(lazy_pinyin(_brand(context, org, employer.kind), style=Style.FIRST_LETTER))
    services.profile_save(
        actor=context.clerk(org),
        organisation=org,
        expected_version=None,  # the enterprise's first profile
        industry_code=trade.industry,
        size=size,
        is_integration_enterprise=integration,
        is_rural=rural,
        description=description,
        contact_name=f"{surname}{rng.choice(CONTACT_TITLES)}",
        contact_phone=f"{area}-{rng.randint(3000000, 6999999)}"
        if rng.random() < 0.6
        else f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
        contact_email=f"hr@{initials}{org.code[-3:]}.com.cn",
        address=(
            f"{city}市{district}{rng.choice(('现代农牧业产业园', '循环经济产业园', '绿色农畜产品加工园'))}{rng.randint(1, 30)}号"
            if rural
            else f"{city}市{district}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
        ),
    )
    return 1


# -- what enterprises and schools publish -----------------------------------------------------


def _enterprise_drafts(context: _Context, enterprises: Sequence[Employer], rng: random.Random) -> list[_Draft]:
    """Three to eight postings an enterprise, mostly jobs and internships; the first enterprise (the
    `enterprise` persona) always has a job and an internship open."""
    kinds, weights = zip(*ENTERPRISE_MIX, strict=True)
    plans: list[list[str]] = []
    for number, employer in enumerate(enterprises):
        allowed = [
            (k, w)
            for k, w in zip(kinds, weights, strict=True)
            if k != PostingKind.APPRENTICESHIP or employer.organisation.pk in context.partner_school
        ]
        plan: list[str] = [PostingKind.JOB, PostingKind.INTERNSHIP] if number == 0 else [PostingKind.JOB]
        target = rng.randint(3, 8)
        while len(plan) < target:
            plan.append(rng.choices([k for k, _w in allowed], weights=[w for _k, w in allowed])[0])
        plans.append(plan)
    # Every kind appears somewhere, so the demo's filters all have something to show.
    for kind in kinds:
        if not any(kind in plan for plan in plans):
            eligible = [
                n
                for n, e in enumerate(enterprises)
                if kind != PostingKind.APPRENTICESHIP or e.organisation.pk in context.partner_school
            ]
            if eligible:
                plans[rng.choice(eligible)].append(kind)
    return [
        _Draft(owner=employer.organisation, kind=kind, employer=employer, protected=number == 0 and index < 2)
        for number, (employer, plan) in enumerate(zip(enterprises, plans, strict=True))
        for index, kind in enumerate(plan)
    ]


def _school_drafts(context: _Context, schools: Sequence[Organisation], rng: random.Random) -> list[_Draft]:
    """Two to four postings a school: its graduating cohort first, then training, service and R&D offers."""
    drafts: list[_Draft] = []
    for school in schools:
        count = rng.randint(2, 4)
        plan = [PostingKind.TALENT, *rng.sample(SCHOOL_OTHERS, k=min(len(SCHOOL_OTHERS), count - 1))]
        drafts.extend(_Draft(owner=school, kind=kind) for kind in plan)
    return drafts


def _decide_fates(drafts: list[_Draft], rng: random.Random) -> None:
    """A few postings wait for the bureau; about one posting in ninety, always a job, was written
    with a flaw the bureau returns it for (a sex restriction, a fee, no pay)."""
    open_drafts = [d for d in drafts if not d.protected]
    jobs = [d for d in open_drafts if d.kind == PostingKind.JOB]
    for draft in rng.sample(jobs, k=min(len(jobs), max(1, round(len(drafts) / POSTINGS_PER_RETURN)))):
        draft.fate = "return"
    rest = [d for d in open_drafts if d.fate == "publish"]
    for draft in rng.sample(rest, k=min(len(rest), max(2, round(len(drafts) * PENDING_SHARE)))):
        draft.fate = "pending"


def _publish(
    context: _Context, drafts: list[_Draft], bureau: Actor, rng: random.Random, counts: MarketCounts
) -> list[tuple[_Draft, Posting]]:
    """Create each posting as its owner, then let the bureau over its city moderate it."""
    created: list[tuple[_Draft, Posting]] = []
    for draft in drafts:
        flaw = rng.choice(RETURN_FLAWS) if draft.fate == "return" else None
        values = _values(context, draft, rng, flaw[1] if flaw else "")
        if not values:
            continue  # a school with no final-year students has no cohort to offer
        if flaw is not None:
            values["requirements"] += flaw[0]
            draft.reason = flaw[2]
        posting = services.posting_create(
            actor=context.clerk(draft.owner), owner=draft.owner, kind=draft.kind, **values
        )
        counts.postings += 1
        if draft.fate == "pending":
            counts.pending += 1
        else:
            posting = services.posting_moderate(
                actor=_moderator(context, draft.owner, bureau),
                posting=posting,
                publish=draft.fate == "publish",
                reason=draft.reason,
            )
            if draft.fate == "publish":
                counts.published += 1
            else:
                counts.returned += 1
        created.append((draft, posting))
    return created


def _spread_in_time(postings: Sequence[Posting], rng: random.Random) -> None:
    """Date this month's postings over the days of the month so far, as real ones arrive, instead
    of the minute the demo was built: the bureau's queue and a list sorted by date then mean
    something. Published ones stay in this month (earlier months are `_history`'s), and went
    out two to forty-eight hours after they were written; pending ones were written in the last
    three days.
    Written as generated history, not as edits: no one changed these postings."""
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for posting in postings:
        if posting.status == PostingStatus.PENDING:
            written = now - dt.timedelta(days=3) * rng.random()
            Posting.objects.filter(pk=posting.pk).update(created_at=written, updated_at=written)
            continue
        # Any moment of the month so far (on its first day, of the hours so far).
        published = month_start + (now - month_start) * rng.random()
        written = published - dt.timedelta(hours=rng.randint(2, 48))
        changes: dict[str, Any] = {"created_at": written, "updated_at": published}
        if posting.published_at is not None:
            changes["published_at"] = published
        Posting.objects.filter(pk=posting.pk).update(**changes)
        Notification.objects.filter(link=f"/market/postings/{posting.pk}/").update(created_at=published)


def _moderator(context: _Context, owner: Organisation, bureau: Actor) -> Actor:
    """The clerk of the bureau over the owner's city, or `bureau` where no city bureau is."""
    city = owner.region_code[:4] + "00"
    if city not in context.moderators:
        office = Organisation.objects.filter(kind=OrganisationKind.BUREAU, region_code=city).order_by("pk").first()
        context.moderators[city] = context.clerk(office) if office is not None else bureau
    return context.moderators[city]


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _history(context: _Context, enterprises: Sequence[Employer], bureau: Actor, rng: random.Random, months: int) -> int:
    """The jobs, internships and apprenticeship places each enterprise published in the
    `months` months before this one, recorded by its city's bureau: how many a month
    follows the enterprise's size, the recruiting seasons and its trade's growth, each with noise,
    so that the series have what real ones have and the back-tests something to find."""
    first = _month_after(context.today, -months)
    activity = {e.organisation.pk: SIZE_ACTIVITY[context.sizes.get(e.organisation.pk, "small")] for e in enterprises}
    rate = HISTORY_PER_ENTERPRISE_MONTH * len(activity) / max(1.0, sum(activity.values()))
    made = 0
    for employer in enterprises:
        org = employer.organisation
        growth = TRADE_GROWTH.get(employer.kind, 1.0) * rng.uniform(0.9, 1.1)
        kinds = [(k, w) for k, w in HISTORY_MIX if k != PostingKind.APPRENTICESHIP or org.pk in context.partner_school]
        for month in range(months):
            start = _month_after(first, month)
            # Growth compounds towards today, so this month's level is the trade's present one.
            mean = rate * activity[org.pk] * SEASON[start.month - 1] * growth ** ((month - months) / 12)
            for _n in range(_poisson(rng, mean * rng.uniform(0.85, 1.15))):
                day = start + dt.timedelta(days=rng.randint(0, 27))
                kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
                draft = _Draft(owner=org, kind=kind, employer=employer)
                values = _values(replace(context, today=day), draft, rng, "")
                closed = min(values.pop("deadline"), context.today - dt.timedelta(days=1))
                services.posting_archive(
                    actor=_moderator(context, org, bureau), owner=org, kind=kind, published_on=day, closed_on=closed,
                    **values,
                )  # fmt: skip
                made += 1
    return made


def _deadline(context: _Context, rng: random.Random) -> dt.date:
    """Most postings stay open a month or three; some close within the week."""
    days = rng.randint(2, 7) if rng.random() < 0.15 else rng.randint(15, 90)
    return context.today + dt.timedelta(days=days)


def _month_after(day: dt.date, months: int = 1) -> dt.date:
    """The first of the month `months` after `day`'s."""
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def _round(value: float) -> int:
    return int(round(value / 500) * 500)


def _pay(occupation: str, level: str, rng: random.Random) -> tuple[int, int]:
    """The monthly pay range of the occupation at a skill level, varied a little by employer."""
    low, high = PAY[occupation]
    factor = LEVEL_PAY.get(level, 1.0) * rng.uniform(0.92, 1.08)
    pay_min = min(MAX_PAY - 1000, max(MIN_PAY, _round(low * factor)))
    pay_max = min(MAX_PAY, max(pay_min + 1000, _round(high * factor)))
    return pay_min, pay_max


def _values(context: _Context, draft: _Draft, rng: random.Random, flaw: str) -> dict[str, Any]:
    if draft.employer is not None:
        employer = draft.employer
        trade = TRADES[employer.kind]
        occupation = rng.choice(trade.occupations)
        base = {"industry_code": trade.industry, "region_code": draft.owner.region_code}
        build = {
            PostingKind.JOB: _job,
            PostingKind.INTERNSHIP: _internship,
            PostingKind.APPRENTICESHIP: _apprenticeship,
            PostingKind.ORDER_CLASS: _order_class,
            PostingKind.COOPERATION: _cooperation,
            PostingKind.RND_PROJECT: _research_need,
            PostingKind.SERVICE_NEED: _service_need,
            PostingKind.TRAINING_NEED: _training_need,
        }[PostingKind(draft.kind)]
        return base | build(context, draft, occupation, rng, flaw)
    school_build = {
        PostingKind.TALENT: _talent,
        PostingKind.TRAINING_OFFER: _training_offer,
        PostingKind.SERVICE_OFFER: _service_offer,
        PostingKind.RND_CAPABILITY: _research_offer,
    }[PostingKind(draft.kind)]
    values = school_build(context, draft.owner, rng)
    return {"region_code": draft.owner.region_code} | values if values else {}


def _headcount(context: _Context, org: Organisation, rng: random.Random) -> int:
    low, high = {"micro": (1, 2), "small": (1, 5), "medium": (2, 10), "large": (5, 20)}[
        context.sizes.get(org.pk, "small")
    ]
    return rng.randint(low, high)


def _benefits(rng: random.Random, housing: bool) -> list[str]:
    chosen = ["五险一金", *rng.sample([b for b in BENEFITS if b != "五险一金"], k=rng.randint(2, 4))]
    if housing:
        chosen.insert(1, rng.choice(HOUSING))
    return chosen


def _job(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    org = draft.owner
    word = rng.choice(JOB_WORDS[occupation])
    if occupation in ENTRY_JOBS:
        level = rng.choice(("", "", "初级工"))
    else:
        level = rng.choices(SKILL_LEVELS, weights=SKILL_WEIGHTS)[0]
    count = _headcount(context, org, rng)
    pay_min, pay_max = _pay(occupation, level, rng)
    # Factories and sites house their workers; shops and offices in town seldom do.
    benefits = _benefits(rng, housing=occupation.startswith(("6-", "5-")) and rng.random() < 0.7)
    asks = f"要求{level}以上" if level else "无经验可培训上岗"
    pay = "" if flaw == "no_pay" else f"，月薪{pay_min}-{pay_max}元"
    city, district = _place(context, org)
    title = rng.choice(
        (
            f"招聘{word}{count}名",
            f"急招{word}{count}人",
            f"诚聘{word}{count}名（{asks}）",
            f"{_brand(context, org, draft.employer.kind if draft.employer else '')}招聘{word}{count}名",
        )
    )
    description = (
        f"{rng.choice(HIRING_REASONS)}，现招聘{word}{count}名，{asks}{pay}，{'，'.join(benefits)}。"
        f"岗位职责：{DUTIES[occupation]}。工作地点：{city}市{district}。"
    )
    requirements = [
        f"持有{context.occupation_names[occupation]}{level}及以上职业技能等级证书" if level else "身体健康，能吃苦耐劳",
        rng.choice(("1年以上相关岗位工作经验", "2年以上相关岗位工作经验", "技工院校相关专业应届毕业生亦可"))
        if level
        else rng.choice(("有相关工作经验者优先", "技工院校相关专业毕业生优先")),
        rng.choice(("年龄18-45周岁", "年龄18-50周岁", "服从工作安排")),
    ]
    if occupation.startswith("6-") and rng.random() < 0.5:
        requirements.append("能适应倒班")
    return {
        "title": title,
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": None if flaw == "no_pay" else pay_min,
        "pay_max": None if flaw == "no_pay" else pay_max,
        "requirements": "；".join(requirements),
        "benefits": "、".join(benefits),
        "deadline": _deadline(context, rng),
    }


def _majors_for(context: _Context, occupation: str) -> list[str]:
    return context.occupation_majors.get(occupation, [])


def _internship(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    word = rng.choice(JOB_WORDS[occupation])
    majors = [context.short_major(m) for m in _majors_for(context, occupation)] or [word]
    count = rng.randint(3, 12) if context.sizes.get(draft.owner.pk) in ("micro", "small") else rng.randint(6, 30)
    deadline = _deadline(context, rng)
    starts = _month_after(deadline)
    months = rng.choice((3, 6, 6))
    allowance = rng.choice((3000, 3000, 3200, 3500))
    lodging = rng.choice(("免费提供宿舍和工作餐", "提供宿舍，每天餐补20元", "安排住宿"))
    title = rng.choice(
        (
            f"{starts.year}年{word}岗位实习生{count}名",
            f"接收{majors[0]}专业实习生{count}名（{word}岗位）",
            f"{word}岗位实习（{count}人，{months}个月）",
        )
    )
    description = (
        f"面向技工院校{'、'.join(majors[:2])}等相关专业在校生，提供{word}岗位实习{months}个月。"
        f"岗位内容：{DUTIES[occupation]}。企业指派技术骨干一对一带教，按规定购买实习责任保险，不收取任何费用；"
        f"实习期间每月发放实习补贴{allowance}-{allowance + 1000}元，{lodging}。实习表现优秀者毕业后可直接留用。"
    )
    return {
        "title": title,
        "description": description,
        "occupation_code": occupation,
        "level": rng.choice(("中级工班", "高级工班")),
        "headcount": count,
        "pay_min": allowance,
        "pay_max": allowance + 1000,
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "技工院校在校生，持学校推荐函；遵守企业安全生产规定；身体健康",
        "benefits": f"实习补贴、实习责任保险、{lodging}",
        "deadline": deadline,
    }


def _apprenticeship(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    school = context.partner_school[draft.owner.pk]
    word = rng.choice(JOB_WORDS[occupation])
    level = rng.choice(("中级工", "中级工", "高级工"))
    count = rng.randint(5, 20)
    months = rng.choice((12, 18, 24))
    pay_min, pay_max = _pay(occupation, "初级工", rng)
    deadline = _deadline(context, rng)
    starts = _month_after(deadline)
    name = context.occupation_names[occupation]
    description = (
        f"按企业新型学徒制，与{school.name}联合培养{word}学徒{count}名，培养期{months}个月。"
        f"采取“企校双师带徒、工学交替”方式，企业导师负责岗位技能传授，学校教师负责理论教学；"
        f"期满参加{name}（{level}）职业技能等级认定。学徒与企业签订劳动合同，学徒期工资{pay_min}-{pay_max}元/月，"
        f"培训费用由企业承担并按规定申请补贴。"
    )
    return {
        "title": rng.choice((f"企业新型学徒制{word}学徒{count}名", f"招收{word}学徒{count}名（企校双师带徒）")),
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": pay_min,
        "pay_max": pay_max,
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "新招用或转岗员工，年满16周岁；初中及以上学历；愿意在本企业长期工作",
        "benefits": "五险一金、学徒津贴、取证奖励、培训期间带薪",
        "deadline": deadline,
    }


def _order_class(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    """An order class for a major a school of the region runs, if one fits the enterprise."""
    assert draft.employer is not None
    trade = TRADES[draft.employer.kind]
    fitting = sorted({m for o in trade.occupations for m in _majors_for(context, o)})
    # A major of the enterprise's own trades (a dairy's electricians are not a wind-farm class),
    # and one a school of the region runs, so that a school can take the class up.
    own = [m for m in fitting if m[:2] in draft.employer.categories] or fitting
    filed = [m for m in own if m in context.filed]
    major = rng.choice(filed or own)
    occupation = next(o for o in context.major_occupations[major] if o in trade.occupations)
    draft.major_code = major
    short = context.short_major(major)
    brand = _brand(context, draft.owner, draft.employer.kind)
    count = rng.choice((30, 35, 40, 45, 50))
    level = rng.choice(("中级工班", "高级工班"))
    pay_min, pay_max = _pay(occupation, "中级工", rng)
    intake = context.today.year if context.today.month < 9 else context.today.year + 1
    word = rng.choice(JOB_WORDS.get(occupation, (context.occupation_names[occupation],)))
    description = (
        f"为储备{word}等岗位技能人才，拟与技工院校合作开设{short}专业订单班（{level}），计划招收{count}人，学制3年。"
        f"企业参与制定人才培养方案，派技术骨干担任兼职教师，提供实训设备和岗位实习；在校期间设立企业奖学金，"
        f"毕业考核合格并取得{context.occupation_names[occupation]}职业技能等级证书者全部录用，入职起薪{pay_min}元/月以上。"
    )
    return {
        "title": rng.choice(
            (f"{brand}{short}订单班合作院校征集（{count}人）", f"面向技工院校共建“{brand}班”（{short}专业{count}人）")
        ),
        "description": description,
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "pay_min": pay_min,
        "pay_max": pay_max,
        "starts_on": dt.date(intake, 9, 1),
        "ends_on": dt.date(intake + 3, 6, 30),
        "requirements": f"已备案{short}专业的技工院校；具备相应实训条件；同意按企业用人标准共同组织考核",
        "benefits": "企业奖学金、实训设备支持、毕业生定向录用",
        "deadline": _deadline(context, rng),
    }


def _cooperation(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    trade = TRADES[draft.employer.kind]
    word = rng.choice(JOB_WORDS[occupation])
    name = context.occupation_names[occupation]
    master = person_name(rng)
    stations = rng.randint(10, 40)
    title, description = rng.choice(
        (
            (
                f"共建{word}校外实训基地",
                f"拟与技工院校共建{word}校外实训基地，企业提供生产车间和实训工位{stations}个，年接收学生跟岗实习、"
                f"岗位实习{stations * 3}人次；双方共同开发一体化课程，互派教师和技术骨干交流。",
            ),
            (
                f"引企驻校：共建{name}生产性实训车间",
                f"企业将部分生产线引入学校，按“车间即教室”建设生产性实训基地，企业承担设备投入和技术指导，"
                f"学校提供场地并组织学生参与真实生产，每年培养{name}{stations}名。",
            ),
            (
                f"合作建设{name}技能大师工作室",
                f"企业高级技师{master}拟与技工院校合作建设技能大师工作室，开展{word}技艺传承、带徒传技和技术攻关，"
                f"每年培养高技能人才{rng.randint(5, 15)}名。",
            ),
        )
    )
    starts = _month_after(context.today, 2)
    return {
        "title": title,
        "description": description + f"企业{trade.business}。",
        "occupation_code": occupation,
        "starts_on": starts,
        "ends_on": dt.date(starts.year + rng.choice((2, 3)), starts.month, 1) - dt.timedelta(days=1),
        "requirements": "开设相关专业的技工院校；有一体化教学团队；合作期不少于2年",
        "deadline": _deadline(context, rng),
    }


def _research_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    topic = rng.choice(TRADES[draft.employer.kind].research)
    months = rng.choice((6, 9, 12, 18))
    starts = _month_after(context.today, 2)
    return {
        "title": rng.choice((topic, f"寻求合作：{topic}")),
        "description": (
            f"企业拟开展“{topic}”项目，周期{months}个月，预算{rng.randint(5, 80)}万元，"
            f"寻求技工院校技能大师工作室或科研院所合作，共同完成方案设计、样机试制和现场验证，成果双方共享。"
        ),
        "starts_on": starts,
        "ends_on": _month_after(starts, months) - dt.timedelta(days=1),
        "requirements": "具备相关研发团队和试验条件；有同类项目经验者优先",
        "deadline": _deadline(context, rng),
    }


def _service_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    assert draft.employer is not None
    topic = rng.choice(TRADES[draft.employer.kind].services)
    days = rng.choice((10, 15, 20, 30))
    starts = context.today + dt.timedelta(days=rng.randint(20, 40))
    return {
        "title": f"寻求{topic}技术服务",
        "description": (
            f"因生产需要，现寻求{topic}服务，要求{days}个工作日内完成，提供书面报告并对我方人员做现场讲解，"
            f"服务费用面议。欢迎具备条件的技工院校和服务机构联系。"
        ),
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=days * 7 // 5),
        "requirements": "具备相应技术能力和设备；能到现场服务",
        "deadline": _deadline(context, rng),
    }


def _training_need(context: _Context, draft: _Draft, occupation: str, rng: random.Random, flaw: str) -> dict[str, Any]:
    name = context.occupation_names[occupation]
    level = "中级工" if occupation in ENTRY_JOBS else rng.choice(("中级工", "高级工", "高级工", "技师"))
    count = rng.randint(20, 60)
    hours = rng.randint(*TRAINING_HOURS[level]) // 8 * 8
    starts = _month_after(context.today, 1)
    return {
        "title": f"委托培训：{count}名员工{name}（{level}）技能提升培训",
        "description": (
            f"企业现有{rng.choice(JOB_WORDS[occupation])}岗位员工{count}名，拟委托技工院校开展{name}{level}岗位技能提升培训，"
            f"共{hours}学时，利用周末和业余时间在企业内集中授课和实操训练；培训合格后参加职业技能等级认定，"
            f"按规定申请职业技能提升补贴。"
        ),
        "occupation_code": occupation,
        "level": level,
        "headcount": count,
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=math.ceil(hours / 16) * 7),
        "requirements": f"具备{name}{level}培训和评价条件的技工院校或培训机构",
        "deadline": _deadline(context, rng),
    }


def _school_majors(school: Organisation) -> list[MajorOffering]:
    return list(school.major_offerings.filter(status=OfferingStatus.FILED).order_by("major_code"))


def _talent(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    """The school's largest graduating major: its size, sexes and certificates from the register."""
    year = context.today.year if context.today.month < 7 else context.today.year + 1
    rows = Registration.objects.filter(
        school=school, status=RegistrationStatus.ENROLLED, form=StudyForm.FULL_TIME
    ).values_list(
        "person_id", "person__sex", "school_class__cohort_year", "school_class__planned_years",
        "school_class__offering__major_code", "school_class__class_level",
    )  # fmt: skip
    # (person, sex) of each finishing student, by major and class level.
    by_major: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for person_id, sex, cohort_year, planned_years, major_code, level_code in rows:
        if cohort_year + math.ceil(planned_years) == year:
            by_major[major_code, level_code].append((person_id, sex))
    if not by_major:
        return {}
    (major, class_level), cohort = max(by_major.items(), key=lambda item: (len(item[1]), item[0]))
    men = sum(1 for _person, sex in cohort if sex == "M")
    certified = (
        SkillAssessment.objects.filter(
            person_id__in=[person for person, _sex in cohort], result=AssessmentResult.PASSED
        )
        .values("person")
        .distinct()
        .count()
    )
    occupations = context.major_occupations.get(major) or [""]
    occupation = occupations[0]
    short, level = context.short_major(major), CLASS_LEVEL_NAMES[class_level]
    skill = f"，已取得{context.occupation_names[occupation]}等职业技能等级证书{certified}人" if occupation else ""
    return {
        "title": f"{year}届{short}专业毕业生{len(cohort)}人",
        "description": (
            f"我校{year}届{context.major_names[major]}专业（{level}）毕业生共{len(cohort)}人，"
            f"其中男生{men}人、女生{len(cohort) - men}人{skill}。学生在校期间完成一体化课程学习和岗位实习，"
            f"{year}年7月起可到岗。欢迎用人单位来校举办专场招聘会或预约校园宣讲，学校负责组织推荐。"
        ),
        "occupation_code": occupation,
        "industry_code": next(iter(context.occupation_industries.get(occupation, [])), ""),
        "level": level,
        "headcount": len(cohort),
        "starts_on": dt.date(year, 7, 1),
        "requirements": "用人单位须依法签订劳动合同、缴纳社会保险，不得收取任何费用",
        "deadline": _deadline(context, rng),
    }


def _training_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    offerings = _school_majors(school)
    choices = [(o, occ) for o in offerings for occ in context.major_occupations.get(o.major_code, [])]
    if not choices:
        return {}
    offering, occupation = rng.choice(choices)
    level = rng.choice(TIER_TRAINING_LEVELS.get(SchoolTier(school.tier), ("中级工",)))
    name = context.occupation_names[occupation]
    hours = rng.randint(*TRAINING_HOURS[level]) // 8 * 8
    count = rng.choice((30, 40, 50))
    starts = _month_after(context.today, rng.choice((1, 2)))
    return {
        "title": rng.choice(
            (f"{name}（{level}）职业技能等级认定培训招生", f"面向企业职工开展{name}{level}岗位技能提升培训")
        ),
        "description": (
            f"本校依托{context.short_major(offering.major_code)}专业实训中心，面向企业在岗职工和社会人员开展{name}{level}培训，"
            f"共{hours}学时，理论与实操一体化教学，每期{count}人，也可送教到企业。培训结束后组织职业技能等级认定，"
            f"符合条件的学员可申请职业技能提升补贴。"
        ),
        "occupation_code": occupation,
        "industry_code": next(iter(context.occupation_industries.get(occupation, [])), ""),
        "level": level,
        "headcount": count,
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=math.ceil(hours / 30) * 7),
        "requirements": "年满16周岁，从事或准备从事相关工作",
        "benefits": "培训合格可参加职业技能等级认定；符合条件者享受培训补贴",
        "deadline": _deadline(context, rng),
    }


def _categories(school: Organisation) -> list[str]:
    return sorted({o.major_code[:2] for o in _school_majors(school)}) or [OTHER_CATEGORY]


def _service_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    category = rng.choice(_categories(school))
    title, description = SCHOOL_SERVICES.get(category, SCHOOL_SERVICES[OTHER_CATEGORY])
    return {
        "title": title,
        "description": description + f"本学年可承接项目{rng.randint(5, 20)}项，收费标准面议，校企合作单位优先。",
        "requirements": "提出需求后一周内安排教师对接",
        "deadline": _deadline(context, rng),
    }


def _research_offer(context: _Context, school: Organisation, rng: random.Random) -> dict[str, Any]:
    category = rng.choice(_categories(school))
    topic = rng.choice(SCHOOL_RESEARCH.get(category, SCHOOL_RESEARCH[OTHER_CATEGORY]))
    master = person_name(rng)
    return {
        "title": f"{master}技能大师工作室：{topic}",
        "description": (
            f"依托{master}技能大师工作室（高技能人才{rng.randint(3, 9)}名、一体化教师{rng.randint(6, 20)}名），"
            f"具备{topic}方面的研发和试制能力，近三年完成企业委托项目{rng.randint(3, 15)}项、"
            f"获实用新型专利{rng.randint(1, 8)}项。欢迎企业提出技术难题，开展联合攻关、成果转化和技术咨询。"
        ),
        "requirements": "合作方式可为委托研发、联合攻关或共建研发中心",
        "deadline": _deadline(context, rng),
    }


# -- applications -------------------------------------------------------------------------------


@dataclass
class _Pool:
    """People who may apply, by major category and city, in a fixed order."""

    by_city: defaultdict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    by_category: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, person_id: int, category: str, city: str) -> None:
        self.by_city[category, city].append(person_id)
        self.by_category[category].append(person_id)

    def pick(self, rng: random.Random, categories: Sequence[str], city: str) -> int | None:
        """Someone of one of the categories, from the same city seven times in ten."""
        available = [c for c in categories if self.by_category.get(c)]
        if not available:
            return None
        category = rng.choice(available)
        near = self.by_city.get((category, city))
        return rng.choice(near if near and rng.random() < 0.7 else self.by_category[category])


def _pools(context: _Context, exclude: set[int]) -> dict[str, _Pool]:
    """Who applies to what: second- and final-year students without an internship yet to
    internships; final-year students and the last two years' graduates to jobs; people of the
    region who took a training course and are nobody's student to apprenticeship places (an
    apprentice is a new employee, 002 §15), by the trade of the course."""
    interned = set(Internship.objects.values_list("registration__person_id", flat=True))
    interns, seekers, workers = _Pool(), _Pool(), _Pool()
    this_year = context.today.year if context.today.month < 7 else context.today.year + 1
    rows = (
        Registration.objects.filter(
            form=StudyForm.FULL_TIME, status__in=(RegistrationStatus.ENROLLED, RegistrationStatus.GRADUATED)
        )
        # School by school, each in its own order: the same whatever the number of processes that
        # made the schools (`demo.parallel`), whose ids interleave.
        .order_by("school_id", "pk")
        .values_list(
            "person_id", "status", "school__region_code", "school_class__offering__major_code",
            "school_class__cohort_year", "school_class__planned_years",
        )
    )  # fmt: skip
    for person_id, status, region, major, cohort, years in rows:
        if person_id in exclude:
            continue
        leaves = cohort + math.ceil(years)
        category, city = major[:2], region[:4]
        if status == RegistrationStatus.GRADUATED:
            if leaves >= this_year - 2:
                seekers.add(person_id, category, city)
        elif leaves == this_year:
            seekers.add(person_id, category, city)
            if person_id not in interned:
                interns.add(person_id, category, city)
        elif leaves == this_year + 1 and person_id not in interned:
            interns.add(person_id, category, city)
    trained = (
        TrainingRecord.objects.filter(person__registrations__isnull=True)
        .order_by("programme__provider_id", "programme__starts_on", "programme__name", "pk")
        .values_list("person_id", "programme__occupation_code", "programme__provider__region_code")
    )
    seen: set[int] = set()
    for person_id, occupation, region in trained:
        if person_id in seen or person_id in exclude:
            continue
        seen.add(person_id)
        for category in sorted({m[:2] for m in _majors_for(context, occupation)}):
            workers.add(person_id, category, region[:4])
    return {
        PostingKind.INTERNSHIP: interns,
        PostingKind.JOB: seekers,
        PostingKind.APPRENTICESHIP: workers,
    }


def _learner(person_id: int, users: dict[int, User]) -> Actor:
    """The applicant as an actor: through their account when they have one, else as the learner
    the person is (most students have no account on the platform yet)."""
    user = users.get(person_id)
    if user is not None:
        return actor_for_user(user)
    return Actor(kind=ActorKind.LEARNER, username=f"person:{person_id}", person_id=person_id)


def _applications(
    context: _Context,
    postings: list[tuple[_Draft, Posting]],
    enterprises: Sequence[Employer],
    student: User | None,
    rng: random.Random,
    counts: MarketCounts,
) -> None:
    """Learners apply to published jobs, internships and apprenticeship places (who applies to
    what: `_pools`), near home seven times in ten; the enterprise moves each on (viewed, interview, offer or not selected); some offers are accepted, which
    records the internship or apprenticeship. The learner persona has applications in view:
    an offer from the `enterprise` persona's internship to accept, and one at interview."""
    persona = student.person_id if student is not None else None
    users = {u.person_id: u for u in User.objects.filter(person__isnull=False).order_by("pk") if u.person_id}
    pools = _pools(context, exclude={persona} if persona else set())
    applicable = [
        (draft, posting)
        for draft, posting in postings
        if posting.status == PostingStatus.PUBLISHED and posting.kind in APPLICABLE_KINDS
    ]
    placed: set[int] = set()  # people who accepted an offer: they decline any other
    if persona is not None:
        _persona_applies(context, applicable, enterprises, persona, users, counts)
    for draft, posting in applicable:
        assert draft.employer is not None
        pool = pools[posting.kind]
        categories = sorted({m[:2] for m in _majors_for(context, posting.occupation_code)}) or list(
            draft.employer.categories
        )
        wanted = rng.randint(3, 8) if draft.protected else rng.choice((0, 1, 2, 3, 4, 5, 6, 8))
        applicants: list[int] = []
        for _ in range(wanted * 2):  # a draw may repeat someone
            person_id = pool.pick(rng, categories, posting.region_code[:4])
            if person_id is not None and person_id not in applicants:
                applicants.append(person_id)
            if len(applicants) == wanted:
                break
        owner = context.clerk(posting.owner)
        for person_id in applicants:
            learner = _learner(person_id, users)
            application = services.application_submit(
                actor=learner, posting=posting, message=rng.choice(("", "", "本人对该岗位很感兴趣，望给予面试机会。"))
            )
            counts.applications += 1
            _move_on(owner, learner, application, person_id in placed, rng, counts)
            if application.status == ApplicationStatus.ACCEPTED:
                placed.add(person_id)


def _move_on(
    owner: Actor, learner: Actor, application: Application, placed: bool, rng: random.Random, counts: MarketCounts
) -> None:
    """One application's course: the steps an enterprise takes, then the learner's answer."""
    roll = rng.random()
    if roll < WITHDRAWN_SHARE:
        services.application_withdraw(actor=learner, application=application)
        return
    steps = next(steps for share, steps in COURSES if roll < share)
    for step in steps:
        services.application_advance(actor=owner, application=application, to=step)
    if application.status != ApplicationStatus.OFFER:
        return
    answer = rng.random()
    if answer < 0.3:
        return  # still thinking it over
    accept = not placed and answer < 0.8
    services.application_respond(actor=learner, application=application, accept=accept)
    if accept:
        counts.accepted += 1
        if application.posting.kind == PostingKind.INTERNSHIP:
            counts.internships += 1
        elif application.posting.kind == PostingKind.APPRENTICESHIP:
            counts.apprenticeships += 1


def _persona_applies(
    context: _Context,
    applicable: list[tuple[_Draft, Posting]],
    enterprises: Sequence[Employer],
    persona: int,
    users: dict[int, User],
    counts: MarketCounts,
) -> None:
    """The student persona applied to the `enterprise` persona's internship (now an offer to
    accept or decline) and to another internship of their trade (invited to interview)."""
    registration = (
        Registration.objects.filter(person_id=persona, is_active=True)
        .select_related("school_class__offering")
        .order_by("-enrolled_on")
        .first()
    )
    if registration is None or not enterprises:
        return
    major = registration.school_class.offering.major_code
    category = major[:2]
    first = enterprises[0].organisation
    internships = [p for d, p in applicable if p.kind == PostingKind.INTERNSHIP]
    theirs = [p for p in internships if p.owner_id == first.pk]
    other = [
        p
        for d, p in applicable
        if p.kind == PostingKind.INTERNSHIP
        and p.owner_id != first.pk
        and d.employer
        and category in d.employer.categories
    ]
    learner = _learner(persona, users)
    for posting, steps in (
        (
            theirs[0] if theirs else None,
            (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER),
        ),
        (other[0] if other else None, (ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW)),
    ):
        if posting is None:
            continue
        application = services.application_submit(
            actor=learner,
            posting=posting,
            message=f"我是{context.short_major(major)}专业在校生，希望到贵公司实习，谢谢！",
        )
        counts.applications += 1
        owner = context.clerk(posting.owner)
        for step in steps:
            services.application_advance(actor=owner, application=application, to=step)


# -- order classes --------------------------------------------------------------------------------


def _order_classes(
    context: _Context, postings: list[tuple[_Draft, Posting]], schools: Sequence[Organisation], limit: int
) -> int:
    """A school that runs the major agrees to an enterprise's published order class and opens the
    class for next autumn's intake; the `school` persona's school first when it runs the major."""
    made = 0
    intake = context.today.year if context.today.month < 9 else context.today.year + 1
    order = {school.pk: n for n, school in enumerate(schools)}
    used: set[int] = set()
    for draft, posting in postings:
        if made >= limit:
            break
        if posting.kind != PostingKind.ORDER_CLASS or posting.status != PostingStatus.PUBLISHED:
            continue
        candidates = sorted(
            (s for s in context.filed.get(draft.major_code, []) if s.pk not in used),
            key=lambda s: (order.get(s.pk, len(order)), s.region_code[:4] != posting.region_code[:4], s.pk),
        )
        if not candidates or draft.employer is None:
            continue
        school = candidates[0]
        offering = MajorOffering.objects.get(school=school, major_code=draft.major_code)
        wanted = next((k for k, v in CLASS_LEVEL_NAMES.items() if v == posting.level), "")
        level = wanted if wanted in offering.class_levels else offering.class_levels[0]
        services.order_class_agree(
            actor=context.clerk(school),
            posting=posting,
            school=school,
            major_code=draft.major_code,
            name=f"{intake}级{_brand(context, posting.owner, draft.employer.kind)}{context.short_major(draft.major_code)}订单班",
            class_level=level,
            cohort_year=intake,
            planned_years=3,
        )
        used.add(school.pk)
        made += 1
    return made
