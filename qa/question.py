"""Understanding a question: its language, the kind of value it asks for, the unit, the
years and figures it names, follow-ups, and the operands of a comparison.

Everything here is general Chinese question syntax (多少/几/哪些/是否/比…多多少/
…占…的比例); nothing is written for a particular question of the eval set.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from qa.numerals import cn_to_int, normalize
from qa.text import precise_words
from qa.types import QuestionKind

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
DOCNO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|\b|(?!\d))")

# Units after 多少/几 and the class of thing they count.
UNIT_CLASS = {
    "%": "percent", "百分": "percent",
    "元": "money", "万元": "money", "亿元": "money", "亿": "money",
    "人": "people", "名": "people", "人次": "people", "万人次": "people", "位": "rank",
    "年": "year", "月": "date", "日": "date", "天": "days",
}
_ASK_UNIT = re.compile(r"(?:多少|几)(万人次|人次|万元|亿元|[个件份条项次篇宗期批户名人家组场所座元亿年天位大种类版块场次]+)?")
#: "哪个区县…最多", "排第一的是哪个局": the question asks for the first of a ranking.
_SUPERLATIVE = re.compile(r"(?:哪|什么)[^，,。？?]{0,14}?(最多|最高|最大|最少|最低|第一)|(第一|前[\d一二三四五六七八九十]+名?)的?(?:是|有)?(?:哪|什么)|"
                          r"(最多|最高|最大|最少|最低)的(?:前[\d一二三四五六七八九十]+[个位名家])?[^，,。？?]{0,8}?(?:是|有)?(?:哪|什么)")
_SUPERLATIVE_EN = re.compile(r"\b(?:which|what|who)\b[^?.]*?\b(most|highest|largest|biggest|top|fewest|least|lowest)\b", re.I)
#: The amount asked is a length of time.
_DAYS_ASK = re.compile(r"(?:多少|几)个?(?:工作日|天|日|小时|月|周|星期)|"
                       r"\b(?:how many|number of) (?:working |business |calendar )?(?:days|hours|weeks|months)\b", re.I)
#: The amount asked is money: "多少钱", or a word for an amount of money before "是多少".
_MONEY_ASK = re.compile(r"多少钱|(?:金额|经费|资金|费用|价款|款项|预算|投入|投资|支出|收入)(?:加起来|合计|一共|总共|共)?(?:是|为|有|达|花了)?(?:多少|几)")
_MONEY_WORD_EN = r"(?:money|cost|costs|spent|spend|spending|funding|funds?|yuan|rmb|budget|investment|expenditure|worth|price|paid|pay)"
#: "how much … cost", "what was the total investment …" (not "how many investment projects").
_MONEY_ASK_EN = re.compile(rf"\bhow much\b(?=.*\b{_MONEY_WORD_EN}\b)|"
                           rf"^(?!.*\b(?:how many|number of)\b)\W*(?:what|which)\b.*\b(?:investment|expenditure|spending|funding|cost)\b", re.I)
#: "Which five districts …", "What are the seven main sections …", "Name the three …", "the top five":
#: a number of things named asks for the things, as 哪五个 does.
_EN_COUNTED = r"(two|three|four|five|six|seven|eight|nine|ten)"
_EN_LIST = (rf"\b(?:(?:which|what(?: are| were)?|name)(?: the| its| their| these| those)?\W{{0,2}}|top ){_EN_COUNTED}\b")
_EN_NUMBERS = {w: i for i, w in enumerate("two three four five six seven eight nine ten".split(), start=2)}
#: "哪五个区县", "哪3类", "前五位是哪些": the number of things asked for.
_ZH_LISTED = re.compile(r"哪([\d一二三四五六七八九十两]+)[个类项种家条大位名]|前([\d一二三四五六七八九十两]+)[位名个]")
_KIND_RULES: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    # a document asked by its genre (出台了什么办法, 那份意见叫什么): its title or number
    ("docno", re.compile(r"文号|发文字号|文件号|编号|哪个文件|什么文件|哪份文件|哪[一1]?份文件|哪[一1]?号|几号文|发文号|document number|which document|"
                         r"(?:什么|哪个|哪份|哪一?部)(?:办法|规定|意见|通知|方案|条例|细则|要点)|"
                         r"(?:办法|规定|意见|通知|方案|条例|细则|要点)(?:的名字|的名称)?(?:叫|是)(?:什么|啥)|"
                         r"\bdoc(?:ument)? (?:number|no\b)|\b(?:reference|file|serial|issuing) number\b|"
                         r"\bnumber of the (?:[\w'-]+ ){0,6}?(?:notice|circular|document|opinion|plan|decision|file)\b", re.I)),
    ("rate", re.compile(r"率|比例|比重|占比|百分之几|百分之多少|百分比|占.*多少|percent|rate|share|proportion", re.I)),
    ("list", re.compile(r"哪些|哪几|哪[一二三四五六七八九十两\d]+[个类项种家条大]|分别是|有哪|包括什么|包括哪|列举|which (?:\w+ )?(?:are|were)|^\W*list\b|\blist (?=all|the|some|every|each)|"
                        rf"{_EN_LIST}", re.I)),
    ("date", re.compile(r"什么时候|何时|哪[一1]?年|哪[一1]?天|日期|期限|起止|统计期|when|what date|period", re.I)),
    ("yesno", re.compile(r"是否|有没有|^(?:是不是)|吗[？?]?$|^(?:did|does|do|is|are|was|were|has|have|had|can|could|will)\b", re.I)),
    ("number", re.compile(r"多少|几|数量|how many|how much|number of|total", re.I)),
    ("name", re.compile(r"谁|叫什么|名称|名字|哪个|哪位|什么平台|what is the name|who|which", re.I)),
    ("place", re.compile(r"哪里|在哪|地址|where|address", re.I)),
)
FOLLOWUP_START = re.compile(r"^(?:那|那么|其中|这些|这个|此外|另外|还有|它|他们|其|and |what about |how about )", re.I)
FOLLOWUP_END = re.compile(r"(?:呢|怎么样|如何|又是多少|呢？|呢\?)[？?]?$")

Op = Literal["diff", "sum", "ratio", "share", "max", "min", "complement", "each"]


@dataclass(frozen=True)
class Comparison:
    """Two or more operands (phrases of the question) and what to compute from them."""

    op: Op
    operands: tuple[str, ...]
    context: str  # the rest of the question, shared by the operands
    also_diff: bool = False  # "哪个多，多多少？"
    measure: str = ""  # what is compared when the question names it: "哪一类的总投资最大" → 总投资
    #: the parts asked without a word that computes ("A和B一共多少", "A和B各有多少"): each part's
    #: figure named near it, in one passage; a sum asked only by 一共/总共 that finds none asks one figure
    loose: bool = False


@dataclass(frozen=True)
class Question:
    text: str  # cleaned, as asked
    norm: str  # numbers normalised
    lang: Literal["zh", "en"]
    kind: QuestionKind
    unit: str | None
    unit_class: str | None
    years: tuple[str, ...]
    figures: tuple[str, ...]  # numbers named in the question (not years)
    comparison: Comparison | None = None
    history: tuple[str, ...] = field(default=())
    followup: bool = False

    @cached_property
    def periods(self) -> tuple[str, ...]:
        """Parts of a year the question names (第四季度, 上半年, 3月份, the first quarter): a figure
        for the whole year does not answer them.

        >>> analyse("第四季度受理了多少件行政诉讼？").periods, analyse("12月31日前答复了多少件？").periods
        (('四季度',), ())
        """
        found = [m.group(0) for m in _PART_OF_YEAR.finditer(self.norm)]
        found += [f"{_EN_QUARTER[m.group(1).lower()]}季度" for m in _EN_PART_OF_YEAR.finditer(self.text)]
        return tuple(dict.fromkeys(re.sub(r"^第|份$", "", p) for p in found))

    @cached_property
    def ruled_out(self) -> tuple[str, ...]:
        """The phrases the question rules out (see :func:`negated`)."""
        return negated(self.text)

    @cached_property
    def asked(self) -> str:
        """The question without the phrases it rules out (不含市本级, 不是答复): where its scopes are."""
        text = self.text
        for phrase in self.ruled_out:
            text = text.replace(phrase, " ")
        return text

    @cached_property
    def needs(self) -> tuple[Need, ...]:
        """What the answer must hold (:func:`answer_needs`)."""
        return answer_needs(self.text, self.kind, self.lang)

    @cached_property
    def ranked(self) -> str | None:
        """The superlative of a "which one is first" question (哪个区县申请最多 → 最多), else None:
        a word of the asking, answered by the head of a ranked list, not a topic to match."""
        if self.comparison is not None or self.kind not in ("name", "fact", "list", "place", "rate"):
            return None  # "哪一方的答复率最低": a rate's superlative asks which one
        if self.lang == "en":  # "which five districts received the most requests"
            m = _SUPERLATIVE_EN.search(self.text)
            return {"most": "最多", "highest": "最高", "largest": "最大", "biggest": "最大", "top": "最多",
                    "fewest": "最少", "least": "最少", "lowest": "最低"}[m.group(1).lower()] if m else None
        m = _SUPERLATIVE.search(self.norm)
        return next((g for g in m.groups() if g), None) if m else None

    @cached_property
    def listed(self) -> int | None:
        """How many things a list question says there are (哪五个区县, which seven sections, the top
        five), else None: a sentence that counts or lists as many is the one that answers.

        >>> analyse("申请量最多的是哪五个区县？").listed, analyse("What are the seven main sections?").listed
        (5, 7)
        """
        if self.kind != "list":
            return None
        m = _ZH_LISTED.search(self.norm)
        if m:
            n = m.group(1) or m.group(2)
            return int(n) if n.isdigit() else cn_to_int(n)
        m = re.search(_EN_LIST, self.text, re.I)
        return _EN_NUMBERS[m.group(1).lower()] if m else None

    @property
    def wants_value(self) -> bool:
        return self.kind in ("number", "rate", "docno", "date", "compare")


#: "…的组长是谁", "副市长叫什么名字": the question asks who holds a role. A noun for a person ends in
#: one of these (the agent suffixes of Chinese nouns: 组长, 主任, 领导, 负责人, 发言人, 工作人员 …).
_ROLE_ASK = re.compile(r"([\u4e00-\u9fff]{1,6}?(?:长|主任|领导|书记|负责人|人|者|员|官))(?:是谁|叫什么名字|叫什么|姓什么|是哪位|的名字|的姓名|名字是什么)")
_REASON_ASK = re.compile(r"为什么|为何|什么原因|原因是什么|原因何在|是因为什么|怎么会|^\s*why\b|\bwhat (?:was|is|were) the reasons?\b|\bwhat caused\b", re.I)
#: Clauses that give a reason (a closed class of Chinese connectives).
_CAUSAL = re.compile(r"因为|由于|原因|得益于|鉴于|为了|以便|导致|造成|因此|所以")
#: A time: a year, a month, a day, a part of a year.
_TIME = re.compile(r"(?:19|20)\d{2}年|\d{1,2}月|\d{1,2}日|年底|年初|年内|上半年|下半年|季度")
_DAY = re.compile(r"\d{1,2}日")
_MONTH = re.compile(r"\d{1,2}月")
_DATE_SPAN = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日起?(?:至|到|—|－|-)(?:\d{4}年)?\d{1,2}月\d{1,2}日止?")
#: A part of a year a question names: a quarter, a half, a month on its own (not a date's 12月31日).
_PART_OF_YEAR = re.compile(r"第?[1-4一二三四]季度|[上下]半年|前三季度|(?<![\d年])\d{1,2}月份?(?!\d|日|号)")
_EN_PART_OF_YEAR = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter\b", re.I)
_EN_QUARTER = {"first": "一", "second": "二", "third": "三", "fourth": "四", "1st": "一", "2nd": "二", "3rd": "三", "4th": "四"}
#: The question asks for several years (哪些年份, 哪几年); a span of them answers (2009—2018年).
_YEARS_ASK = re.compile(r"哪些年份?|哪几年|哪些年度|\bwhich years\b|\bwhat years\b", re.I)
_YEAR_SPAN = re.compile(r"(?:19|20)\d{2}年?\s*[—\-－~～至到]\s*(?:19|20)\d{2}年")
#: The question asks for a month (哪个月份申请最多, 几月份).
_MONTH_ASK = re.compile(r"哪个?月|几月份?|哪[一1]个月|\bwhich month\b|\bwhat month\b|\bin what month\b", re.I)
_NAMED = re.compile(r"《[^》]*》|[\u4e00-\u9fff]{0,8}〔[^〕]*〕\d*号?")
#: "哪个区县", "哪家机构", "which department": the answer names one of a kind of body.
_WHICH_BODY = re.compile(r"哪(?:一|几)?(?:个|些|家|级)?(区县|区|县|部门|单位|机构|公司|委办局|局|委)|"
                         r"(区县|部门|单位|机构)(?:是|为|有)?(?:哪|谁)|"
                         r"\bwhich (?:\w+ ){0,2}?(district|county|counties|districts|department|departments|agency|agencies|"
                         r"bureau|commission|organi[sz]ation|institution|company|firm|body)\b", re.I)
_BODY_KIND = {"区县": "district", "区": "district", "县": "district", "district": "district", "districts": "district",
              "county": "district", "counties": "district", "部门": "department", "委办局": "department",
              "局": "department", "委": "department", "department": "department", "departments": "department", "agency": "department",
              "agencies": "department", "bureau": "department", "commission": "department"}
#: Names of each kind of body as the report writes them: 大足区, 巫山县; 市公安局, 市政府办公厅;
#: a company, an institute. A generic 区县 / 市政府部门 names none.
_BODY_NAME = {
    "district": re.compile(r"[^\W\d_区县各全本该市省和与及在的、，（）]{2}(?<![园社景城验管发])[区县](?![县域])"),
    "department": re.compile(r"(?:市|国家|国务院)(?!政府部门|本级|级)[\u4e00-\u9fff]{0,8}?(?:局|委|办公厅|办|厅|院|部|中心)"),
}
_BODY_NAME["org"] = re.compile(_BODY_NAME["department"].pattern
                               + r"|[\u4e00-\u9fff]{2,}(?:公司|研究院|研究所|大学|学院|协会|事务所)")
#: "排第6位", "第六名", "ranked sixth": a place in a ranking.
_RANK_ASK = re.compile(r"第\s*(\d+)\s*(?:位|名)|\b(\d{1,2}|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
                       r"(?:st|nd|rd|th)?\b(?=[- ](?:place|largest|most|highest|biggest|ranked))|"
                       r"\b(?:ranked|ranks|ranking|came|placed)\s+(?:no\.\s*|number\s+)?(\d{1,2}|second|third|fourth|fifth|"
                       r"sixth|seventh|eighth|ninth|tenth)(?:st|nd|rd|th)?\b(?!\s*(?:percent|%))", re.I)
_EN_ORDINAL = {w: str(n) for n, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)}
#: "申请量最少的是哪个区县", "which district received the fewest": the bottom of a ranking, which a
#: ranking of the top (列前5位) does not give.
_LEAST_ASK = re.compile(r"(?:哪|什么)[^，,。？?]{0,14}?(?:最少|最低)|(?:最少|最低)的[^，,。？?]{0,8}?(?:是|有)?(?:哪|什么)|"
                        r"\b(?:which|what|who)\b[^?.]*?\b(?:fewest|least|lowest|smallest)\b", re.I)
#: The bottom of a ranking, as a sentence says it.
_LEAST = re.compile(r"最少|最低|倒数|末位|后\s*\d+\s*位")
#: "Which mayor …" (not "which mayor's hotline"): a mayor by name.
_EN_WHICH_MAYOR = re.compile(r"\bwhich ((?:vice|deputy)[- ])?(?:\w+ )?mayor\b(?!'s)", re.I)
#: A person named by title where the report quotes them: "唐良智市长要求…".
_TITLED_SPEAKER = r"[\u4e00-\u9fff]{{2,3}}{role}(?:要求|指出|强调|表示|提出)"
#: "who heads …", "the name of the director": a person, whom the answer's sentence must name.
_PERSON_ASK = re.compile(r"^\W*who (?:heads|leads|led|chairs|directs|runs|is in charge|was in charge|"
                         r"(?:acted|served|spoke|speaks) as)\b|\bnamed contact\b|"
                         r"\bwho (?:is|was) (?:the )?(?:director|head|chief|leader|chair(?:man|person)?|mayor|spokes(?:man|person)|"
                         r"contact person|deputy)\b|\bname of (?:the |its |their )?(?:director|head|chief|leader|chair(?:man|person)?|"
                         r"contact person|official(?=\s+(?:who|in charge|responsible|from|of|at)\b|\s*[?,.]|$)|spokes(?:man|person)|person)\b|"
                         r"\bwhich (?:official|person|leader|officer)\b(?!\s+(?:mobile|app|website|account|platform|portal|media))", re.I)
#: A person named: "由XX担任", "联系人：XX", "XX先生" ("有关领导同志" names no one).
_PERSON = re.compile(r"(?<!领导)(?<!有关)[\u4e00-\u9fff]{2}(?:先生|女士)|由[\u4e00-\u9fff]{2,4}担任|"
                     r"(?:组长|主任|局长|市长|负责人|联系人)[：:][\u4e00-\u9fff]{2,3}")
#: "列前5位", "前五名": how far the report's ranking goes.
_TOP_N = re.compile(r"前\s*(\d+)\s*(?:位|名)")
#: The question asks for a day, not only a year.
_DAY_ASK = re.compile(r"哪[一1]?天|几月几[日号]|几号|日期|\bwhat date\b|\bwhich day\b|\bon what day\b", re.I)


@dataclass(frozen=True)
class Need:
    """What the answer's sentence must hold to answer the question at all: the role whose holder is
    asked (a sentence about the 领导小组 names no 组长), a reason (为什么…), or a time (哪一年…)."""

    what: Literal["role", "reason", "time", "body", "rank", "person"]
    #: the role asked (for "role"); "day" or "month" when a time must name one (for "time"); the kind
    #: of body named (for "body": district, department, org); the place in a ranking (for "rank",
    #: "last" for its bottom); the title a person is named by where quoted (for "person": 市长)
    role: str = ""

    def met(self, sentence: str) -> bool:
        if self.what == "role":
            return self.role in sentence
        if self.what == "person" and self.role:
            return bool(re.search(_TITLED_SPEAKER.format(role=self.role), sentence))
        if self.what == "person":
            return bool(_PERSON.search(sentence))
        if self.what == "rank" and self.role == "last":
            return bool(_LEAST.search(sentence))
        if self.what == "body":
            return bool(_BODY_NAME[self.role].search(sentence))
        if self.what == "rank":  # a ranking that goes that far: "列前5位的分别为…" does not say who is 6th
            n, norm = int(self.role), normalize(sentence)
            tops = [int(m.group(1)) for m in _TOP_N.finditer(norm)]
            return f"第{n}" in norm or bool(tops and max(tops) >= n)
        if self.what == "reason":
            return bool(_CAUSAL.search(sentence))
        bare = _NAMED.sub("", sentence)  # 《2018年政务公开工作要点》, 〔2018〕: a name, not a time
        if self.role == "years":  # "能查到哪些年份": a span of years or several, not the one year
            return bool(_YEAR_SPAN.search(bare)) or len(set(re.findall(r"(?:19|20)\d{2}(?=年)", bare))) >= 2
        if self.role == "month":  # "哪个月…最多": one month, not the year's span (自2018年1月1日起至…12月31日止)
            bare = _DATE_SPAN.sub("", bare)
        return bool({"day": _DAY, "month": _MONTH}.get(self.role, _TIME).search(bare))

    def missing(self, lang: str) -> str:
        """Why the report does not answer, said in the question's language."""
        if self.what == "role":
            return f"报告中没有提到{self.role}是谁。" if lang == "zh" else f"the report does not name the {self.role}."
        if self.what == "person":
            return "报告中没有提到具体人员的姓名。" if lang == "zh" else "the report names no person for this."
        if self.what == "rank" and self.role == "last":
            return "报告的排名只列出了前几位，没有给出最少的。" if lang == "zh" else "the report's ranking gives the top, not the bottom."
        if self.what == "reason":
            return "报告没有说明原因。" if lang == "zh" else "the report gives no reason."
        if self.what == "body":
            zh = {"district": "哪个区县", "department": "哪个部门", "org": "哪家单位"}[self.role]
            en = {"district": "district or county", "department": "department", "org": "organisation"}[self.role]
            return f"报告没有说明是{zh}。" if lang == "zh" else f"the report does not name the {en}."
        if self.what == "rank":
            return (f"报告的排名没有列到第{self.role}位。" if lang == "zh"
                    else f"the report's ranking does not go as far as place {self.role}.")
        if self.role == "years":
            return "报告没有给出这些年份。" if lang == "zh" else "the report gives no span of years for this."
        return "报告没有给出时间。" if lang == "zh" else "the report gives no date for this."


