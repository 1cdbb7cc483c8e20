"""Coding a job title to an occupation of the 职业分类大典 2022 (the OCCUPATION scheme).

A posting's title is noisy: a city in brackets, pay, 急招, 包吃住, full-width or traditional
characters, English words. The coder first cleans it (`TitleCleaner`), then scores every
concept of the table, at any level, and returns the best with a confidence and the evidence.

A concept's labels are its name, its aliases and the everyday words of `job_title_words.txt`
(rule words). Its score for a title is the best of:

- a label equal to the cleaned title (certain);
- a label contained in the title as whole words (the larger its share of the title, and at the
  end of the title where a Chinese job noun sits, the better);
- the nearest label by character 1–3-gram TF-IDF cosine;

rule words counting a little less than the table's own names and aliases (a title ending in a
rank word, 仓库主管, is also scored without it, a little lower); plus a little for
words shared with the 大典 definition and tasks (and with the description when there is one);
times a boost when the title's head noun (…工程师, …司机, …销售) points to the concept's class;
a major group or middle class (levels 1–2) is discounted, so that a close occupation or small
class wins over it.
Before the table decides, the written labelling rules (`labelling_rules.txt`, from LABELLING.md:
generic sales to 营销员, managers by the work managed, teachers by school level, office clerks to
秘书, NONE for what is not a job …) are tried on each part of the title; the first that matches
gives the code, and the table's own answer stays in the evidence.

The confidence is a probability that the code is exactly right, learnt from labelled titles
(`occupation_calibration.json`, a logistic model over how the answer was reached, built by
`scripts/build_occupation_calibration.py` from the development split of the labelled titles);
without that file it is the table score times its margin over the best other code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import jieba
import zhconv  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from gongjiang.refdata.models import Scheme

RULES_FILE = Path(__file__).with_name("job_title_words.txt")
LABELLING_RULES_FILE = Path(__file__).with_name("labelling_rules.txt")
CALIBRATION_FILE = Path(__file__).with_name("occupation_calibration.json")
# Longer input is cut before any work is done on it: no job title is this long, and a
# description beyond this says nothing more about the occupation.
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 5000
NOT_A_JOB = "NONE"

# ---------------------------------------------------------------------------------------------
# Cleaning the title

BRACKETS = re.compile(r"[(\[{【〔［「『<《]([^()\[\]{}【】〔〕［］「」『』<>《》]*)[)\]}】〕］」』>》]")
# What separates two parts of a title ("销售/客服", "电工|焊工", "司机-北京").
SEPARATORS = re.compile(r"[/|\\丨·,，、;；!！?？~～—_:：\-+＋*#@&。\s]+")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[a-z][a-z+#.]*")
ENGLISH_RUN = re.compile(r"[a-z]+(?: [a-z]+)+|[a-z]{3,}")
# A character of a title for n-grams: one Chinese character, or one English word or number.
UNITS = re.compile(r"[a-z][a-z0-9+#]*(?:\.[a-z]+)?|[0-9]+[a-z]*|[\u3400-\u9fff]")

PAY_WORDS = r"(?:月薪|年薪|底薪|薪资|工资|薪水|薪酬|保底|月入|月均|年入|收入|综合|日薪|时薪|税后|税前|到手|待遇)"
AMOUNT = r"\d+(?:[.,]\d+)?\s*(?:k|千|w|万|元)?"
PER = r"(?:\s*/\s*(?:月|天|日|小时|时|年))?"
PAY_PATTERNS = [
    re.compile(p)
    for p in (
        # 月薪8000-12000元/月, 底薪3千
        rf"{PAY_WORDS}[:：]?\s*{AMOUNT}(?:\s*[-~～至到]\s*{AMOUNT})?{PER}(?:以上|起|\+|左右)?",
        # 8k-12k, 8000-12000元, 6千-1万/月
        rf"\d+(?:\.\d+)?\s*(?:k|千|w|万)?\s*[-~～至到]\s*\d+(?:\.\d+)?\s*(?:k|千|w|万|元){PER}(?:以上|起|\+)?",
        # 8k, 8000元/月, 1万+
        rf"\d+(?:\.\d+)?\s*(?:k|千|w|万|元){PER}(?:以上|起|\+)?",
        # 200/天
        r"\d+(?:\.\d+)?\s*/\s*(?:月|天|日|小时|时)",
        # bare amounts of four digits and more (客服7500+)
        r"\d{4,}(?:\s*[-~～]\s*\d{4,})?\+?",
        # 18-45岁, 45岁以下
        r"\d{2}\s*(?:[-~～至到]\s*\d{2})?\s*周?岁(?:以下|以上|以内)?",
        # how many are wanted: 10名, 5人
        r"\d+\s*(?:名|人)(?![\u3400-\u9fff])",
    )
]
# Words of a posting that describe the terms, not the work. Longer phrases first, so that 长白班
# goes before 白班. (Word lists are kept as text: one word a line would be hundreds of lines.)
TERMS_WORDS = sorted(
    """
    高薪诚聘 急聘 急招 诚聘 热招 直招 高薪 名企 大厂 五险一金 六险一金 五险二金 五险 缴纳社保 公积金
    包吃包住 包吃住 包食宿 管吃住 提供食宿 提供住宿 免费住宿 有宿舍 包住 包吃 包三餐 包工作餐 员工餐 工作餐
    餐补 房补 交通补贴 住房补贴 全勤奖 年终奖 年底双薪 双薪 高提成 提成 奖金 底薪 股票期权 期权
    周末双休 双休 单休 大小周 做六休一 做五休二 月休四天 长白班 常白班 白班 夜班 两班倒 倒班 不倒班 不加班
    加班少 朝九晚五 早九晚六 带薪年假 年假 节假日 日结 周结 月结 薪资面议 工资面议 面议 待遇优厚
    待遇好 工资高 收入高 轻松 稳定 简单易学 易上手 零基础 无经验 无需经验 经验不限 学历不限 不限学历 小白可
    可接受小白 接受小白 新手可 男女不限 限男 限女 宝妈 应届生 应届 在校生 可兼职 居家 在家 远程 线上 不压货
    不押金 免费培训 带薪培训 有培训 包培训 师傅带 可落户 入职即缴 转正 长期 短期 临时工 寒假工 暑假工
    正式工 合同工 直聘 招人 急缺 多名 若干 一名 两名 数名 全职 兼职 实习生 实习 企业新型学徒制 新型学徒制
    """.split(),  # noqa: SIM905
    key=len,
    reverse=True,
)
# Recruiting verbs at the start of a title ("招聘电工"), but not where they are the job (招聘专员).
LEADING_VERB = re.compile(r"^(?:高薪)?(?:招聘|招|聘请|聘|寻|找)(?!聘?(?:专员|主管|经理|助理|师|顾问|总监|负责人))")
# Inside a title the verb follows the employer and precedes the job (某某酒店招聘服务员).
INNER_VERB = re.compile(r"(?:招聘|诚聘|急聘|聘请|招募)(?!聘?(?:专员|主管|经理|助理|师|顾问|总监|负责人|hr|官|岗))")
# The same after the job (收银员招聘, 服务员诚聘中), but not where the work is recruiting (人事招聘).
TRAILING_VERB = re.compile(
    r"(?<!人事)(?<!人力)(?<!hr)(?<!人才)(?<!校园)(?<!社会)(?:招聘|诚聘|急聘|聘用|招工|招人)(?:中|啦)?$"
)
# Grades say how senior, not which occupation (高级电工 is an 电工, 汽修师傅 does 汽修).
SENIORITY = re.compile(r"^(?:资深|高级|中级|初级|见习|助理(?=工程师)|熟练|熟手|普通)")
MASTER_OR_APPRENTICE = re.compile(r"(?:师傅|学徒)$")

PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市", "地区", "盟")
# Provinces and the larger cities, so that a title is cleaned even where no region table is
# loaded (the demo ships only a few regions).
BUILTIN_PLACES = """
北京 天津 上海 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东
广西 海南 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾 石家庄 太原 呼和浩特 包头 鄂尔多斯
沈阳 大连 长春 哈尔滨 南京 苏州 无锡 常州 南通 徐州 扬州 杭州 宁波 温州 嘉兴 绍兴 金华 义乌 台州 合肥
芜湖 福州 厦门 泉州 南昌 济南 青岛 烟台 潍坊 临沂 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 广州 深圳 珠海
汕头 佛山 东莞 中山 惠州 江门 湛江 南宁 柳州 桂林 海口 三亚 成都 绵阳 贵阳 遵义 昆明 拉萨 西安 兰州
西宁 银川 乌鲁木齐 昆山 江阴 晋江 慈溪 余姚 顺德 龙岗 宝安 南山 福田 浦东 朝阳 海淀 全国 异地 外地
""".split()  # noqa: SIM905
# English words in titles, as the Chinese job words of the table.
ENGLISH_WORDS: dict[str, str] = {
    "engineer": "工程师", "developer": "开发工程师", "programmer": "程序员", "software": "软件",
    "hardware": "硬件", "sales": "销售", "salesman": "销售", "manager": "经理", "director": "总监",
    "assistant": "助理", "accountant": "会计", "accounting": "会计", "cashier": "收银员",
    "driver": "司机", "nurse": "护士", "doctor": "医生", "teacher": "教师", "tutor": "辅导老师",
    "designer": "设计师", "design": "设计", "clerk": "文员", "secretary": "秘书",
    "receptionist": "前台", "cook": "厨师", "chef": "厨师", "waiter": "服务员", "waitress": "服务员",
    "cleaner": "保洁员", "security": "保安", "guard": "保安", "welder": "焊工", "electrician": "电工",
    "mechanic": "机修工", "technician": "技术员", "operator": "操作工", "worker": "普工",
    "warehouse": "仓库", "logistics": "物流", "purchasing": "采购", "buyer": "采购",
    "translator": "翻译", "interpreter": "翻译", "lawyer": "律师", "editor": "编辑",
    "marketing": "市场营销", "customer": "客户", "service": "服务", "support": "支持",
    "consultant": "顾问", "analyst": "分析师", "data": "数据", "test": "测试", "testing": "测试",
    "quality": "质量", "inspector": "质检员", "mechanical": "机械", "electrical": "电气",
    "civil": "土木", "project": "项目", "product": "产品", "operation": "运营", "operations": "运营",
    "hr": "人力资源", "recruiter": "招聘专员", "finance": "财务", "financial": "财务",
    "pharmacist": "药师", "photographer": "摄影师", "courier": "快递员", "senior": "高级", "junior": "初级",
    "intern": "实习",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Scoring

# The head noun at the end of a title names the kind of work: concepts in the classes it points
# to get a boost, and a title that matches nothing well enough falls back to the class given.
HEAD_RULES: list[tuple[tuple[str, ...], tuple[str, ...], str]] = [
    (("工程师", "工程技术人员", "研发"), ("2-02", "2-03", "2-04"), "2-02-00-00"),
    (("算法", "开发"), ("2-02-10", "2-02-38"), "2-02-10-03"),
    (("司机", "驾驶员", "驾驶"), ("4-02", "6-30", "4-10-08", "5-05-05"), "4-02-02-01"),
    (
        ("销售", "业务员", "销售代表", "销售顾问", "业务代表", "推广员"),
        ("4-01", "2-06-07", "4-06-02", "2-06-11", "4-05"),
        "4-01-02-01",
    ),
    (("客服", "客户服务"), ("4-04-05", "4-07-02"), "4-04-05-03"),
    (("会计", "出纳"), ("2-06-03", "2-06-04"), "2-06-03-00"),
    (("老师", "教师", "讲师", "教员", "助教"), ("2-08", "4-07-03", "4-13-04", "4-14-05", "2-09-07"), "2-08-99-00"),
    (("教练",), ("4-14-05", "2-09-07", "4-02-02-07"), "4-14-05-01"),
    (("医生", "医师", "大夫"), ("2-05-01", "2-05-02", "2-05-03", "2-05-04", "2-05-05", "2-05-08-09"), "2-05-01-00"),
    (("护士",), ("2-05-08",), "2-05-08-00"),
    (("设计师", "设计"), ("2-09-06", "4-08-08", "2-02-34", "2-02-18", "2-02-07"), "4-08-08-00"),
    (("厨师", "厨"), ("4-03-02",), "4-03-02-01"),
    (("服务员",), ("4-03", "4-14-05", "4-07-04", "4-02"), "4-03-02-05"),
    (("文员", "助理", "专员", "秘书", "办事员"), ("3-01", "4-07", "4-01", "2-06", "4-02"), "3-01-02-02"),
    (
        ("经理", "总监", "主管", "负责人", "总经理", "厂长", "店长", "主任"),
        ("1-06", "2-06-07", "2-02-30", "4-01-02-06", "3-01-02"),
        "",
    ),
    (("操作工", "操作员", "普工", "作业员", "生产工", "学徒", "工人", "技工"), ("6-", "5-", "4-02-05"), "6-00-00-00"),
    (("工", "师傅"), ("6-", "5-", "4-"), ""),
    (("员",), ("3-", "4-", "6-31"), ""),
]
HEAD_BOOST = 0.12
# A title names a kind of work, which the table describes by its occupations and small classes;
# a major group or middle class (生产制造及有关人员, 工程技术人员) is where a title is sent only when
# nothing finer comes close, so its score is discounted against the finer concepts.
BROAD_CLASS_LEVEL = 2
BROAD_CLASS_FACTOR = 0.8
# A label found inside the title: base + share of the title it covers, more at the end.
CONTAINS_BASE = 0.5
CONTAINS_COVER = 0.4
CONTAINS_END = 0.08
NEIGHBOUR_FACTOR = 0.95
NEIGHBOUR_FLOOR = 0.2
# The table's names and aliases are the curated mapping; a rule word found inside a longer
# title is a wider net and counts for less than a name or alias found there.
CONTAINS_FACTOR = {"name": 1.0, "alias": 1.0, "rule": 0.7}
DEFINITION_WEIGHT = 0.3
DESCRIPTION_WEIGHT = 0.2
# A description alone decides a title too vague to code when it is at least this close to a
# definition and its tasks; its confidence is then capped, being indirect.
DESCRIPTION_ALONE = 0.25
DESCRIPTION_CAP = 0.6
SECOND_SEGMENT_WEIGHT = 0.85
EXTRA_WEIGHT = 0.6
# Below this the best match is too weak to trust; the head noun's class is used if there is one.
MIN_SCORE = 0.3
HEAD_ONLY_CONFIDENCE = 0.2
# The margin over the best other code at which the confidence is no longer discounted.
FULL_MARGIN = 0.25
JIEBA_FREQUENCY = 20000
# A lead or officer of some work (仓库主管, 质检组长, 招商专员) is often coded to that work: the
# title without the rank word is scored too, a little below the whole title.
RANK_WORDS = ("负责人", "主管", "组长", "领班", "经理", "专员", "助理", "班长", "主任", "总监")
RANK_STRIPPED_WEIGHT = 0.9
# A labelling rule's answer before calibration (the rules were right on about 80 % of the
# development titles they matched).
RULE_CONFIDENCE = 0.8
# A part of a title that denies a kind of work (无销售, 非销售) does not name the job.
NEGATION = re.compile(r"^(?:无|非|不|拒绝)")
STOP_WORDS = frozenset(
    "的 和 与 及 或 等 在 对 从 进行 负责 相关 工作 人员 有关 以及 其他 各类 各种 使用 利用 根据".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class OccupationEntry:
    """One concept of the occupation table, as the coder needs it."""

    code: str
    level: int
    name: str
    aliases: tuple[str, ...] = ()
    definition: str = ""
    tasks: str = ""


@dataclass
class NormalisedTitle:
    """A cleaned title: its parts in order (the first names the job), bracketed remarks that
    were not noise, and what was taken away."""

    original: str
    segments: list[str]
    extras: list[str]
    removed: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.segments)


@dataclass
class CodingResult:
    title: str
    code: str
    name: str
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The answer as the command prints it: no code is `null`, with the reason why."""
        out: dict[str, Any] = {
            "title": self.title,
            "code": self.code or None,
            "name": self.name or None,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }
        if not self.code:
            out["reason"] = str(self.evidence.get("note") or _("没有找到相近的职业"))
        return out


