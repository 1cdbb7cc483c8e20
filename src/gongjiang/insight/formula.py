"""The indicator formula language: a small, safe expression language over the register's facts.

A formula is an aggregate over one fact table, or arithmetic over several:

    count(graduates where destination in ("employed", "self_employed") and form = "full_time")
    sum(teachers.practice_months where category = "specialist")
    mean(graduates.monthly_pay where destination = "employed" and monthly_pay is not null)
    count_distinct(majors.major_code) / count(schools)

It is parsed with a Lark grammar into a tree and type-checked against the facts' schemas; it is
never `eval`ed. Every error names the problem and where it is (line and column). Compiling turns
the checked tree into Ibis expressions, so one formula runs on every back end Ibis has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

FieldType = Literal["string", "int", "float", "bool", "date"]
NUMERIC: frozenset[str] = frozenset({"int", "float"})
AGGREGATES = ("count", "count_distinct", "sum", "mean", "min", "max")

GRAMMAR = r"""
?start: arith

?arith: term (ADD_OP term)*
?term: factor (MUL_OP factor)*
?factor: aggregate
       | NUMBER                 -> number
       | "(" arith ")"
       | "-" factor             -> neg

aggregate: AGG "(" source [_WHERE condition] ")"
source: NAME ("." NAME)?

?condition: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr        -> not_
         | comparison
?comparison: value CMP_OP value            -> compare
           | value _IN "(" value ("," value)* ")"   -> in_
           | value _NOT _IN "(" value ("," value)* ")"   -> not_in
           | value _IS _NULL               -> is_null
           | value _IS _NOT _NULL          -> is_not_null
           | value
?value: vterm (ADD_OP vterm)*   -> varith
?vterm: vfactor (MUL_OP vfactor)* -> varith
?vfactor: NAME                  -> field
        | NUMBER                -> number
        | STRING                -> string
        | _TRUE                 -> true
        | _FALSE                -> false
        | "(" condition ")"

AGG.2: /(count_distinct|count|sum|mean|min|max)(?=\s*\()/
_WHERE.2: /where\b/i
_OR.2: /or\b/i
_AND.2: /and\b/i
_NOT.2: /not\b/i
_IN.2: /in\b/i
_IS.2: /is\b/i
_NULL.2: /null\b/i
_TRUE.2: /true\b/i
_FALSE.2: /false\b/i
CMP_OP: "<=" | ">=" | "!=" | "=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
NAME: /[a-z_][a-z0-9_]*/
STRING: /"[^"\n]*"/
NUMBER: /\d+(\.\d+)?/

%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)