#: An English question that asks a time starts by asking it ("when …", "in what year …"): a "when"
#: inside a clause ("charged … when they requested") does not.
_EN_TIME_ASK = re.compile(r"\s*(?:when\b|(?:in |on )?(?:what|which) (?:date|day|year|month)\b)", re.I)


#: "受理的，不是答复的", "（不是核准或备案项目）": what the asker rules out.
_NEGATED = re.compile(r"(?<!是)(?:不是|而非|并非|不含|不包括|不算)([^，,。？?：:；;（）()]{1,14})")


def negated(text: str) -> tuple[str, ...]:
    """The phrases a question rules out ("注意是受理不是答复" → 答复); "是不是" rules out nothing.

    >>> negated("2018年审批项目（不是核准或备案项目）有多少个？"), negated("是不是都公开了？")
    (('核准或备案项目',), ())
    """
    return tuple(m.group(1) for m in _NEGATED.finditer(normalize(text)))


def answer_needs(text: str, kind: str, lang: str = "zh") -> tuple[Need, ...]:
    """What the answer must hold (see :class:`Need`): every one of these, or none.

    >>> answer_needs("分管政务公开工作的副市长叫什么名字？", "name"), answer_needs("报告是谁编制的？", "name")
    ((Need(what='role', role='副市长'),), ())
    >>> [n.what for n in answer_needs("申请量排第6位的区县是哪个？", "name")]
    ['rank', 'body']
    """
    norm = normalize(text)
    m = _ROLE_ASK.search(norm)  # Chinese role nouns only: an English "head of …" has no report word to look for
    if m:
        words = precise_words(m.group(1))
        role = words[-1]
        if len(words) >= 2 and len(words[-2]) == 1 and words[-2] not in "的是在和与":
            role = words[-2] + role  # 副 + 市长: the prefix is part of the role
        return (Need("role", role if len(role) >= 2 else m.group(1)[-2:]),)
    if _REASON_ASK.search(norm):
        return (Need("reason"),)
    m = _EN_WHICH_MAYOR.search(text) if lang == "en" else None
    if m:  # "which mayor called for …": the mayor named where he speaks (唐良智市长要求…)
        return (Need("person", "副市长" if m.group(1) else "市长"),)
    if lang == "en" and _PERSON_ASK.search(text):
        return (Need("person"),)
    needs: list[Need] = []
    m = _RANK_ASK.search(norm)
    if m:
        place = next(g for g in m.groups() if g).lower()
        needs.append(Need("rank", _EN_ORDINAL.get(place, place)))
    elif kind != "compare" and _LEAST_ASK.search(norm) and _WHICH_BODY.search(norm):
        needs.append(Need("rank", "last"))  # which body is last: a ranking of the top does not say
    m = _WHICH_BODY.search(norm) if kind != "compare" else None  # 答复率最低的是哪个部门: a body, not a rate
    if m:
        needs.append(Need("body", _BODY_KIND.get(next(g for g in m.groups() if g).lower(), "org")))
    if _YEARS_ASK.search(norm):
        needs.append(Need("time", "years"))
    elif _MONTH_ASK.search(norm):
        needs.append(Need("time", "month"))
    elif kind == "date" and (lang == "zh" or _EN_TIME_ASK.match(text)):
        needs.append(Need("time", "day" if _DAY_ASK.search(norm) else ""))
    return tuple(needs)


