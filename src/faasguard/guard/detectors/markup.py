"""Markup attacks: XML external entities (DOCTYPE/ENTITY, XInclude), server-side includes
and ESI, Log4Shell-style lookups (with nested-lookup obfuscation), CRLF header injection,
prototype pollution, inline PHP, and LDAP filter injection."""

from __future__ import annotations

import re

from faasguard.guard.detection import Detection, excerpt_of

_XXE = re.compile(
    r"<!DOCTYPE\s[^>]{0,300}(?:\[|SYSTEM|PUBLIC)|<!ENTITY\s|<xi:include\b|xmlns:xi\s*=|"
    r"<!\[CDATA\[[^\]]{0,200}<!ENTITY",
    re.IGNORECASE,
)
_SSI = re.compile(r"<!--\s*#\s*(?:exec|include|echo|config|printenv|set|fsize|flastmod|if)\b|<esi:\w+",
                  re.IGNORECASE)
_LOOKUP_DEFAULT = re.compile(r"\$\{[^${}]{0,80}:-([^${}]{0,40})\}")
_LOOKUP_CASE = re.compile(r"\$\{(?:lower|upper|date|env|sys|main|ctx|spring|k8s|docker|bundle|java|"
                          r"web|log4j|marker|map|sd|jvmrunargs|base64)?:([^${}]{0,40})\}", re.IGNORECASE)
_JNDI = re.compile(r"\$\{\s*j\s*n\s*d\s*i\s*:", re.IGNORECASE)
_JNDI_URL = re.compile(r"\bjndi:(?:ldaps?|rmi|dns|iiop|corba|nds|nis|http)s?:", re.IGNORECASE)
_CRLF = re.compile(
    r"[\r\n]\s*(?:set-cookie\s*:|location\s*:\s*\S|refresh\s*:|access-control-allow-[\w-]+\s*:|"
    r"http/\d(?:\.\d)?\s+\d{3})",
    re.IGNORECASE,
)
_PROTO = re.compile(
    r"__proto__|\bconstructor\s*(?:\.|\[\s*['\"]?)\s*prototype\b|\[\s*['\"]?constructor['\"]?\s*\]\s*\[",
    re.IGNORECASE,
)
_PHP = re.compile(r"<\?(?:php\b|=|\s)|\bphp://(?:input|filter)|\b(?:assert|create_function|preg_replace)\s*\(\s*"
                  r"['\"].{0,60}(?:/e|system|exec)", re.IGNORECASE)
# LDAP filter injection: the value closes the application's filter clause and opens its own
# (")(|(uid=*", "*)(&", ")(cn=") or is a match-everything clause ("(objectClass=*)")
_LDAP = re.compile(
    r"\)\s*\(\s*[|&!]|\*\s*\)\s*\(|\(\s*[|&!]\s*\(\s*[a-z][\w.;-]{0,60}\s*[~<>]?=|"
    r"\)\s*\(\s*[a-z][\w.;-]{0,60}\s*[~<>]?=|\(\s*[a-z][\w.;-]{0,60}\s*=\s*\*\s*(?:\)|$)",
    re.IGNORECASE,
)
_HINT = re.compile(r"<!|<xi|xmlns:xi|<!--|<esi|\$\{|jndi|[\r\n]|proto|constructor|<\?|php|\)\s*\(|\(\s*[|&!]|"
                   r"=\s*\*\s*(?:\)|$)", re.IGNORECASE)


def resolve_lookups(text: str) -> str:
    """Undo Log4j nested lookups (``${lower:j}``, ``${::-n}``, ``${env:X:-d}``), bounded passes."""
    out = text
    for _ in range(8):
        new = _LOOKUP_DEFAULT.sub(r"\1", out)
        new = _LOOKUP_CASE.sub(r"\1", new)
        if new == out:
            break
        out = new
    return out


# a reference to an entity that neither XML nor HTML defines, inside markup: the entity was
# declared in a DOCTYPE (sent in this or another field) — how XXE payloads read files
_ENTITY_REF = re.compile(r"<[a-z][^<>]{0,200}>[^<]{0,2000}&([a-z_][\w.-]{0,40});", re.IGNORECASE)
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})


def _custom_entity(text: str) -> re.Match[str] | None:
    if "&" not in text or "<" not in text:
        return None
    from html.entities import html5  # (loaded with ``html``, which decoding imports anyway)

    for m in _ENTITY_REF.finditer(text):
        name = m.group(1)
        if name.lower() not in _XML_PREDEFINED and name + ";" not in html5:
            return m
    return None


def detect_markup(text: str) -> Detection | None:
    if not _HINT.search(text):
        return _entity_detection(text)
    if "$" in text or "jndi" in text.lower():
        resolved = resolve_lookups(text) if "${" in text else text
        m = _JNDI.search(resolved) or _JNDI_URL.search(resolved)
        if m:
            return Detection("jndi", "FG-JNDI-001", "", excerpt_of(resolved, m.start(), m.end()), "critical",
                             "JNDI lookup (Log4Shell)")
    for category, rule_id, pattern, message in (
        ("xxe", "FG-XXE-001", _XXE, "XML DOCTYPE/ENTITY declaration"),
        ("ssi", "FG-SSI-001", _SSI, "server-side include directive"),
        ("crlf", "FG-CRLF-001", _CRLF, "CRLF followed by an HTTP header"),
        ("prototype_pollution", "FG-PROTO-001", _PROTO, "prototype pollution key"),
        ("code_injection", "FG-CODE-001", _PHP, "inline PHP code"),
        ("ldapi", "FG-LDAP-001", _LDAP, "LDAP filter clause injected"),
    ):
        m = pattern.search(text)
        if m and category == "ldapi" and _whole_filter(text):
            continue
        if m:
            return Detection(category, rule_id, "", excerpt_of(text, m.start(), m.end()), "high", message)
    return _entity_detection(text)


def _entity_detection(text: str) -> Detection | None:
    entity = _custom_entity(text)
    if entity is None:
        return None
    return Detection("xxe", "FG-XXE-002", "", excerpt_of(text, entity.start(1) - 1, entity.end()), "high",
                     "reference to an entity declared outside the value (XXE)")


def _whole_filter(text: str) -> bool:
    """A value made of complete, balanced LDAP filters (an admin's search) is what the application
    asked for; an injection closes the application's clause first (")(", "*)(")."""
    stripped = text.strip()
    if not stripped.startswith("(") or not stripped.endswith(")"):
        return False
    depth = 0
    for ch in stripped:
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if depth < 0:
            return False  # closes a clause it did not open: the application's
    return depth == 0
