"""Every template starts with a `{# context: … #}` header: the interface an office's override
relies on (bot/templates/README.md). The header declares exactly the names the template reads,
no more and no fewer; it names every field read straight from them; and the template renders
from values built for the declared names alone (StrictUndefined fails on any other).
"""

from __future__ import annotations

import re

import pytest
from jinja2 import UndefinedError, meta, nodes

from bot.render import Renderer, TemplateProblem
from tests.template_values import RENDER, SHORT, context_for, examples

ALL = sorted(name.removesuffix(".j2") for name in RENDER.env.list_templates(extensions=["j2"]))


def parsed(render: Renderer, template: str) -> nodes.Template:
    return render.env.parse(render.env.loader.get_source(render.env, f"{template}.j2")[0])


def read(render: Renderer, template: str) -> set[str]:
    """The names a template takes from its context: its own, and those a partial it includes
    (which sees its context) declares, less the names it sets itself."""
    tree = parsed(render, template)
    names = set(meta.find_undeclared_variables(tree))
    own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for include in tree.find_all(nodes.Include):
        if isinstance(include.template, nodes.Const):
            names |= set(render.declared(include.template.value.removesuffix(".j2"))) - own
    return names - set(render.env.globals)


def _root(node: nodes.Node) -> str | None:
    while isinstance(node, nodes.Getitem | nodes.Filter):
        node = node.node
    return node.name if isinstance(node, nodes.Name) else None


def fields_read(render: Renderer, template: str, name: str) -> set[str]:
    """Fields read straight from `name`, or from a loop variable over it: `report.version`,
    `unit.name` in `{% for unit in units %}`, `lights["红"]`."""
    tree = parsed(render, template)
    aliases = {name}
    for loop in tree.find_all(nodes.For):
        if _root(loop.iter) in aliases and isinstance(loop.target, nodes.Name):
            aliases.add(loop.target.name)
    found = {
        g.attr
        for g in tree.find_all(nodes.Getattr)
        if isinstance(g.node, nodes.Name) and g.node.name in aliases
    }
    return found | {
        g.arg.value
        for g in tree.find_all(nodes.Getitem)
        if isinstance(g.node, nodes.Name) and g.node.name in aliases
        if isinstance(g.arg, nodes.Const) and isinstance(g.arg.value, str)
    }


def unnamed(about: str, fields: set[str]) -> set[str]:
    """The fields a declaration's description does not mention as `.field` or `["field"]`."""
    return {f for f in fields if not re.search(rf'\.{f}(?!\w)|\["{f}"\]', about)}


@pytest.mark.parametrize("template", ALL)
def test_a_header_declares_exactly_the_names_the_template_reads(template):
    declared = set(RENDER.declared(template))
    used = read(RENDER, template)
    assert (used - declared, declared - used) == (set(), set()), "(undeclared, unused)"


@pytest.mark.parametrize("template", ALL)
def test_a_header_names_every_field_the_template_reads(template):
    for name, about in RENDER.declared(template).items():
        assert not unnamed(about, fields_read(RENDER, template, name)), (name, about)


@pytest.mark.parametrize("template", ALL)
def test_every_template_renders_from_its_declared_names_alone(template):
    assert set(examples(SHORT).get(template, {})) <= set(RENDER.declared(template))
    RENDER(template, **context_for(template, SHORT))  # StrictUndefined: any other name raises


OVERRIDE = """{# context:
   person: Person — the reader: .name
   role_label: str — their role
#}
您好，{{ person.name }}（{{ person.phone }}）！您是{{ role_label }}，{{ nickname }}。"""


def test_an_override_that_reads_an_undeclared_name_is_caught(tmp_path):
    (tmp_path / "welcome.j2").write_text(OVERRIDE, encoding="utf-8")
    office = Renderer(tmp_path)
    assert read(office, "welcome") - set(office.declared("welcome")) == {"nickname"}
    assert unnamed(office.declared("welcome")["person"], fields_read(office, "welcome", "person"))
    with pytest.raises(UndefinedError, match="nickname"):
        office("welcome", **context_for("welcome", SHORT, office))


@pytest.mark.parametrize(
    "source",
    ["您好，{{ person.name }}！", "{# context:\n   person Person, the reader\n#}{{ person }}"],
    ids=["no header", "not a declaration"],
)
def test_an_override_without_a_readable_header_is_refused(tmp_path, source):
    (tmp_path / "welcome.j2").write_text(source, encoding="utf-8")
    with pytest.raises(TemplateProblem, match="welcome"):
        Renderer(tmp_path).declared("welcome")
