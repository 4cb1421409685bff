"""Detectors: each takes one string and returns at most one Detection of its family."""

from __future__ import annotations

import re
from collections.abc import Callable

from faasguard.guard.decode import base64_payloads, markup_pieces, sql_form, variants
from faasguard.guard.detection import Detection
from faasguard.guard.detectors.cmdi import _first_word_is_binary as _cmd_first_word
from faasguard.guard.detectors.cmdi import _is_binary as _cmd_is_binary
from faasguard.guard.detectors.cmdi import detect_cmdi
from faasguard.guard.detectors.markup import detect_markup
from faasguard.guard.detectors.nosql import detect_nosqli
from faasguard.guard.detectors.path import detect_path
from faasguard.guard.detectors.prefilter import Markers, Prefiltered, compile_scanner, profile
from faasguard.guard.detectors.serialized import detect_deserialization
from faasguard.guard.detectors.sqli import detect_sqli
from faasguard.guard.detectors.ssrf import detect_ssrf
from faasguard.guard.detectors.template import detect_ssti
from faasguard.guard.detectors.xss import EVENT_HANDLERS, detect_xss

Detector = Callable[[str], "Detection | None"]

DETECTORS: dict[str, Detector] = {
    "sqli": detect_sqli,
    "xss": detect_xss,
    "cmdi": detect_cmdi,
    "path_traversal": detect_path,
    "ssrf": detect_ssrf,
    "ssti": detect_ssti,
    "nosqli": detect_nosqli,
    "deserialization": detect_deserialization,
    "markup": detect_markup,  # xxe, jndi, ssi, crlf, prototype pollution, inline php, ldap
}

MAX_TEXT_CHARS = 65536
_WORD = re.compile(r"[a-z_][a-z0-9_]*")

# Gates: cheap checks (one character-class scan, substring tests, set lookups on the words of
# the value) that say whether a detector can possibly fire. Each gate is a superset of what
# its detector matches; most ordinary values fail every gate and cost a few microseconds.
_SQL_CHARS = Prefiltered(r"['\"`;#=<>(]|(?:^|[^\w.])@|--|/\*")
_SQL_WORDS = frozenset({"union", "select", "sleep", "benchmark", "waitfor", "exec", "execute", "order", "group",
                        "having", "drop", "insert", "delete", "update", "rlike", "regexp", "information_schema",
                        "outfile", "dumpfile", "infile", "xp_cmdshell", "pg_sleep", "declare", "sp_executesql",
                        "sp_oacreate", "dbms_pipe", "utl_inaddr", "utl_http", "alter", "truncate"})
# SQL written with words only: a value that starts with logic ("or 88", "AND true") or with a
# number then logic ("1 and 1 not between 0 and 1")
_LOGIC_WORDS = frozenset({"and", "or", "xor", "not", "between", "like", "rlike", "regexp"})
_SQL_LOGIC_SHAPE = re.compile(r"^\s*(?:[\d.]+\s+)?(?:and|or|xor)\b|"
                              r"^\s*[\d.]+\s+(?:not\s+)?(?:between|like|rlike|regexp)\b")
_XSS_CHARS = Prefiltered(r"[<>\u00bc\u00be]|script|(?:^|[^a-z])on[a-z]+\s*=|^\s*on[a-z]{3,30}\s*=?\s*$|\[\]|"
                        r"reflect\.|(?:top|self|parent|frames)\[|\$\(|\(\s*(?:alert|prompt|confirm|eval)\s*\)|data\s*:|expression\s*\(|-moz-binding|behavior\s*:|"
                        r"(?:alert|prompt|confirm|eval|settimeout|setinterval|atob|fetch)\s*[(`]|document\s*\.|"
                        r"window\s*[.\[]|location\s*\.|fromcharcode|innerhtml|(?:self|top)\s*\[|\[\s*['\"]alert")
_CMD_CHARS = Prefiltered(r"[;&|`$<>{}\\]|"
                        r"=[a-z][\w.+-]*(?:\s+-|$)|/[^\s/]*[?*\[]|%[a-z_0-9~]+%|%0a|\bs?bin/|/dev/(?:tcp|udp)|"
                        r"\bfor\s+/|\bif\s*/i|exist|errorlevel|defined|new-object|\(\)\s*\{", re.IGNORECASE)
_CMD_WORDS = frozenset({"phpinfo", "phpversion", "netsh", "reg", "system", "exec", "shell_exec", "passthru", "popen",
                        "proc_open", "pcntl_exec", "execsync",
                        "spawnsync", "execfile", "child_process", "processbuilder", "getruntime", "fsockopen",
                        "socket", "iex", "invoke", "alias", "goto", "powershell", "cmd", "bash", "sh", "ksh", "zsh",
                        "nc", "subprocess", "__import__", "net", "cmd_exe", "certutil", "wget", "curl"})