def split_of(cleaned: str) -> str:
    """The frozen split of the labelled titles: "held_out" (a quarter, by a hash of the cleaned
    title, so that the same cleaned title never falls on both sides) or "dev". Only "dev" is
    learnt from and tuned on."""
    return "held_out" if hashlib.sha1(cleaned.encode("utf-8")).digest()[0] % 4 == 0 else "dev"


def fold(text: str) -> str:
    """Full width to half width, traditional to simplified, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = zhconv.convert(text, "zh-cn")
    return " ".join(text.lower().split())


@cache
def load_rules(path: Path = RULES_FILE) -> dict[str, tuple[str, ...]]:
    """The rule words: `code  name  |  word word …` per line; lines starting with `#` are comments."""
    rules: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _bar, words = line.partition("|")
        code = head.split()[0]
        rules[code] = rules.get(code, ()) + tuple(words.split())
    return rules


@dataclass(frozen=True)
class LabellingRule:
    """One line of `labelling_rules.txt`: the code a pattern gives and the LABELLING.md rule."""

    code: str
    rule: str
    pattern: re.Pattern[str]


@cache
def load_labelling_rules(path: Path = LABELLING_RULES_FILE) -> tuple[LabellingRule, ...]:
    """`code  rule  pattern` per line, in order; lines starting with `#` are comments."""
    rules: list[LabellingRule] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, rule, pattern = line.split(None, 2)
        rules.append(LabellingRule(code, rule, re.compile(pattern)))
    return tuple(rules)


@dataclass(frozen=True)
class Calibration:
    """A logistic model of P(the code is exactly right) over features of how it was reached."""

    weights: dict[str, float]
    intercept: float

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]))


def answer_features(code: str, level: int, evidence: Mapping[str, Any], raw_confidence: float) -> dict[str, float]:
    """What the calibration weighs: how the answer was reached (the rule, or the kind of table
    match), the table's score, margin and raw confidence, and the level of the code."""
    features = {"raw_confidence": raw_confidence, f"level_{min(level, 4)}": 1.0}
    decided = str(evidence.get("decided_by", "none"))
    features[f"by_{decided}"] = 1.0
    if decided == "labelling_rule":
        features[f"rule_{evidence.get('rule', '')}"] = 1.0
        table = evidence.get("table") or {}
        features["rule_agrees_with_table"] = 1.0 if table.get("code") == code else 0.0
        features["rule_agrees_with_table_small_class"] = 1.0 if str(table.get("code", ""))[:7] == code[:7] else 0.0
    score = float(evidence.get("score", 0.0) or 0.0)
    features["score"] = min(score, 1.5)
    runner_up = evidence.get("runner_up") or {}
    features["margin"] = max(0.0, score - float(runner_up.get("score", 0.0) or 0.0)) if score else 0.0
    return features