def is_elliptical(text: str) -> bool:
    """A short question that leans on a previous one: "那区县政府呢？", "其中工业用地有几宗？"."""
    return bool(FOLLOWUP_START.search(text) or FOLLOWUP_END.search(text)) and len(CJK.findall(text)) <= 12


_RELATIVE_YEAR = re.compile(r"(前一年|上一年|前年|去年|今年|本年度|当年|那一年|那年|这一年)")
#: "last year", "over the past year": an English asker of the report means its year.
_EN_RELATIVE_YEAR = re.compile(r"\b(?:in |during |over |for )?(?:the )?(?:last|this|past) year\b", re.I)
#: "17年", "19年度" at the start of a phrase (not 连续17年, 17年来): a year written with two digits.
_SHORT_YEAR = re.compile(r"(?:^|(?<=[\s，,。？?！!：:；;（(“在是的到和与跟比从]))(\d{2})(?=年(?!代|来|间|多|以来|内|左右|前|后))")


def resolve_relative_years(text: str, report_year: str) -> str:
    """Relative years read as the report's own: the asker of a 2018 report who says 去年 or 今年
    means its year (the report is the one being asked); 前年 is the year before it.

    >>> resolve_relative_years("去年收到多少申请？", "2018")
    '2018年收到多少申请？'
    >>> resolve_relative_years("前年呢？", "2018")
    '2017年呢？'
    >>> resolve_relative_years("17年全市主动公开多少条？连续17年来", "2018")
    '2017年全市主动公开多少条？连续17年来'
    >>> resolve_relative_years("How many press releases went out last year?", "2018")
    'How many press releases went out in 2018?'
    """
    def year(m: re.Match[str]) -> str:
        if m.group(1) in ("前一年", "上一年"):
            return "上年"  # "跟前一年比": the year before, as the report says it (与上年度基本持平)
        return f"{int(report_year) - 1}年" if m.group(1) == "前年" else f"{report_year}年"

    def short(m: re.Match[str]) -> str:  # "17年全市…": a year written with two digits, near the report's
        full = report_year[:2] + m.group(1)
        return full if abs(int(full) - int(report_year)) <= 10 else m.group(1)

    text = _SHORT_YEAR.sub(short, _RELATIVE_YEAR.sub(year, text))
    return _EN_RELATIVE_YEAR.sub(f"in {report_year}", text)  # "last year", "this year": the report's


