"""Serialized objects that execute code when loaded: Python pickle (raw opcodes and base64),
jsonpickle ``py/object``, PyYAML ``!!python/`` tags, Java serialization (magic bytes, base64
``rO0AB``, commons-collections gadget classes), PHP ``O:8:"Class"``, .NET BinaryFormatter
and type-name gadgets, node-serialize ``_$$ND_FUNC$$_``, Ruby Marshal/YAML objects.
"""

from __future__ import annotations

import re

from faasguard.guard.decode import base64_bytes
from faasguard.guard.detection import Detection, excerpt_of
from faasguard.guard.detectors.prefilter import Prefiltered

_MARKERS = Prefiltered(
    r"(?P<pickle>(?:^|\n)c(?:os|posix|nt|subprocess|builtins|__builtin__|commands|pty|socket)\n\w+\n|"
    r"\bcos\nsystem\b|c__builtin__\n|\(S'[^'\n]{0,200}'\ntR\.|\x80[\x02-\x05]\x95|(?-i:\bgAS[UVW]|\bgAJ[jc]|\bgAN[jc]|"
    r"\bY3Bvc2l4Cn|\bY29zCnN5c3RlbQ|\bY19fYnVpbHRpbl9f))"
    r"|(?P<jsonpickle>['\"]py/(?:object|reduce|function|type|newobj|newargs|initargs|state|repr)['\"])"
    r"|(?P<yaml>!!python/(?:object|name|module|apply)|tag:yaml\.org,2002:python/|!ruby/(?:object|hash|struct)|"
    r"!!javax\.|!!java\.|!!com\.sun\.|!!org\.)"
    r"|(?P<java>\xac\xed\x00\x05|\baced0005|(?-i:\brO0AB)|"
    r"\b(?:invoker|instantiate|chained|constant|clone|map|switch|predicate|closure|factory|"
    r"stringvalue|invokertransformer)transformer\b|\bprototype(?:clone|serialization)factory\b|"
    r"\binstantiatefactory\b|\b(?:for|while|if|switch|chained|transformer|exceptionclosure)closure\b|"
    r"\bTemplatesImpl\b|\bJdbcRowSetImpl\b|\bysoserial\b|['\"]@type['\"]\s*:\s*['\"](?:com|org|java|javax)\.|"
    r"\bjava\.lang\.(?:Runtime|ProcessBuilder)\b|\bjavax\.script\.ScriptEngineManager\b|"
    r"\bXMLDecoder\b|<java\b[^>]{0,100}class=|\bcom\.sun\.org\.apache\.xalan|"
    r"\borg\.apache\.commons\.collections|\bcom\.mchange\.v2\.c3p0|"
    r"\b(?:runtime|processbuilder)\.(?:[a-z]+\.)*[a-z]*(?:transformer|factory|closure)\b)"
    r"|(?P<php>\b[OC]:\d{1,4}:\"[\w\\]{1,200}\":\d{1,4}:\{|\ba:\d{1,4}:\{(?:i|s):\d|"
    r"(?:^|[;{])s:\d{1,6}:\"[^\"]{0,200}\";)"
    r"|(?P<dotnet>(?-i:\bAAEAAAD/////)|['\"]\$type['\"]\s*:\s*['\"]System\.|\bObjectDataProvider\b|"
    r"\bTypeConfuseDelegate\b|\bWindowsIdentity\b|System\.Windows\.Data|\bLosFormatter\b)"
    r"|(?P<node>_\$\$ND_FUNC\$\$_|\bfunction\s*\(\s*\)\s*\{[^}]{0,200}require\s*\(|"
    r"\bprocess\s*\.\s*(?:mainModule|binding|env\b|kill)|\bprocess\s*\[|\bconstructor\s*\.\s*constructor\b|"
    r"\brequire\s*\(\s*['\"](?:child_process|fs|net|vm)['\"]|"
    r"[a-z]\\u00[2-7][0-9a-f]|\\u00[2-7][0-9a-f][a-z]|\b__js_function\b|"
    r"\bconsole\s*\.\s*(?:log|info|warn|error|debug|dir|trace)\s*(?:\.\s*(?:call|apply)\s*)?\()"
    r"|(?P<ruby>\x04\x08[oIu:\[{]|(?-i:\bBAh[7bJvSQ])|\bGem::(?:Requirement|Installer|SpecFetcher)\b|"
    r"['\"]json_class['\"]\s*:)"
    # Jackson default typing (["com.x.Gadget", {...}]) and XStream XML (<java.util.PriorityQueue>,
    # <dynamic-proxy>): a fully qualified Java class where data was expected
    r"|(?P<javatyped>^\s*\[\s*['\"](?:[a-z_$][\w$]*\.){2,}[A-Za-z_$][\w$]*['\"]\s*,\s*[{\[]|"
    r"<(?:java|javax|jdk|sun|com\.sun|org\.apache|org\.springframework)\.[\w$]+(?:\.[\w$]+)+[\s/>]|"
    r"<dynamic-proxy\b|<(?:sorted-set|tree-map|linked-hash-set)>\s*<(?:dynamic-proxy|java\.|javax\.|jdk\.))",
    re.IGNORECASE,
)
_HINT = Prefiltered(
    r"py/|!!|!ruby|\x80|\xac|c(?:os|posix|__builtin__)\n|aced|rO0|gA[SJN]|H4sI|transformer|factory|closure|"
    r"templatesimpl|jdbcrowset|ysoserial|@type|java\.|javax|xmldecoder|<java|xalan|commons|c3p0|[OCa]:\d|"
    r"s:\d|AAEAAAD|\$type|objectdataprovider|typeconfuse|windowsidentity|losformatter|nd_func|function|"
    r"process|constructor|require|\\u00|\x04\x08|BAh|gem::|Y3Bvc2l4|Y29zCn|Y19fYnVp|__js_function|console|"
    r"json_class|tag:yaml|<dynamic-proxy|<(?:sorted-set|tree-map|linked-hash-set)>|"
    r"<(?:jdk|sun|com\.sun|org\.apache|org\.springframework)\.|^\s*\[\s*['\"][a-z_$][\w$]*\.",
    re.IGNORECASE,
)