# (a URL opens the path gate only through the stream wrappers the path detector knows)
_PATH_CHARS = Prefiltered(r"\.\.|\./|[\\%\x00]|0x|(?:file|php|zip|phar|expect|glob|data|jar|netdoc)://|^/\.|var/|^/?(?:etc|proc|sys|boot|root|opt|logs?|apache\d?|"
                         r"httpd|nginx|lampp|xampp)/|^/?[a-z]:[\\/]|\.ssh|\.aws|\.git|\.env|web-inf|meta-inf|"
                         r"root/|home/|dev/|usr/|apache|"
                         "[\u2215\u2044\u29f8\uff0f\u2216\ufe68\uff3c\u29f5\uefc8\uf025\u3002\uff0e\u2024\ufe52]",
                         re.IGNORECASE)
_PATH_WORDS = frozenset({"etc", "passwd", "shadow", "boot", "system32", "winnt", "proc", "htaccess",
                         "htpasswd", "sam", "inetpub", "autoexec", "pagefile", "ini"})
_SSRF_MARKERS = (":/", ":\\\\", "//", "\\\\", "metadata", "instance-data", "169.254", "docker.internal", "fd00:ec2",
                 "100.100.100.200", "192.0.0.192", "localhost", "localtest", ".svc", ".internal", ".local/",
                 "runtime")
_SSTI_CHARS = Prefiltered(r"[{\[]|<%|<#|#set|#foreach|@\(")
_NOSQL_GATE = Prefiltered(r"\$[a-z]|\[\$|;\s*(?:return|sleep|while|do|this|db|it\s*=|var|function)|"
                         r"(?:\|\||&&)\s*(?:return|sleep|while|this|db|['\"]?1)|db\.|this\.|sleep\s*\(|[a-z0-9]__[a-z]")
_DESER_MARKERS = ("py/", "!!", "json_class", "yaml.org", "dynamic-proxy", "sorted-set", "tree-map",
                  "linked-hash-set", "<jdk.", "<sun.", "<com.sun", "<org.", "[\"", "['",
                  "!ruby", "\x80", "\xac", "\x04\x08", "aced0005", "ro0ab", "gas", "gaj", "gan",
                  "aaeaaad", "bah", "y3bvc2l4cn", "y29zcn", "y19fyn", "@type", "$type", "_$$nd_func$$_",
                  "\\u00", "java.", "javax", "<java", "xalan", "commons", "c3p0", "gem::", "templatesimpl",
                  "jdbcrowset", "ysoserial", "xmldecoder", "objectdataprovider", "typeconfuse", "windowsidentity",
                  "losformatter", "transformer", "factory", "closure", "function", "process", "constructor",
                  "require", "console", "__js_function", "\ncos", "cos\n", "c__builtin__", "cposix", "cnt\n",
                  "csubprocess", "cbuiltins")
_DESER_PHP = re.compile(r"[oacs]:\d")
_MARKUP_MARKERS = ("<!", "<xi", "xmlns:xi", "<esi", "${", "jndi", "proto", "constructor", "<?", "php")
_CRLF_GATE = Prefiltered(r"[\r\n]\s*(?:set-cookie|location|refresh|access-control|http/)")
_LDAP_GATE = re.compile(r"\)\s*\(|\(\s*[|&!]|=\s*\*\s*(?:\)|$)")


# Fast path: a value with none of these characters and none of these words cannot trigger
# any gate below (each gate's plain-word triggers are listed in _PLAIN_TRIGGERS).
# (a character class alone lets ``re`` skip ordinary characters in C; the few sequences are a
# second pattern whose branches all start with punctuation or a digit)
_SPECIAL_CHARS = re.compile("[<>'\"`;#=($&|{}\\[\\]\\\\%\x00"
                            "\u2000-\u206f\u2215\u2216\u29f5\u29f8\u3002\ufe50-\ufe6f\uff00-\uffef\uefc8\uf025]")
_SPECIAL_SEQUENCES = re.compile(r"\.[./]|/\.|:/|//|:\\|--|/\*|!!|0x|169\.254|100\.100\.100\.200|192\.0\.0\.192|"
                                r"/[^\s/]*[?*]")