def detect_lang(text: str) -> Literal["zh", "en"]:
    cjk = len(CJK.findall(text))
    latin = sum(len(w) for w in LATIN_WORD.findall(text))
    return "en" if latin > 2 * cjk and latin >= 4 else "zh"


def unit_class(unit: str | None) -> str | None:
    if not unit:
        return None
    for key in sorted(UNIT_CLASS, key=len, reverse=True):
        if unit.endswith(key) or unit.startswith(key):
            return UNIT_CLASS[key]
    return "count"


_STRIP_ASK = re.compile(
    r"(?:请问|一共|总共|共计|合计|加起来|分别|大约|大概|约|有|是|为)?(?:多少|几)[^，,。？?]*$|[？?。！!]+$"
)
_LEAD = re.compile(r"^(?:请问|在|对于|关于)")
_TRAIL = re.compile(r"(?:大约|大概|约|一共|总共|共)$")
_PREDICATE = re.compile(r"合计|加起来|一共|总共|共计|之和|总和|总计|相加|加一块儿?|加在一起|加一起|相比|比较|"
                        r"的?(?:有|是|为)?(?:多少|几)")


def _phrase(text: str) -> str:
    text = _LEAD.sub("", text.strip(" ，,、的")).strip(" ，,、的")
    return _TRAIL.sub("", text).strip(" ，,、的")