def _short_place_names(names: Iterable[str]) -> set[str]:
    places: set[str] = set()
    for name in names:
        name = fold(name)
        if len(name) < 2:
            continue
        places.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                places.add(name[: -len(suffix)])
                break
    return places


def _has_words(text: str) -> bool:
    return bool(CJK.search(text) or LATIN_WORD.search(text))


def _strip_terms(text: str, removed: list[str], keep_whole: bool) -> str:
    for pattern in PAY_PATTERNS:
        removed.extend(pattern.findall(text))
        text = pattern.sub(" ", text)
    for word in TERMS_WORDS:
        if word in text:
            rest = text.replace(word, " ")
            if keep_whole and not _has_words(rest):
                # A title that is nothing but the word (实习生) keeps it, and all of it.
                return text
            removed.append(word)
            text = rest
    return text


def _translate_english(match: re.Match[str]) -> str:
    """English words become the Chinese job words (sales manager → 销售经理, java developer →
    java开发工程师); a run without any known word stays as it is."""
    words = match.group(0).split()
    if not any(w in ENGLISH_WORDS for w in words):
        return match.group(0)
    out = ""
    for word in (ENGLISH_WORDS.get(w, w) for w in words):
        out += f" {word}" if out and LATIN_WORD.match(word) and LATIN_WORD.match(out[-1]) else word
    return out