_SERIALIZED_PHP = re.compile(r"[oacsOACS]:\d")
# "@" (e-mail addresses) and line breaks (addresses, prose) open a gate only in these shapes
_AT_SEQUENCES = re.compile(r"(?:^|[^\w.])@|@\(|@(?i:type)")
_NEWLINE_SEQUENCES = re.compile(r"[\r\n]\s*(?:set-cookie|location|refresh|access-control|http/)|\ncos|cos\n|cnt\n")
_PLAIN_TRIGGERS = frozenset({
    # xss
    "javascript", "vbscript", "livescript", "script", "data", "document", "window", "location", "fromcharcode",
    "innerhtml", "behavior", "binding", "expression", "reflect",
    # cmdi (besides _CMD_WORDS and a leading binary)
    "bin", "sbin", "dev", "exist", "errorlevel", "defined", "object",
    # path
    "var", "ssh", "aws", "git", "env", "web", "meta", "inf", "root", "home", "usr", "apache", "opt", "logs", "log",
    "sys", "httpd", "nginx", "lampp", "xampp", "top", "self", "parent", "frames",
    # ssrf
    "metadata", "instance", "internal", "fd00", "localhost", "localhost4", "localtest", "svc", "local",
    "console", "__js_function", "runtime",
    # deserialization, markup
    "py", "aced0005", "java", "javax", "xalan", "commons", "c3p0", "gem", "templatesimpl", "jdbcrowsetimpl",
    "ysoserial", "xmldecoder", "objectdataprovider", "typeconfusedelegate", "windowsidentity", "losformatter",
    "function", "process", "constructor", "require", "xmlns", "jndi", "php", "prototype", "ro0ab", "json_class",
    "yaml",
})
_B64_MARKERS = ("rO0AB", "gAS", "gAJ", "gAN", "AAEAAAD", "BAh", "Y3Bvc2l4Cn", "Y29zCn", "Y19fYn")
_B64_MARKER_PATTERN = re.compile("|".join(_B64_MARKERS))
_ALL_WORDS = _PLAIN_TRIGGERS  # completed below, once the family word sets exist


_ON_HANDLER_WORDS = frozenset("on" + h for h in EVENT_HANDLERS)
_JAVA_SUFFIXES = ("transformer", "factory", "closure")


def _plain(text: str, low: str, chars_checked: bool = False) -> bool:
    """True when no detector can fire on ``text`` (checked before any per-family gate)."""
    if not chars_checked and _SPECIAL_CHARS.search(text) or _SPECIAL_SEQUENCES.search(text) or \
            ":" in text and _SERIALIZED_PHP.search(text) or "@" in text and _AT_SEQUENCES.search(text):
        return False
    if ("\n" in text or "\r" in text) and (_NEWLINE_SEQUENCES.search(low) or _command_after_newline(low)):
        return False
    words = _WORD.findall(low)
    if not _ALL_WORDS.isdisjoint(words) or "script" in low or "__" in low or "aced0005" in low:
        return False
    if not _LOGIC_WORDS.isdisjoint(words) and _SQL_LOGIC_SHAPE.search(low):
        return False
    if not _ON_HANDLER_WORDS.isdisjoint(words) or ("transformer" in low or "factory" in low or "closure" in low) \
            and any(w.endswith(_JAVA_SUFFIXES) for w in words):
        return False
    if text is not low and text != low and _B64_MARKER_PATTERN.search(text):
        return False  # (every marker has a capital letter)
    return not (words and _first_word_is_binary(low))


# characters that make ``variants`` produce a second form (decoding, NFKC, control characters)
_TRANSFORMS = re.compile("[%\\&\u00a0\u2000-\u206f\u2100-\u214f\u2460-\u24ff\ufe30-\ufe6f\uff00-\uffef"
                         "\U0001d400-\U0001d7ff\u02b0-\u02ff\u2070-\u209f\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}")
# the same runs, each tried once from its start (the lookbehind keeps ``re`` from retrying at
# every position inside a long word)
_B64_RUN_START = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}")
_QUICK_CHARS = re.compile(_TRANSFORMS.pattern[:-1] + _SPECIAL_CHARS.pattern[1:])


def quick_clear(text: str) -> bool:
    """True when ``detect(text)`` is certainly empty, decided without decoding: the text has no
    character that decoding would change, nothing any gate looks for, and no base64-looking run.
    Most values of an ordinary event (ids, names, numbers, plain words) end here."""
    if _QUICK_CHARS.search(text):
        return False  # (_TRANSFORMS and _SPECIAL_CHARS in one scan)
    if not _plain(text, text.lower(), chars_checked=True):
        return False
    if len(text) >= 16:
        for m in _B64_RUN_START.finditer(text):
            token = m.group(0)
            if not token.islower() and not token.isupper() or token.endswith("="):
                return False  # mixed case: base64_payloads would try to decode it
    return True


_SSRF_MARKER_SET = Markers(_SSRF_MARKERS)
_DESER_MARKER_SET = Markers(_DESER_MARKERS)
_MARKUP_MARKER_SET = Markers(_MARKUP_MARKERS)