class FormulaError(ValueError):
    """A formula that does not parse or does not fit the facts; says what and where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = _("第 %(line)s 行第 %(column)s 列：") % {"line": line, "column": column} if line else ""
        super().__init__(f"{where}{message}")


@dataclass(frozen=True)
class FactSchema:
    """What a formula may name in one fact table: its fields and their types, and its dimensions."""

    name: str
    fields: Mapping[str, FieldType]
    dimensions: tuple[str, ...]


# The checked tree: small frozen records, each knowing its type and where it came from.


@dataclass(frozen=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True)
class Constant(Node):
    value: Any
    type: FieldType


@dataclass(frozen=True)
class Field(Node):
    name: str
    type: FieldType


@dataclass(frozen=True)
class Operation(Node):
    op: str
    args: tuple[Any, ...]
    type: FieldType


@dataclass(frozen=True)
class Aggregate(Node):
    function: str
    fact: str
    field: str | None
    where: Any | None
    type: FieldType


@dataclass(frozen=True)
class Formula:
    """A parsed, checked formula: its tree, the facts it reads and its text."""

    text: str
    tree: Any
    facts: frozenset[str]

    def fields(self, fact: str) -> list[str]:
        """The fields of `fact` the formula reads, in the order they appear."""
        names: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, Field) and node.name not in names:
                names.append(node.name)
            elif isinstance(node, Operation):
                for arg in node.args:
                    walk(arg)

        for aggregate in self.aggregates():
            if aggregate.fact == fact:
                if aggregate.field and aggregate.field not in names:
                    names.append(aggregate.field)
                walk(aggregate.where)
        return names

    def aggregates(self) -> list[Aggregate]:
        found: list[Aggregate] = []

        def walk(node: Any) -> None:
            if isinstance(node, Aggregate):
                found.append(node)
            elif isinstance(node, Operation):
                for arg in node.args:
                    walk(arg)

        walk(self.tree)
        return found


def _pos(meta: Any) -> tuple[int, int]:
    return getattr(meta, "line", 0) or 0, getattr(meta, "column", 0) or 0


@v_args(meta=True)
class _Builder(Transformer[Token, Any]):
    """Turns Lark's tree into checked nodes, with the facts' schemas at hand."""

    def __init__(self, facts: Mapping[str, FactSchema]) -> None:
        super().__init__()
        self.facts = facts
        self.current: FactSchema | None = None

    # Row-level values, inside an aggregate.

    def field(self, meta: Any, children: list[Token]) -> Field:
        token = children[0]
        name = str(token)
        line, column = token.line or 0, token.column or 0
        if self.current is None:
            raise FormulaError(_("字段 %(name)s 只能写在汇总函数里面") % {"name": name}, line, column)
        if name not in self.current.fields:
            known = "、".join(sorted(self.current.fields))
            raise FormulaError(
                _("事实表 %(fact)s 没有字段 %(name)s（可用：%(known)s）")
                % {"fact": self.current.name, "name": name, "known": known},
                line,
                column,
            )
        return Field(line, column, name, self.current.fields[name])

    def number(self, meta: Any, children: list[Token]) -> Constant:
        text = str(children[0])
        line, column = children[0].line or 0, children[0].column or 0
        return Constant(line, column, float(text) if "." in text else int(text), "float" if "." in text else "int")

    def string(self, meta: Any, children: list[Token]) -> Constant:
        token = children[0]
        return Constant(token.line or 0, token.column or 0, str(token)[1:-1], "string")

    def true(self, meta: Any, children: list[Token]) -> Constant:
        return Constant(*_pos(meta), True, "bool")

    def false(self, meta: Any, children: list[Token]) -> Constant:
        return Constant(*_pos(meta), False, "bool")

    def varith(self, meta: Any, children: list[Any]) -> Any:
        return self._arith(children)

    def arith(self, meta: Any, children: list[Any]) -> Any:
        return self._arith(children)

    def term(self, meta: Any, children: list[Any]) -> Any:
        return self._arith(children)

    def _arith(self, children: list[Any]) -> Any:
        result = children[0]
        for op_token, right in zip(children[1::2], children[2::2], strict=True):
            op = str(op_token)
            for side in (result, right):
                if side.type not in NUMERIC:
                    raise FormulaError(
                        _("运算 %(op)s 只能用于数值，这里是%(kind)s") % {"op": op, "kind": _type_name(side.type)},
                        side.line,
                        side.column,
                    )
            kind: FieldType = "float" if op == "/" or "float" in (result.type, right.type) else "int"
            result = Operation(op_token.line or 0, op_token.column or 0, op, (result, right), kind)
        return result

    def neg(self, meta: Any, children: list[Any]) -> Any:
        (inner,) = children
        if inner.type not in NUMERIC:
            raise FormulaError(_("负号只能用于数值"), inner.line, inner.column)
        return Operation(*_pos(meta), "neg", (inner,), inner.type)

    def compare(self, meta: Any, children: list[Any]) -> Operation:
        left, op_token, right = children
        _comparable(left, right, str(op_token))
        return Operation(op_token.line or 0, op_token.column or 0, str(op_token), (left, right), "bool")

    def in_(self, meta: Any, children: list[Any]) -> Operation:
        left, *options = children
        for option in options:
            if not isinstance(option, Constant):
                raise FormulaError(_("in 后的括号里只能写常量"), option.line, option.column)
            _comparable(left, option, "in")
        return Operation(*_pos(meta), "in", (left, tuple(o.value for o in options)), "bool")

    def not_in(self, meta: Any, children: list[Any]) -> Operation:
        inside = self.in_(meta, children)
        return Operation(inside.line, inside.column, "not", (inside,), "bool")

    def is_null(self, meta: Any, children: list[Any]) -> Operation:
        return Operation(*_pos(meta), "is_null", (children[0],), "bool")

    def is_not_null(self, meta: Any, children: list[Any]) -> Operation:
        return Operation(*_pos(meta), "not_null", (children[0],), "bool")

    def not_(self, meta: Any, children: list[Any]) -> Operation:
        (inner,) = children
        _boolean(inner)
        return Operation(*_pos(meta), "not", (inner,), "bool")

    def and_expr(self, meta: Any, children: list[Any]) -> Operation:
        for child in children:
            _boolean(child)
        return Operation(*_pos(meta), "and", tuple(children), "bool")

    def or_expr(self, meta: Any, children: list[Any]) -> Operation:
        for child in children:
            _boolean(child)
        return Operation(*_pos(meta), "or", tuple(children), "bool")


def _type_name(kind: str) -> str:
    names = {"string": _("文本"), "int": _("整数"), "float": _("小数"), "bool": _("是否"), "date": _("日期")}
    return names.get(kind, kind)


def _boolean(node: Any) -> None:
    if node.type != "bool":
        raise FormulaError(
            _("这里需要一个条件（是/否），却是%(kind)s") % {"kind": _type_name(node.type)}, node.line, node.column
        )


def _comparable(left: Any, right: Any, op: str) -> None:
    kinds = {left.type, right.type}
    if kinds <= NUMERIC or len(kinds) == 1:
        if op in {"<", ">", "<=", ">="} and kinds & {"bool"}:
            raise FormulaError(_("是否字段不能比较大小"), left.line, left.column)
        return
    if kinds == {"date", "string"} and isinstance(right, Constant):
        try:
            dt.date.fromisoformat(right.value)
        except ValueError as exc:
            raise FormulaError(
                _('日期要写成 "YYYY-MM-DD"：%(value)s') % {"value": right.value}, right.line, right.column
            ) from exc
        return
    raise FormulaError(
        _("不能用 %(op)s 比较%(left)s和%(right)s")
        % {"op": op, "left": _type_name(left.type), "right": _type_name(right.type)},
        left.line,
        left.column,
    )


def parse(text: str, facts: Mapping[str, FactSchema]) -> Formula:
    """Parse and check one formula against the facts' schemas; FormulaError on any problem."""
    try:
        tree = _PARSER.parse(text)
    except UnexpectedEOF as exc:
        raise FormulaError(_("公式不完整：在结尾处还缺少内容"), exc.line, exc.column) from exc
    except UnexpectedCharacters as exc:
        raise FormulaError(
            _("无法识别的字符 %(char)s") % {"char": repr(text[exc.pos_in_stream or 0])}, exc.line, exc.column
        ) from exc
    except UnexpectedToken as exc:
        found = _("公式结尾") if exc.token.type == "$END" else repr(str(exc.token))
        raise FormulaError(_("此处不应出现 %(token)s") % {"token": found}, exc.line, exc.column) from exc
    except UnexpectedInput as exc:  # pragma: no cover - the three above are all Lark raises for LALR
        raise FormulaError(_("公式无法解析"), exc.line, exc.column) from exc
    builder = _Builder(facts)
    node = _build(tree, builder, facts)
    used = frozenset(a.fact for a in Formula(text, node, frozenset()).aggregates())
    return Formula(text, node, used)