class TitleCleaner:
    """Takes the posting's terms, places and decorations out of a title."""

    def __init__(self, places: Iterable[str] = ()) -> None:
        self.places = _short_place_names([*BUILTIN_PLACES, *places])
        self._longest_place = max(len(p) for p in self.places)

    def _strip_places(self, text: str, removed: list[str]) -> str:
        """Place names at either end, again and again (北京朝阳销售 → 销售)."""
        changed = True
        while changed and text:
            changed = False
            for size in range(min(self._longest_place, len(text) - 1), 1, -1):
                if text[:size] in self.places:
                    removed.append(text[:size])
                    text = text[size:].lstrip()
                    changed = True
                    break
                if text[-size:] in self.places:
                    removed.append(text[-size:])
                    text = text[:-size].rstrip()
                    changed = True
                    break
        return text

    def _parts(self, text: str, removed: list[str], keep_whole: bool = True) -> list[str]:
        parts: list[str] = []
        text = ENGLISH_RUN.sub(_translate_english, _strip_terms(text, removed, keep_whole))
        for part in SEPARATORS.split(text):
            part = self._strip_places(part.strip(), removed)
            for pattern in (LEADING_VERB, SENIORITY):
                match = pattern.match(part)
                if match and len(part) - match.end() >= 2:
                    removed.append(match.group(0))
                    part = part[match.end() :]
            match = INNER_VERB.search(part)
            if match and match.start() > 0 and len(part) - match.end() >= 2:
                removed.append(part[: match.end()])
                part = part[match.end() :]
            match = TRAILING_VERB.search(part)
            if match and match.start() >= 2:
                removed.append(match.group(0))
                part = part[: match.start()]
            match = MASTER_OR_APPRENTICE.search(part)
            if match and match.start() >= 2:
                removed.append(match.group(0))
                part = part[: match.start()]
            if part in self.places:
                removed.append(part)
            elif _has_words(part):
                parts.append(part)
        return parts

    def clean(self, title: str) -> NormalisedTitle:
        removed: list[str] = []
        extras: list[str] = []

        def take_bracket(match: re.Match[str]) -> str:
            # A remark in brackets is kept aside (销售（医疗器械）); a place, pay or terms go.
            inside = " ".join(self._parts(match.group(1), removed, keep_whole=False))
            if inside:
                extras.append(inside)
            elif not match.group(1).strip():
                removed.append(match.group(0))
            return " | "

        text = fold(title)
        while BRACKETS.search(text):
            text = BRACKETS.sub(take_bracket, text)
        segments: list[str] = []
        for part in self._parts(text, removed):
            if part not in segments:
                segments.append(part)
        if not segments and extras:
            segments, extras = extras[:1], extras[1:]
        return NormalisedTitle(original=title, segments=segments, extras=extras, removed=removed)