def _gates(text: str) -> set[str]:
    low = text.lower()
    if _plain(text, low):
        return set()
    prof = profile(text)  # fold(text) and the needles in it, shared by every gate and detector
    folded = prof[0]
    words: frozenset[str] | None = None

    def wordset() -> frozenset[str]:
        nonlocal words
        if words is None:
            words = frozenset(_WORD.findall(low))
        return words

    families: set[str] = set()
    if _SQL_CHARS.matches(text, prof) or not _SQL_WORDS.isdisjoint(wordset()) or \
            not _LOGIC_WORDS.isdisjoint(wordset()) and _SQL_LOGIC_SHAPE.search(low):
        families.add("sqli")
    # the gates written for lower-cased text get fold(text): the same text where lower() and
    # fold() agree, and a superset of needles where they do not
    if _XSS_CHARS.matches(folded, prof):
        families.add("xss")
    if _CMD_CHARS.matches(text, prof) or not _CMD_WORDS.isdisjoint(wordset()) or _first_word_is_binary(low) or \
            _command_after_newline(low):
        families.add("cmdi")
    if _PATH_CHARS.matches(text, prof) or not _PATH_WORDS.isdisjoint(wordset()):
        families.add("path_traversal")
    if _SSRF_MARKER_SET.any_in(*prof):
        families.add("ssrf")
    if _SSTI_CHARS.matches(text, prof):
        families.add("ssti")
    if _NOSQL_GATE.matches(folded, prof):
        families.add("nosqli")
    if _DESER_MARKER_SET.any_in(*prof) or _DESER_PHP.search(low):
        families.add("deserialization")
    if _MARKUP_MARKER_SET.any_in(*prof) or _CRLF_GATE.matches(folded, prof) or \
            "(" in text and _LDAP_GATE.search(text) or "&" in text and "<" in text and ";" in text:
        families.add("markup")
    return families


_ALL_WORDS = _PLAIN_TRIGGERS | _SQL_WORDS | _CMD_WORDS | _PATH_WORDS


_AFTER_NEWLINE = re.compile(r"[\r\n][ \t]*(?:/[a-z/]*/)?([a-z][\w.+-]*)")


def _command_after_newline(low: str) -> bool:
    """A line break only separates commands in cmdi's eyes when a known binary starts the next line."""
    if "\n" not in low and "\r" not in low:
        return False
    return any(_cmd_is_binary(m.group(1)) for m in _AFTER_NEWLINE.finditer(low)) or \
        bool(_MAIL_AFTER_NEWLINE.match(low))


# SMTP/IMAP/POP3 verbs (with an IMAP tag) on a line the value starts with: mail-protocol injection
_MAIL_AFTER_NEWLINE = re.compile(r"\s*[\r\n]+\s*(?:[a-z]\d{1,4}\s+)?(?:rcpt|mail|data|quit|auth|helo|ehlo|examine|"
                                 r"select|list|uid|store|fetch|login|authenticate|retr|dele|user|pass|stat)\b")


def _first_word_is_binary(low: str) -> bool:
    if "'" in low or '"' in low:
        low = low.replace("'", "").replace('"', "")
    return _cmd_first_word(low)


def detect(text: str, categories: frozenset[str] | None = None) -> list[Detection]:
    """All detections in one string (one per family at most), trying its decoded forms."""
    if not text or not isinstance(text, str):
        return []
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    found: dict[str, Detection] = {}
    forms = variants(text)
    for form in forms:
        _run_all(form, found, categories, _gates(form))
    if len(found) == 0 and "/*" in text:
        for form in forms:
            cleaned = sql_form(form)
            if cleaned != form:
                _run_one("sqli", cleaned, found)
    if not found and "<" in text and ("=" in text or ">" in text):
        for piece in markup_pieces(text):
            for form in variants(piece):
                _run_all(form, found, categories, _gates(form))
    if not found and len(text) >= 16:
        for hidden in base64_payloads(text):
            for form in variants(hidden):
                _run_all(form, found, categories, _gates(form))
    return list(found.values())


def _run_all(form: str, found: dict[str, Detection], categories: frozenset[str] | None,
             gates: set[str]) -> None:
    for family in DETECTORS:
        if family not in gates:
            continue
        if categories is not None and family not in categories and family != "markup":
            continue
        if family in found:
            continue
        _run_one(family, form, found)


def _run_one(family: str, form: str, found: dict[str, Detection]) -> None:
    hit = DETECTORS[family](form)
    if hit is not None and hit.category not in found:
        found[hit.category if family == "markup" else family] = hit


compile_scanner()  # every prefiltered pattern of the detectors exists by now