_CONJUNCTIONS = frozenset({"和", "与", "跟", "以及", "及", "同", "、", "还是"})


def conjuncts(text: str) -> list[str]:
    """The things ``text`` names joined by conjunctions, without a count that sums them up:
    "“不属于本行政机关公开”和“申请信息不存在”这两类答复" → the two quoted names.

    >>> conjuncts("“不属于本行政机关公开”和“申请信息不存在”这两类答复")
    ['“不属于本行政机关公开”', '“申请信息不存在”']
    """
    text = re.sub(r"(?:这|那)?[两二三四五六七八九十\d]+[类种个项样]\S{0,4}$", "", text.strip())
    return [p for p in (_phrase(x) for x in _split_conjunction(text)) if p]


def _split_conjunction(segment: str) -> list[str]:
    """``segment`` split at its conjunctions — as words, so 同 in 同意 or 及 in 及时 is no "and"."""
    from qa.text import precise_words

    parts, current = [], ""
    for w in precise_words(segment):
        if w in _CONJUNCTIONS:
            parts.append(current)
            current = ""
        else:
            current += w
    return [p for p in [*parts, current] if p]


#: An operand that is only a period ("跟2017年", "去年同期"): the question asks a change over time.
_PERIOD_ONLY = re.compile(r"(?:跟|与|和|同|较)?(?:(?:19|20)\d{2}年度?|去年|前年|上年度?|[上前][一1]年度?|往年)(?:同期)?(?:相比|比)?")


