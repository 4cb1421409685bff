"""Server-side template injection: template delimiters around an expression (arithmetic,
attribute walks to dunder objects, calls, engine built-ins), in the syntaxes of Jinja2/Twig/
Django, FreeMarker/Velocity/Thymeleaf/Spring EL, ERB/EJS, Smarty, Razor, Handlebars, Mako.

A placeholder like ``{{ name }}`` or ``${AWS::Region}`` with a plain name is not flagged.
"""

from __future__ import annotations

import re

from faasguard.guard.detection import Detection, excerpt_of

_EXPR_BODY = r"[^{}]{0,400}"
_DELIMITED = re.compile(
    r"\{\{" + _EXPR_BODY + r"\}\}|\{%" + _EXPR_BODY + r"%\}|\$\{" + _EXPR_BODY + r"\}|#\{" + _EXPR_BODY
    + r"\}|\*\{" + _EXPR_BODY + r"\}|@\{" + _EXPR_BODY + r"\}|<%=?" + _EXPR_BODY + r"%>|\[\[" + _EXPR_BODY
    + r"\]\]|\{php\}|\{\{=|<#(?:assign|list|if|include)\b|#set\s*\(|#foreach\s*\(|@\(" + _EXPR_BODY
    + r"\)|\$\{\{|\{\{|\$\{|#\{|<%",
    re.IGNORECASE,
)
_DANGEROUS_INSIDE = re.compile(
    r"__(?:class|mro|subclasses|globals|builtins|init|import|base|bases|dict|getattribute|reduce)__|"
    r"\b(?:config|self|request|lipsum|cycler|joiner|namespace|range|_self|app|settings|url_for|"
    r"get_flashed_messages|dump|env|getattr|attr|popen|system|exec|eval|import|include|getruntime|"
    r"runtime|processbuilder|classloader|forname|getclass|newinstance|ognl|freemarker|execute|"
    r"require|process|constructor|global|this|object|new|t\s*\(|invoke|getmethod|getresource|"
    r"file|read|write|open|os|subprocess|sys|cmd|id|block|set|for|if|macro|call|filter|load|"
    r"php|echo|smarty|template|raw|debug|map|join|first|last|split|lower|upper|e|safe|escape)\b|"
    r"\d\s*['\"]?\s*[*+/%-]\s*['\"]?\d|['\"][^'\"]*['\"]\s*[*+]|\w\s*\(|\|\s*\w+|\?\s*(?:new|lower_abc|upper_abc|c)\b|"
    r"\[\s*['\"\d]",
    re.IGNORECASE,
)
_PLAIN_PLACEHOLDER = re.compile(
    r"^(?:\{\{|\$\{|#\{|\*\{|@\{|\[\[)\s*[A-Za-z_][\w.:-]{0,60}\s*(?:\}\}|\}|\]\])$"
)
_MAX_CANDIDATES = 64
_HINT = re.compile(r"\{\{|\{%|\$\{|#\{|\*\{|@\{|<%|\[\[|\{php\}|<#|#set|#foreach|@\(|\{\$|"
                   r"\{(?:var|assign|capture|foreach|include|system|exec|passthru|shell_exec|eval|fetch|math|php)\b",
                   re.IGNORECASE)


_POLYGLOT_MARKERS = ("${", "{{", "<%", "[%", "#{", "{%", "*{", "@{")


# template control syntax that has no place in user data: statement tags ({% for %}, {% endif %},
# {%- set -%}), Handlebars/Mustache sections and partials ({{#each}}, {{/if}}, {{> x}}), Smarty/Latte
# variables and tags ({$x}, {var $x = ...})
_CONTROL_TAG = re.compile(
    r"\{%-?\s*(?:end)?[a-z_]{2,20}\b[^{}]{0,400}%\}|\{\{~?\s*[#^/>]\s*[a-z_][\w.-]{0,60}[^{}]{0,200}\}\}|"
    r"\{\$[a-z_]\w{0,60}(?:[.\[|-][^{}]{0,200})?\}|\{(?:var|assign|capture|foreach|include)\s+\$?[a-z_][^{}]{0,200}\}|"
    # Smarty function tags: {system('id')}, {fetch file="/etc/passwd"}, {math equation="..."}
    r"\{(?:system|exec|passthru|shell_exec|eval|fetch|math|php)\s*[(\s][^{}]{0,200}\}",
    re.IGNORECASE,
)


def detect_ssti(text: str) -> Detection | None:
    if not _HINT.search(text):
        return None
    if len(text) <= 200 and sum(1 for marker in _POLYGLOT_MARKERS if marker in text) >= 3:
        return Detection("ssti", "FG-SSTI-003", "", excerpt_of(text, 0, len(text)), "high",
                         "template-engine polyglot probe")
    for count, m in enumerate(_DELIMITED.finditer(text)):
        if count >= _MAX_CANDIDATES:
            break  # bounded work: a value with hundreds of template openers is judged on the first ones
        found = m.group(0)
        if _PLAIN_PLACEHOLDER.match(found) and not _names_engine_object(found):
            if _is_probe_placeholder(found, text):
                return Detection("ssti", "FG-SSTI-002", "", excerpt_of(text, m.start(), m.end()), "medium",
                                 "template placeholder in user input")
            continue
        if len(found) <= 3 and found not in ("{{=",) and not found.endswith("}"):  # an unterminated opener only
            if _unterminated_expression(text, m.end()):
                return Detection("ssti", "FG-SSTI-001", "", excerpt_of(text, m.start(), m.end() + 40), "high",
                                 "template expression")
            continue
        output_tag = found.startswith(("{{=", "<%=")) and len(found.strip("{}<%=> ")) > 0
        if output_tag or found.lower() == "{php}" or found.startswith(("<#", "#set", "#foreach")) or \
                _DANGEROUS_INSIDE.search(found):
            return Detection("ssti", "FG-SSTI-001", "", excerpt_of(text, m.start(), m.end()), "high",
                             "template expression")
    control = _CONTROL_TAG.search(text)
    if control:
        return Detection("ssti", "FG-SSTI-004", "", excerpt_of(text, control.start(), control.end()), "high",
                         "template control tag")
    return None


_ENGINE_OBJECTS = frozenset({"config", "self", "request", "settings", "app", "_self", "lipsum", "cycler", "joiner",
                             "namespace", "url_for", "get_flashed_messages", "environment", "session", "g",
                             "_context", "context", "application", "this", "class"})


def _names_engine_object(found: str) -> bool:
    """``{{config}}``, ``{{self._TemplateReference__context}}``: a plain-looking name that walks
    into the engine's own objects."""
    inner = found.strip("{}$#*@[] \t")
    root = re.split(r"[.:\-]", inner, maxsplit=1)[0].lower()
    return "__" in inner or root in _ENGINE_OBJECTS


def _is_probe_placeholder(found: str, text: str) -> bool:
    """``${x}`` alone as a whole value is a probe, but inside a longer text it is a placeholder."""
    stripped = text.strip()
    return stripped == found and found.startswith(("${", "#{", "*{", "@{")) and "::" not in found


def _unterminated_expression(text: str, start: int) -> bool:
    tail = text[start : start + 200]
    return bool(_DANGEROUS_INSIDE.search(tail)) and bool(re.search(r"__|\(|\d\s*\*\s*\d", tail))