def detect_deserialization(text: str) -> Detection | None:
    if not _HINT.matches(text):
        return None
    m: re.Match[str] | None = _MARKERS.search(text)
    if m:
        kind = m.lastgroup or "object"
        if kind == "node" and not _node_marker_confirmed(m.group(0)):
            m = None
        if m is not None and kind == "php" and not _php_confirmed(text, m.group(0)):
            m = None
        if m:
            return Detection("deserialization", f"FG-DESER-{_RULE_NUMBERS[kind]}", "",
                             excerpt_of(text, m.start(), m.end()), "critical", f"{kind} serialized object marker")
    return None


def detect_pickle_bytes(raw: bytes) -> bool:
    """Whether decoded bytes are a pickle that imports a callable (GLOBAL/STACK_GLOBAL + REDUCE)."""
    if raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return b"R" in raw or b"\x93" in raw or b"c" in raw[:64]
    return raw.startswith((b"cos\n", b"cposix\n", b"c__builtin__\n", b"cbuiltins\n", b"csubprocess\n"))


def base64_pickle(token: str) -> bool:
    raw = base64_bytes(token)
    return raw is not None and detect_pickle_bytes(raw)


_RULE_NUMBERS = {"pickle": "001", "jsonpickle": "002", "yaml": "003", "java": "004", "php": "005",
                 "dotnet": "006", "node": "007", "ruby": "008", "javatyped": "009"}


def _node_marker_confirmed(found: str) -> bool:
    lowered = found.lower()
    if "\\u00" in lowered:
        return True  # identifiers spelled with escapes only make sense to hide code
    return True


def _php_confirmed(text: str, found: str) -> bool:
    if found.startswith(("O:", "C:", "o:", "c:", "a:", "A:")):
        return True
    return text.count('";') >= 1 and bool(re.search(r"(?:^|[;{])[sibd]:\d", text))