def parse_comparison(q: str) -> Comparison | None:
    """The operands and operation of a comparison question, or None.

    >>> parse_comparison("区县政府受理的申请比市政府部门多多少件？").operands
    ('区县政府受理的申请', '市政府部门')
    >>> parse_comparison("政务微博和政务微信合计公开了多少条信息？").op
    'sum'
    """
    q = q.strip()
    m = re.search(r"([^，,]+?)比(.+?)(多|少|高|低)(?:出|了)?[\u4e00-\u9fff]{0,4}?了?(多少|几)", q)
    if m and "相比" not in m.group(0):
        a, b = _phrase(m.group(1)), _phrase(m.group(2))
        if _PERIOD_ONLY.fullmatch(a) or _PERIOD_ONLY.fullmatch(b):
            return None  # "跟上年比…少了百分之几": a change over time, which the report states (同比下降…)
        op: Op = "diff"
        # "A的M比B多": M is what is compared, for B too ("规范性文件的对外公开总数量比规章多多少")
        after_de = re.search(r"^.+?的(.{2,})$", a)
        measure = after_de.group(1) if after_de and "的" not in b else ""
        return Comparison(op, (a, b) if m.group(3) in "多高" else (b, a), q[m.end():], measure=measure)
    m = re.search(r"([^，,]+?)(?:和|与|跟|同)([^，,]+?)(?:之间)?(?:相差|差距是|之差是|之差|差了|差)(?:是|有|为)?(?:多少|几)", q)
    if m:  # "受理来信与办结来信相差多少件": the difference, whichever is larger
        return Comparison("diff", (_phrase(m.group(1)), _phrase(m.group(2))), q[m.end():])
    each = re.search(r"各(?:自)?(?:占|有|是|为)?了?(?:多少|几)|分别(?:是|有|占|为)?了?(?:多少|几)", q)
    if each:  # "男性和女性各占多少", "A、B分别有多少": a figure for each thing named
        segment = re.split(r"[，,]", q[: each.start()])[-1]
        parts = conjuncts(_PREDICATE.split(segment)[0])
        if len(parts) > 1:  # the rest of the question is what each is a figure of
            return Comparison("each", tuple(parts), q[: each.start() - len(segment)] + q[each.start():], loose=True)
        return None
    m = re.search(r"(.+?)是(.+?)的(?:多少|几)倍", q)
    if m:
        return Comparison("ratio", (_phrase(m.group(1)), _phrase(m.group(2))), "")
    m = re.search(r"(.+?)占(.+?)的?(?:比例|比重|百分之几|百分之多少|百分比|多少|几成)", q)
    if m and not re.fullmatch(r"(?:多少|几|百分之几|比|比例)(?:是|为)?", _phrase(m.group(2))):
        # "占多少比例" names no whole: a share the report states, asked as a rate
        return Comparison("share", (_phrase(m.group(1)), _phrase(m.group(2))), "")
    m = re.search(r"(.+?)(?:中|(?<![那这哪])里)[，,]?[^，,。]{0,10}?(?:没有|未|没|尚未|还没)(.+?)(?:的|[？?]|$)", q)
    if m:
        whole = _phrase(m.group(1))
        return Comparison("complement", (whole, _phrase(m.group(2))), whole)
    pick = re.search(r"(哪个|哪种|哪类|哪一类|哪项|哪一项|谁|哪一个|哪方)[^，,。？?]*?(更多|更高|更大|最多|最高|多|高|大|更少|更低|最少|少|低)", q)
    total = re.search(r"合计|加起来|共计|之和|总和|总计|相加|加一块|加在一起|加一起", q)
    # "A和B一共多少": two things named and a total asked of them — or one figure of a thing named so
    # ("企业和个体户一共多少户": the 市场主体 the report counts), which is tried when the sum is not found
    loose = not (pick or total) and bool(re.search(r"一共|总共", q))
    if loose and re.search(r"[这那]些|等|之类", q):
        return None  # "人民日报、重庆日报这些媒体上一共…": one thing, and examples of it
    total = total or (re.search(r"一共|总共", q) if loose else None)
    if not (pick or total):
        return None
    # the comma-separated segment that holds the conjunction: "…中，A和B相比，哪个…"
    head = q[: pick.start()] if pick else q
    segments = [s for s in re.split(r"[，,]", head) if len(_split_conjunction(s)) > 1]
    if not segments:
        return None
    segment = segments[-1]
    if re.search(r"各[类种个项级]?[^，,]{0,8}(?:中|里|当中)$", segment):
        return None  # "社会救助和社会福利惠及的各类对象中，哪一类…": the kinds are not named
    parts = [_phrase(p) for p in _split_conjunction(segment)]
    parts = [re.sub(r"(?:相比|比较|对比)$", "", p) for p in parts]
    parts[-1] = _PREDICATE.split(parts[-1])[0]  # "审批三类项目合计有多少个" → "审批三类项目"
    if loose and _PREDICATE.split(segment)[0].strip().endswith("的"):
        return None  # "对答复不服、去申请复议的一共多少件": those who did both, not two things
    shared = ""
    parts[-1] = re.sub(r"[一二三四五六七八九十两\d]+者(?:之中|当中|中)?$", "", parts[-1])  # "A、B、C三者中"
    m = re.search(r"^(.+?)(?:的|[一二三四五六七八九十两\d]+[类种个项大])(.*)$", parts[-1])
    if m:  # "审批项目的总投资", "审批三类项目": what follows is shared by every operand
        parts[-1], shared = m.group(1), m.group(2)
    parts = [_phrase(p) for p in parts if _phrase(p)]
    if len(parts) < 2:
        return None
    context = q.replace(segment, " ") + " " + shared
    if pick:
        op = "max" if pick.group(2)[-1] in "多高大" else "min"
        measure = _phrase(q[pick.end(1) : pick.start(2)])
        return Comparison(op, tuple(parts), context, also_diff=bool(re.search(r"(?:多|少|差|多出|高出|多了|少了)多少|相差", q)),
                          measure=re.sub(r"^(?:是|的)+|(?:是|的|最|更)+$", "", measure))
    return Comparison("sum", tuple(parts), context, loose=loose)


