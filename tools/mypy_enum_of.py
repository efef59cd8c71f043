"""A mypy plugin for the API's enums built at run time from the domain's tuples (server/graphql/enums.py).

`Role = enum_of("Role", ROLES, ...)` makes an Enum class whose members are the domain's values; mypy
cannot see a class made by a call, so this tells it: the name is an Enum subclass (usable in
annotations), with members it cannot list (member access is typed Any). As SQLAlchemy's plugin does
for declarative_base().
"""
from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import GDEF, Block, ClassDef, SymbolTable, SymbolTableNode, TypeInfo
from mypy.plugin import DynamicClassDefContext, Plugin

ENUM_FACTORY = "server.graphql.enums.enum_of"


def _derived_enum(ctx: DynamicClassDefContext) -> None:
    enum = ctx.api.named_type("enum.Enum")
    class_def = ClassDef(ctx.name, Block([]))
    class_def.fullname = ctx.api.qualified_name(ctx.name)
    info = TypeInfo(SymbolTable(), class_def, ctx.api.cur_mod_id)
    class_def.info = info
    info.bases = [enum]
    info.mro = [info, *enum.type.mro]
    info.metaclass_type = enum.type.metaclass_type
    info.fallback_to_any = True  # its members come from data
    ctx.api.add_symbol_table_node(ctx.name, SymbolTableNode(GDEF, info))


class EnumOfPlugin(Plugin):
    def get_dynamic_class_hook(self, fullname: str) -> Callable[[DynamicClassDefContext], None] | None:
        return _derived_enum if fullname == ENUM_FACTORY else None


def plugin(version: str) -> type[Plugin]:
    return EnumOfPlugin