def _build(tree: Any, builder: _Builder, facts: Mapping[str, FactSchema]) -> Any:
    """Walk the top level by hand, so each aggregate's inside is checked against its own fact."""
    if isinstance(tree, Token):
        return builder.number(None, [tree])
    if tree.data == "aggregate":
        return _aggregate(tree, builder, facts)
    if tree.data == "neg":
        return builder.neg(tree.meta, [_build(tree.children[0], builder, facts)])
    if tree.data == "number":
        return builder.number(tree.meta, tree.children)
    if tree.data in {"arith", "term"}:
        children = [c if isinstance(c, Token) else _build(c, builder, facts) for c in tree.children]
        return builder._arith(children)
    raise FormulaError(_("公式的最外层只能是汇总函数及其四则运算"), *_pos(tree.meta))  # pragma: no cover


def _aggregate(tree: Tree[Token], builder: _Builder, facts: Mapping[str, FactSchema]) -> Aggregate:
    function_token, source, where = tree.children
    assert isinstance(function_token, Token) and isinstance(source, Tree)
    function = str(function_token)
    line, column = function_token.line or 0, function_token.column or 0
    names = [str(t) for t in source.children if t is not None]
    fact_name, field_name = names[0], (names[1] if len(names) > 1 else None)
    if fact_name not in facts:
        known = "、".join(sorted(facts))
        raise FormulaError(
            _("没有名为 %(name)s 的事实表（可用：%(known)s）") % {"name": fact_name, "known": known}, *_pos(source.meta)
        )
    schema = facts[fact_name]
    kind: FieldType = "int"
    if field_name is not None:
        if field_name not in schema.fields:
            raise FormulaError(
                _("事实表 %(fact)s 没有字段 %(name)s") % {"fact": fact_name, "name": field_name}, *_pos(source.meta)
            )
        field_type = schema.fields[field_name]
        if function in {"sum", "mean"} and field_type not in NUMERIC:
            raise FormulaError(
                _("%(function)s 只能汇总数值字段，%(name)s 是%(kind)s")
                % {"function": function, "name": field_name, "kind": _type_name(field_type)},
                *_pos(source.meta),
            )
        kind = "float" if function == "mean" else field_type if function in {"sum", "min", "max"} else "int"
    elif function != "count":
        raise FormulaError(
            _("%(function)s 需要写明字段，例如 %(function)s(%(fact)s.字段)")
            % {"function": function, "fact": fact_name},
            line,
            column,
        )
    condition = None
    if where is not None:
        assert isinstance(where, Tree)
        builder.current = schema
        try:
            condition = builder.transform(where)
        except VisitError as exc:
            # Lark wraps what a rule raises; the formula's own error is what the reader needs.
            if isinstance(exc.orig_exc, FormulaError):
                raise exc.orig_exc from None
            raise
        finally:
            builder.current = None
        _boolean(condition)
    return Aggregate(line, column, function, fact_name, field_name, condition, kind)