_EN_DIFF_ASK = re.compile(r"\b(?:by )?how (?:many|much)\b|\bwhat (?:was|is) the (?:gap|difference)\b|\band by\b", re.I)
_EN_MORE = r"(?:more|larger|largest|bigger|higher|highest|most|greater)"
_EN_LESS = r"(?:fewer|less|least|smaller|lower|lowest)"


def _en_phrase(text: str) -> str:
    text = text.strip(" ,.;:?!")
    if len(text.split()) > 2:  # "in person", "by fax": the preposition is half of what is said
        text = re.sub(r"^\s*(?:the|a|an|that|those|these|of|in|for|at|by|to)\s+", "", text, flags=re.I)
    else:
        text = re.sub(r"^\s*(?:the|a|an|that|those|these)\s+", "", text, flags=re.I)
    return re.sub(r"\s+(?:in|during|for|within)\s+(?:19|20)\d{2}$", "", text).strip(" ,.;:?!")


def _en_items(segment: str) -> list[str]:
    """"A, B and C" → [A, B, C] (an item list joined by commas, and, or)."""
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|versus|vs\.?)\s+", segment.strip())
    return [_en_phrase(p) for p in parts if _en_phrase(p)]


def parse_comparison_en(q: str) -> Comparison | None:
    """The operands and operation of an English comparison question, or None — the same
    :class:`Comparison` the Chinese parser gives, so the arithmetic is shared.

    >>> parse_comparison_en("How many more requests came in by letter than online?").operands
    ('requests came in by letter', 'online')
    >>> c = parse_comparison_en("Which channel released more items, official Weibo or official WeChat?")
    >>> c.op, c.operands
    ('max', ('official Weibo', 'official WeChat'))
    """
    text = q.strip().rstrip("?？.!")
    m = re.search(r"\bhow (?:many|much) (more|fewer|less)\b\s*(.+?)\s+than\s+(.+)$", text, re.I)
    if m:
        a, b = _en_phrase(m.group(2)), _en_phrase(m.group(3))
        if a and b:
            more = m.group(1).lower() == "more"
            return Comparison("diff", (a, b) if more else (b, a), "", measure=a.split()[0])
    m = re.search(r"\bby how (?:many|much)(?: [a-z]+)? did (.+?) (?:exceed|outnumber|top|surpass) (.+)$", text, re.I)
    if m:
        return Comparison("diff", (_en_phrase(m.group(1)), _en_phrase(m.group(2))), "")
    # "between the number of requests district and county governments received and the number
    # they answered": the second operand starts with the words that repeat the first's
    m = (re.search(r"\b(?:gap|difference) between (.+) and ((?:the|those|that|what|how) .+)$", text, re.I)
         or re.search(r"\b(?:gap|difference) between (.+?) and (.+)$", text, re.I))
    if m:
        return Comparison("diff", (_en_phrase(m.group(1)), _en_phrase(m.group(2))), "")
    m = re.search(r"\bwhat (?:share|percentage|proportion|fraction|part) of (?:the |all )*(.+?) "
                  r"(?:were|was|is|are|got|had|came from|went to|come from) (.+)$", text, re.I)
    if m:  # "(as opposed to districts and counties)": the asker's aside names the other part
        part = re.sub(r"\s*\((?:as opposed to|rather than|not|vs\.?|versus)\b[^)]*\)", "", m.group(2), flags=re.I)
        return Comparison("share", (_en_phrase(part), _en_phrase(m.group(1))), "")
    m = re.search(r"\bhow many times (?:as (?:much|many|large|high) )?(.+?) (?:compared (?:with|to)|as|than) (.+)$", text, re.I)
    if m:  # "how many times as much information did A disclose as B"
        return Comparison("ratio", (_en_phrase(m.group(1)), _en_phrase(m.group(2))), "")
    negation = r"(?:(?:were|was|are|is|had|have|did|do|does)(?: still)? (?:not|never)|(?:were|was|are|is|had|have|did|do|does)n't)"
    m = (re.search(rf"^\W*of (?:the )?(.+?),\s*how many (?:of them )?{negation}(?: yet| still)? (.+)$", text, re.I)
         or re.search(rf"\bhow many (?:of )?(?:the )?(.+?) (?:(?:still )?{negation}|(?:were |was )?\w+ but (?:still )?"
                      rf"(?:not|never)(?: yet)?)(?: yet| still)? (.+)$", text, re.I))
    if m and " than " not in text and not m.group(1).lower().startswith("times"):  # "how many times": how often
        # "how many letters were received but not yet resolved": the whole is the letters received
        received = re.search(r"(?:were |was )?(\w+) but (?:still )?(?:not|never)", m.group(0), re.I)
        whole = _en_phrase(m.group(1) + (" " + received.group(1) if received else ""))
        return Comparison("complement", (whole, _en_phrase(m.group(2))), whole)
    head, _, tail = text.partition(" or ")
    choice = tail and (re.search(r"[,:]", head) or re.match(r"\s*(?:were|was|did|is|are|do)\b", head, re.I))
    if choice and re.search(rf"\b(?:which|what|who|were|was|did|is|are|do)\b.*\b(?:{_EN_MORE}|{_EN_LESS})\b", text, re.I):
        left = re.split(r"[,:;]|\b(?:more|most|fewer|less|larger|higher|bigger)\b|\b(?:filed|released|published|sent|received|made)\b",
                        head, flags=re.I)[-1]
        right = re.split(r"[,;:?]|\band\b", tail, maxsplit=1, flags=re.I)[0]
        parts = [re.sub(r"^(?:more|fewer|less)\s+", "", _en_phrase(p), flags=re.I) for p in (left, right)]
        if all(parts):
            less = re.search(rf"\b{_EN_LESS}\b", head, re.I) and not re.search(rf"\b{_EN_MORE}\b", head, re.I)
            return Comparison("min" if less else "max", tuple(parts), text,
                              also_diff=bool(_EN_DIFF_ASK.search(tail) or re.search(r"\bgap\b|\bby how", text, re.I)))
    return _parse_sum_en(text)