def normalise_title(title: str, places: Iterable[str] = ()) -> NormalisedTitle:
    """Clean one title (see `TitleCleaner`); for many titles keep one cleaner."""
    return TitleCleaner(places).clean(title)


def _ngrams(text: str) -> dict[str, float]:
    """Character 1–3-grams, an English word or a number counting as one character."""
    units = UNITS.findall(text)
    grams: dict[str, float] = defaultdict(float)
    for n in (1, 2, 3):
        for i in range(len(units) - n + 1):
            grams["".join(units[i : i + n])] += 1.0
    return grams


class _TfIdf:
    """Sparse TF-IDF vectors over a fixed set of documents; cosine through an inverted index."""

    def __init__(self, documents: Sequence[dict[str, float]]) -> None:
        df: dict[str, int] = defaultdict(int)
        for doc in documents:
            for term in doc:
                df[term] += 1
        total = len(documents)
        self.idf = {term: math.log((total + 1) / (count + 1)) + 1.0 for term, count in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, doc in enumerate(documents):
            for term, weight in self.vector(doc).items():
                self.postings[term].append((index, weight))

    def vector(self, counts: dict[str, float]) -> dict[str, float]:
        weights = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def scores(self, counts: dict[str, float]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for term, weight in self.vector(counts).items():
            for index, doc_weight in self.postings.get(term, ()):
                out[index] += weight * doc_weight
        return out


@dataclass(frozen=True)
class _Label:
    text: str
    concept: int
    kind: str  # "name", "alias" or "rule"


@dataclass
class _Candidate:
    score: float
    how: str  # "exact", "contains" or "neighbour"
    label: _Label
    segment: str
    matched: list[str]


class OccupationCoder:
    """Codes job titles to the occupations of one occupation table."""

    def __init__(
        self,
        entries: Iterable[OccupationEntry],
        places: Iterable[str] = (),
        rules: Mapping[str, Sequence[str]] | None = None,
        labelling_rules: Sequence[LabellingRule] | None = None,
        calibrated: bool = True,
    ) -> None:
        self.entries: list[OccupationEntry] = []
        self.by_code: dict[str, int] = {}
        # Where a code sits at two levels (a small class with one occupation), the occupation,
        # with the aliases of both.
        for entry in sorted(entries, key=lambda e: (e.code, -e.level)):
            if entry.code in self.by_code:
                kept = self.entries[self.by_code[entry.code]]
                extra = tuple(a for a in entry.aliases if a not in kept.aliases)
                self.entries[self.by_code[entry.code]] = replace(kept, aliases=kept.aliases + extra)
                continue
            self.by_code[entry.code] = len(self.entries)
            self.entries.append(entry)
        if not self.entries:
            raise ValueError(_("职业代码表为空，无法编码"))
        rules = load_rules() if rules is None else rules
        # Rules whose code the loaded table lacks (the demo's subset) are left out.
        self.labelling_rules = tuple(
            r for r in (load_labelling_rules() if labelling_rules is None else labelling_rules)
            if r.code == NOT_A_JOB or r.code in self.by_code
        )  # fmt: skip
        self.calibrated = calibrated
        self.cleaner = TitleCleaner(places)
        self.labels: list[_Label] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        # The table's own names and aliases win over the rule words.
        table_words = {fold(t) for e in self.entries for t in (e.name, *e.aliases)}
        for index, entry in enumerate(self.entries):
            texts = [(entry.name, "name")] + [(a, "alias") for a in entry.aliases]
            texts += [(w, "rule") for w in rules.get(entry.code, ()) if fold(w) not in table_words]
            seen: set[str] = set()
            for text, kind in texts:
                folded = fold(text)
                if (len(folded) < 2 and not LATIN_WORD.fullmatch(folded)) or folded in seen:
                    continue
                seen.add(folded)
                self.exact[folded].append(len(self.labels))
                self.labels.append(_Label(folded, index, kind))
        self._label_grams = [_ngrams(label.text) for label in self.labels]
        self.names_index = _TfIdf(self._label_grams)
        self._longest_label = max(len(label.text) for label in self.labels)
        self.tokenizer = jieba.Tokenizer()
        logging.getLogger("jieba").setLevel(logging.WARNING)
        for label in self.labels:
            if CJK.search(label.text) and " " not in label.text:
                self.tokenizer.add_word(label.text, JIEBA_FREQUENCY)
        self._text_words = [self._words(f"{e.name} {e.definition} {e.tasks}") for e in self.entries]
        self.text_index = _TfIdf(self._text_words)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[OccupationEntry],
        places: Iterable[str] = (),
        rules: Mapping[str, Sequence[str]] | None = None,
        labelling_rules: Sequence[LabellingRule] | None = None,
        calibrated: bool = True,
    ) -> OccupationCoder:
        """A coder over rows given directly (an evaluation, a table read elsewhere); without
        labelling rules (`labelling_rules=()`) and calibration it is the table-only coder."""
        return cls(rows, places, rules, labelling_rules, calibrated)

    @classmethod
    def from_database(cls) -> OccupationCoder:
        """The current occupation table, and the current province and prefecture names."""
        from gongjiang.refdata.selectors import concepts

        rows = [
            OccupationEntry(
                code=code,
                level=level,
                name=name,
                aliases=tuple(a for a in aliases.split("|") if a),
                definition=str(attrs.get("definition", "")),
                tasks=str(attrs.get("tasks", "")),
            )
            for code, level, name, aliases, attrs in concepts(Scheme.OCCUPATION).values_list(
                "code", "level", "name", "aliases", "attrs"
            )
        ]
        places = concepts(Scheme.REGION).filter(level__lte=2).values_list("name", flat=True)
        return cls(rows, places)

    # -- scoring ------------------------------------------------------------------------------

    def _words(self, text: str) -> dict[str, float]:
        counts: dict[str, float] = defaultdict(float)
        for word in self.tokenizer.lcut(fold(text)):
            word = word.strip()
            if len(word) >= 2 and word not in STOP_WORDS and _has_words(word):
                counts[word] += 1.0
        return counts

    def _contained_labels(self, segment: str) -> list[int]:
        """Labels in the segment that end where a word ends and start where one starts or inside
        the same word: 电工 in 维修电工 (a kind of 电工), not 护工 in 维护工程师."""
        starts: set[int] = set()
        ends: set[int] = set()
        offset = 0
        for token in self.tokenizer.lcut(segment, HMM=False):
            starts.add(offset)
            offset += len(token)
            ends.add(offset)
        word_start: list[int] = []
        current = 0
        for position in range(len(segment) + 1):
            current = position if position in starts else current
            word_start.append(current)
        found: list[int] = []
        for size in range(min(self._longest_label, len(segment)), 0, -1):
            for start in range(len(segment) - size + 1):
                end = start + size
                if end in ends and (start in starts or word_start[start] == word_start[end - 1]):
                    found.extend(self.exact.get(segment[start:end], ()))
        return found

    def _score_segment(self, segment: str, weight: float, best: dict[int, _Candidate]) -> None:
        def offer(label: _Label, score: float, how: str, matched: list[str]) -> None:
            score *= weight
            current = best.get(label.concept)
            if current is None or score > current.score:
                best[label.concept] = _Candidate(score, how, label, segment, matched)

        for index in self.exact.get(segment, ()):
            offer(self.labels[index], 1.0, "exact", [self.labels[index].text])
        compact = segment.replace(" ", "")
        for index in self._contained_labels(compact):
            label = self.labels[index]
            cover = len(label.text) / len(compact)
            score = CONTAINS_BASE + CONTAINS_COVER * cover + (CONTAINS_END if compact.endswith(label.text) else 0.0)
            offer(label, min(score, 0.97) * CONTAINS_FACTOR[label.kind], "contains", [label.text])
        grams = _ngrams(segment)
        for index, cosine in self.names_index.scores(grams).items():
            # One character in common (岗 of 一线岗位 and 门岗) is no neighbour.
            label_grams = self._label_grams[index]
            if cosine >= NEIGHBOUR_FLOOR and any(len(g) >= 2 and g in label_grams for g in grams):
                label = self.labels[index]
                offer(label, cosine * NEIGHBOUR_FACTOR, "neighbour", _shared_runs(compact, label.text))

    @staticmethod
    def _head_rule(segment: str) -> tuple[str, tuple[str, ...], str] | None:
        for suffixes, prefixes, fallback in HEAD_RULES:
            for suffix in suffixes:
                if segment.endswith(suffix):
                    return suffix, prefixes, fallback
        return None

    def code(self, title: str, description: str = "") -> CodingResult:
        """The best occupation for a title (and its description), with confidence and evidence:
        a labelling rule where one matches, else the table's answer."""
        evidence: dict[str, Any] = {}
        if len(title) > MAX_TITLE_CHARS or len(description) > MAX_DESCRIPTION_CHARS:
            evidence["cut"] = _("标题只读前 %(title)d 字，描述只读前 %(description)d 字") % {
                "title": MAX_TITLE_CHARS,
                "description": MAX_DESCRIPTION_CHARS,
            }
        title, description = title[:MAX_TITLE_CHARS], description[:MAX_DESCRIPTION_CHARS]
        if not _has_words(fold(title)):
            evidence.update(
                decided_by="none",
                matched=[],
                note=_("没有职位名称") if not title.strip() else _("标题中没有文字，无法判断职业"),
            )
            return CodingResult(title, "", "", 0.0, evidence)
        cleaned = self.cleaner.clean(title)
        table = self._table_code(title, description, cleaned)
        table.evidence.update(evidence)
        ruled = self._labelling_rule(title, cleaned, table)
        result = ruled or table
        calibration = load_calibration() if self.calibrated else None
        # An answer reached in a way the calibration saw too seldom to learn (a description
        # alone, a head noun alone) keeps its own, capped confidence.
        decided = f"by_{result.evidence.get('decided_by')}"
        if calibration is not None and result.code and decided in calibration.weights:
            level = self.entries[self.by_code[result.code]].level
            raw = float(table.confidence)
            result.evidence["raw_confidence"] = raw
            result.confidence = round(
                calibration.probability(answer_features(result.code, level, result.evidence, raw)), 3
            )
        return result

    def _labelling_rule(self, title: str, cleaned: NormalisedTitle, table: CodingResult) -> CodingResult | None:
        """The first line of `labelling_rules.txt` that matches a part of the title (a part that
        denies the work, 无销售, is skipped); the table's answer stays in the evidence."""
        for segment in cleaned.segments:
            compact = segment.replace(" ", "")
            if NEGATION.match(compact):
                continue
            for rule in self.labelling_rules:
                match = rule.pattern.search(compact)
                if match is None:
                    continue
                evidence: dict[str, Any] = {
                    "cleaned": cleaned.text,
                    "removed": cleaned.removed,
                    "decided_by": "labelling_rule",
                    "rule": rule.rule,
                    "segment": compact,
                    "matched": [match.group(0)],
                    "table": {"code": table.code, "name": table.name, "confidence": table.confidence},
                }
                if "cut" in table.evidence:
                    evidence["cut"] = table.evidence["cut"]
                rule_name = _("约定（大典留有选择处）") if rule.rule == "C" else _("第 %(n)s 条") % {"n": rule.rule}
                if rule.code == NOT_A_JOB:
                    evidence["note"] = _("按标注规则%(rule)s，“%(words)s”不是一个职业或没有说明工作内容") % {
                        "rule": rule_name,
                        "words": match.group(0),
                    }
                    return CodingResult(title, "", "", 0.0, evidence)
                entry = self.entries[self.by_code[rule.code]]
                evidence["note"] = _("按标注规则%(rule)s，“%(words)s”归入“%(name)s”") % {
                    "rule": rule_name,
                    "words": match.group(0),
                    "name": entry.name,
                }
                return CodingResult(title, entry.code, entry.name, RULE_CONFIDENCE, evidence)
        return None

    def _table_code(self, title: str, description: str, cleaned: NormalisedTitle) -> CodingResult:
        """The table's answer: names, aliases and rule words matched, definitions, head noun."""
        best: dict[int, _Candidate] = {}
        for position, segment in enumerate(cleaned.segments):
            self._score_segment(segment, 1.0 if position == 0 else SECOND_SEGMENT_WEIGHT, best)
        if cleaned.segments:
            first = cleaned.segments[0].replace(" ", "")
            rank = next((w for w in RANK_WORDS if first.endswith(w)), "")
            # A title that is itself a label (销售经理) is taken as it stands.
            if rank and len(first) - len(rank) >= 2 and first not in self.exact:
                work = first[: -len(rank)]
                self._score_segment(work, RANK_STRIPPED_WEIGHT, best)
                for found in best.values():
                    # The work equals the label, the title only contains it.
                    if found.segment == work and found.how == "exact":
                        found.how = "contains"
        for extra in cleaned.extras:
            self._score_segment(extra, EXTRA_WEIGHT, best)
        query_words = self._words(" ".join(cleaned.segments + cleaned.extras))
        text_scores = self.text_index.scores(query_words) if query_words else {}
        description_words = self._words(description) if description.strip() else {}
        description_scores = self.text_index.scores(description_words) if description_words else {}
        head = self._head_rule(cleaned.segments[0].replace(" ", "")) if cleaned.segments else None

        totals: dict[int, float] = {}
        for concept in set(best) | set(text_scores) | set(description_scores):
            candidate = best.get(concept)
            total = candidate.score if candidate else 0.0
            total += DEFINITION_WEIGHT * text_scores.get(concept, 0.0)
            total += DESCRIPTION_WEIGHT * description_scores.get(concept, 0.0)
            if head and self.entries[concept].code.startswith(head[1]):
                total *= 1.0 + HEAD_BOOST
            if self.entries[concept].level <= BROAD_CLASS_LEVEL:
                total *= BROAD_CLASS_FACTOR
            totals[concept] = total
        # Best first; on a tie the deeper level (the occupation rather than its class).
        ranked = sorted(totals.items(), key=lambda item: (-item[1], -self.entries[item[0]].level))
        evidence: dict[str, Any] = {"cleaned": cleaned.text, "removed": cleaned.removed}
        if not ranked or ranked[0][1] < MIN_SCORE:
            return self._fallback(title, head, description_words, description_scores, evidence)

        top, top_score = ranked[0]
        entry = self.entries[top]
        runner_up = next(((c, s) for c, s in ranked[1:] if self.entries[c].code != entry.code), None)
        second = runner_up[1] if runner_up else 0.0
        margin = max(top_score - second, 0.0)
        confidence = min(1.0, top_score) * (0.55 + 0.45 * min(1.0, margin / FULL_MARGIN))
        candidate = best.get(top)
        if candidate is not None:
            evidence.update(
                decided_by=f"{candidate.how}_{candidate.label.kind}",
                label=candidate.label.text,
                segment=candidate.segment,
                matched=candidate.matched,
                note=_note(candidate.how, candidate.label, entry.name),
            )
        else:
            evidence.update(
                decided_by="definition",
                matched=[w for w in query_words if w in self._text_words[top]],
                note=_("标题中的词出现在“%(name)s”的定义或主要工作任务中") % {"name": entry.name},
            )
        if head and entry.code.startswith(head[1]):
            evidence["head_noun"] = head[0]
        if runner_up is not None:
            other = self.entries[runner_up[0]]
            evidence["runner_up"] = {"code": other.code, "name": other.name, "score": round(second, 3)}
        evidence["score"] = round(top_score, 3)
        return CodingResult(title, entry.code, entry.name, round(confidence, 3), evidence)

    def _fallback(
        self,
        title: str,
        head: tuple[str, tuple[str, ...], str] | None,
        description_words: dict[str, float],
        description_scores: dict[int, float],
        evidence: dict[str, Any],
    ) -> CodingResult:
        """A title too vague to code: the description decides if it is close enough to a 大典
        definition, else the head noun's class, else nothing."""
        closest = max(description_scores.items(), key=lambda item: item[1], default=None)
        if closest is not None and closest[1] >= DESCRIPTION_ALONE:
            entry = self.entries[closest[0]]
            evidence.update(
                decided_by="description",
                matched=[w for w in description_words if w in self._text_words[closest[0]]],
                note=_("标题不足以判断，按职位描述与“%(name)s”的定义和主要工作任务相近归入") % {"name": entry.name},
                score=round(closest[1], 3),
            )
            return CodingResult(title, entry.code, entry.name, round(min(closest[1], DESCRIPTION_CAP), 3), evidence)
        if head and head[2] in self.by_code:
            entry = self.entries[self.by_code[head[2]]]
            evidence.update(
                decided_by="head_noun",
                matched=[head[0]],
                note=_("没有足够相近的职业，按中心词“%(word)s”归入“%(name)s”") % {"word": head[0], "name": entry.name},
            )
            return CodingResult(title, entry.code, entry.name, HEAD_ONLY_CONFIDENCE, evidence)
        evidence.update(decided_by="none", matched=[], note=_("没有找到相近的职业"))
        return CodingResult(title, "", "", 0.0, evidence)

    def code_many(self, items: Iterable[str | tuple[str, str]]) -> list[CodingResult]:
        """Code titles, each a string or a (title, description) pair, in order."""
        return [self.code(item) if isinstance(item, str) else self.code(*item) for item in items]


# A line of input is read up to this many bytes; the rest of a longer line is skipped unread
# (the title and description are cut far shorter anyway).
MAX_LINE_BYTES = 64 * 1024


def code_lines(coder: OccupationCoder, stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """One answer per input line (`title`, or `title<TAB>description`), in order, whatever the
    line holds: an empty line, symbols, another encoding or a very long line get a null code and
    the reason, never an exception or a lost line."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        if not raw.endswith(b"\n"):
            # Skip the rest of an over-long line, so that it still gives one answer.
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                continue
        raw = raw.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            note = _("这一行不是 UTF-8 编码的文字，无法读取")
            shown = raw.decode("utf-8", errors="replace")[:MAX_TITLE_CHARS]
            yield CodingResult(shown, "", "", 0.0, {"decided_by": "none", "matched": [], "note": note}).as_dict()
            continue
        title, _tab, description = line.partition("\t")
        yield coder.code(title.strip(), description.strip()).as_dict()


def _shared_runs(text: str, label: str) -> list[str]:
    """The runs of characters a title and a label have in common (车床操作工 in 数控车床操作工)."""
    matcher = SequenceMatcher(None, text, label.replace(" ", ""), autojunk=False)
    return [text[b.a : b.a + b.size] for b in matcher.get_matching_blocks() if b.size >= 2]


def _note(how: str, label: _Label, name: str) -> str:
    what = {"name": _("职业名称"), "alias": _("别名"), "rule": _("常用职位词")}[label.kind]
    values = {"what": what, "label": label.text, "name": name}
    if how == "exact":
        return _("标题与%(what)s“%(label)s”一致，归入“%(name)s”") % values
    if how == "contains":
        return _("标题包含%(what)s“%(label)s”，归入“%(name)s”") % values
    return _("最相近的是%(what)s“%(label)s”（字词相似），归入“%(name)s”") % values


def entries_from_concept_rows(rows: Iterable[Any]) -> list[OccupationEntry]:
    """Occupation entries from the parsed rows of `formats.parse_csco` (or rows like them)."""
    return [
        OccupationEntry(
            code=row.code,
            level=row.level,
            name=row.name,
            aliases=tuple(row.aliases),
            definition=str(row.attrs.get("definition", "")),
            tasks=str(row.attrs.get("tasks", "")),
        )
        for row in rows
    ]