# Compiling to Ibis.


def compile_row(node: Any, table: ir.Table) -> ir.Value:
    """A row-level node (inside an aggregate) as an Ibis value expression over the fact table."""
    if isinstance(node, Constant):
        return ibis.literal(node.value)
    if isinstance(node, Field):
        return table[node.name]
    assert isinstance(node, Operation)
    op, args = node.op, node.args
    if op == "in":
        return compile_row(args[0], table).isin(list(args[1]))
    if op == "is_null":
        return compile_row(args[0], table).isnull()
    if op == "not_null":
        return compile_row(args[0], table).notnull()
    if op == "not":
        return ~compile_row(args[0], table)
    if op == "neg":
        return -compile_row(args[0], table)
    values = [compile_row(a, table) for a in args]
    if op in {"and", "or"}:
        result = values[0]
        for value in values[1:]:
            result = (result & value) if op == "and" else (result | value)
        return result
    left, right = values
    if isinstance(args[1], Constant) and args[0].type == "date" and args[1].type == "string":
        right = ibis.date(args[1].value)
    return _BINARY[op](left, right)


_BINARY: dict[str, Any] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a.cast("float64") / b,
}


def compile_aggregate(node: Aggregate, table: ir.Table) -> ir.Scalar:
    """One aggregate as an Ibis reduction over its fact table (rows failing `where` or null do not count)."""
    where = compile_row(node.where, table).fill_null(False) if node.where is not None else None
    if node.function == "count":
        return table.count(where=where)
    column = table[node.field]
    if node.function == "count_distinct":
        return column.nunique(where=where)
    if column.type().is_integer() and node.function in {"sum", "mean"}:
        column = column.cast("float64")
    reduction = getattr(column, node.function)
    return reduction(where=where)


def evaluate(node: Any, values: Mapping[Aggregate, Any]) -> float | None:
    """The formula's value from its aggregates' results; null stays null, x/0 is null."""
    if isinstance(node, Aggregate):
        value = values[node]
        return None if value is None else float(value)
    if isinstance(node, Constant):
        return float(node.value)
    assert isinstance(node, Operation)
    args = [evaluate(a, values) for a in node.args]
    if any(a is None for a in args):
        return None
    if node.op == "neg":
        return -float(args[0])  # type: ignore[arg-type]
    left, right = float(args[0]), float(args[1])  # type: ignore[arg-type]
    if node.op == "/":
        return None if right == 0 else left / right
    return float(_BINARY[node.op](left, right))