#: Words that ask for a sum: "combined", "taken together", "adding up", "in total … either A or B".
_EN_SUM_CUE = r"\b(?:combined|taken together|altogether|put together|together|sum of|in total|adding up|add up|adding|counting)\b"


def _parse_sum_en(text: str) -> Comparison | None:
    """"What was the combined total investment of A, B and C", "Adding together A and B, how many …",
    "How many … in total were A or B": a sum of the items named."""
    if not re.search(_EN_SUM_CUE, text, re.I):
        return None
    either = re.search(r"\beither (.+?) or (.+?)(?:,|$)", text, re.I)
    lead = re.match(r"\W*(?:adding up|add up|adding together|add together|adding|counting|put together|taken together)\s+"
                    r"(.+?)(?:\s+together)?,\s*(?:how|what)\b", text, re.I)
    if either:
        segment = f"{either.group(1)} and {either.group(2)}"
    elif lead:  # "Counting approved, filed and reviewed projects together, how many …"
        segment = lead.group(1)
    else:
        stripped = re.sub(rf"{_EN_SUM_CUE}|\btotal\b", "", text, flags=re.I).strip(" ,")
        stripped = re.sub(r"^\W*,\s*", "", stripped)
        of = re.search(r"\b(?:of|for|were)\s+(?:the\s+|all\s+)*(.+?(?:,| and | or ).+?)"
                       r"(?:\s+(?:in|during)\s+(?:19|20)\d{2})?[\s,]*$", stripped, re.I)
        segment = of.group(1) if of else stripped
        segment = re.sub(r"^(?:how many|what was|what is|how much)\s+", "", segment, flags=re.I)
    items = _en_items(segment)
    if len(items) >= 2 and re.search(r" and | or ", segment):
        return Comparison("sum", tuple(items), text)
    return None


def analyse(text: str, history: tuple[str, ...] = (), comparisons: bool = True) -> Question:
    """What ``text`` asks (``comparisons=False``: read as a question of one figure)."""
    norm = normalize(text)
    lang = detect_lang(text)
    comparison = None if not comparisons else parse_comparison(norm) if lang == "zh" else parse_comparison_en(text)
    kind: QuestionKind = "fact"
    if comparison is not None:
        kind = "compare"
    else:
        for name, pattern in _KIND_RULES:
            if pattern.search(norm):
                kind = name
                break
    if kind == "fact" and history:
        # "那区县政府呢？": asks what the previous question asked, of another subject
        previous = analyse(history[-1], history[:-1])
        kind, comparison = previous.kind if previous.kind != "compare" else "fact", None
    if kind == "docno" and DOCNO.search(norm):
        kind = "name"  # the document number is given: the title is asked
    unit = None
    asks = list(_ASK_UNIT.finditer(norm))
    if asks and asks[-1].group(1):
        unit = asks[-1].group(1)
    if kind == "rate":
        unit = "%"
    elif _DAYS_ASK.search(norm):
        unit = "天"  # "多少个工作日", "几个月": a length of time, not a count of things
    elif unit is None and (_MONEY_ASK.search(norm) or (lang == "en" and _MONEY_ASK_EN.search(text))):
        unit = "元"  # "总金额是多少", "花了多少钱": an amount of money, whatever the figure is counted in
    elif unit is None and history and kind != "fact":
        unit = analyse(history[-1], history[:-1]).unit
    years = tuple(dict.fromkeys(YEAR.findall(norm)))
    digits = unicodedata.normalize("NFKC", text).replace(",", "")  # written digits only, not 一/五
    figures = tuple(
        mm.group(0)
        for mm in re.finditer(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![A-Za-z\d])", digits)  # not 4A, IPv6, 5G
        if not YEAR.fullmatch(mm.group(0)) and not re.match(r"年", digits[mm.end():mm.end() + 1])
    )
    followup = bool(history)
    return Question(
        text=text, norm=norm, lang=lang, kind=kind, unit=unit, unit_class=unit_class(unit),
        years=years, figures=figures, comparison=comparison, history=history, followup=followup,
    )
