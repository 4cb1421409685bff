"""Cross-site scripting: HTML that runs script, judged by tag, attribute and URL context.

A ``<`` that opens an element only counts when the element is one that loads or runs code, or
when it carries an event handler or a script URL; a bare ``<b>`` or "a < b" in prose does not.
"""

from __future__ import annotations

import re

from faasguard.guard.detection import Detection, excerpt_of

# elements that run or load active content by themselves
_ACTIVE_TAG = re.compile(
    r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|svg|math|xml|meta|base|link|style|"
    r"form|isindex|template|marquee|bgsound|layer|ilayer|xss|import|vmlframe|animate|set|handler|"
    r"listener|portal|noscript|noembed|xmp|plaintext|textarea|title|html|body|head|video|audio|"
    r"source|keygen|dialog|details|button|input|select|option|image|img|a|div|span|table|td|input|"
    r"br|p|x|t|h\d|b|i|u|ul|li|ol|tr|th|font|center|body|comment|!--|\?)"
    r"(?=[\s/>\x00\x0c]|$)",
    re.IGNORECASE,
)
_DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(?:[a-z0-9]{0,10}:)?(?:script|iframe|frameset|object|embed|applet|svg|math|meta|base|isindex|xss|import|"
    r"vmlframe|bgsound|layer|ilayer|portal|handler|listener|style|link|form|template|marquee|frame|xml|body|html|"
    r"head|textarea|title|noscript|xmp|plaintext)"
    r"(?=[\s/>\x00\x0c:]|$)",
    re.IGNORECASE,
)
# an event-handler attribute inside something that looks like a tag
_TAG_WITH_HANDLER = re.compile(
    r"<[a-z!?/][^<>]{0,600}?[\s\"'/`;]on[a-z]{3,25}\s*=", re.IGNORECASE
)
# attribute starting a handler right after a quote/tag break: '" onmouseover="...'
_HANDLER_BREAK = re.compile(r"[\"'`]\s*/?\s*on[a-z]{3,25}\s*=\s*\S", re.IGNORECASE)
_SCRIPT_URL = re.compile(
    r"(?:^|[\s\"'`=(,<:])(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e|m\s*o\s*c\s*h\s*a)\s*s\s*c\s*r\s*i\s*p\s*t\s*:"
    r"|data\s*:\s*(?:text/html|image/svg\+xml|application/(?:x-)?javascript|text/javascript)",
    re.IGNORECASE,
)
_STYLE_CODE = re.compile(
    r"expression\s*\(|-moz-binding|behavior\s*:\s*url|@import|url\s*\(\s*['\"]?\s*javascript", re.IGNORECASE
)
_JS_SINK = re.compile(
    r"(?:\b(?:alert|prompt|confirm|eval|settimeout|setinterval|atob|fetch)\s*(?:\(|`)|"
    r"\bdocument\s*\.\s*(?:cookie|write|domain|location)|\bwindow\s*\.\s*(?:location|name|open)|"
    r"\bstring\s*\.\s*fromcharcode|\.innerhtml\s*=|\blocation\s*\.\s*(?:href|hash)\s*=|"
    r"\b(?:self|top|window|parent|frames)\[(?!\d+\])|\[\s*['\"]alert|"
    r"\breflect\s*\.\s*\w+\s*\.\s*call\s*`|\(\s*(?:alert|prompt|confirm|eval)\s*\)|"
    r"\$\(\s*['\"][^'\"]{0,100}['\"]\s*\)\s*\.)",
    re.IGNORECASE,
)
# DOM and legacy (IE) event-handler attribute names, from the HTML and DOM specifications
EVENT_HANDLERS = frozenset({
    "abort", "activate", "afterprint", "afterscriptexecute", "afterupdate", "animationcancel",
    "animationend", "animationiteration", "animationstart", "auxclick", "beforeactivate", "beforecopy",
    "beforecut", "beforedeactivate", "beforeeditfocus", "beforeinput", "beforepaste", "beforeprint",
    "beforescriptexecute", "beforeunload", "beforeupdate", "begin", "blur", "bounce", "canplay",
    "canplaythrough", "cellchange", "change", "click", "close", "contextmenu", "controlselect", "copy",
    "cuechange", "cut", "dataavailable", "datasetchanged", "datasetcomplete", "dblclick", "deactivate",
    "drag", "dragdrop", "dragend", "dragenter", "dragexit", "dragleave", "dragover", "dragstart", "drop",
    "durationchange", "emptied", "end", "ended", "error", "errorupdate", "filterchange", "finish", "focus",
    "focusin", "focusout", "formchange", "forminput", "fullscreenchange", "fullscreenerror",
    "gotpointercapture", "hashchange", "help", "input", "invalid", "keydown", "keypress", "keyup",
    "languagechange", "layoutcomplete", "load", "loadeddata", "loadedmetadata", "loadend", "loadstart",
    "losecapture", "lostpointercapture", "mediacomplete", "mediaerror", "message", "messageerror",
    "mousedown", "mouseenter", "mouseleave", "mousemove", "mouseout", "mouseover", "mouseup", "mousewheel",
    "move", "moveend", "movestart", "offline", "online", "outofsync", "pagehide", "pageshow", "paste",
    "pause", "play", "playing", "pointercancel", "pointerdown", "pointerenter", "pointerleave",
    "pointermove", "pointerout", "pointerover", "pointerrawupdate", "pointerup", "popstate", "progress",
    "propertychange", "ratechange", "readystatechange", "redo", "repeat", "reset", "resize", "resizeend",
    "resizestart", "resume", "reverse", "rowdelete", "rowenter", "rowexit", "rowinserted", "rowsdelete",
    "rowsinserted", "scroll", "scrollend", "search", "seek", "seeked", "seeking", "select",
    "selectionchange", "selectstart", "show", "stalled", "start", "stop", "storage", "submit", "suspend",
    "synchrestored", "timeerror", "timeupdate", "toggle", "touchcancel", "touchend", "touchmove",
    "touchstart", "trackchange", "transitioncancel", "transitionend", "transitionrun", "transitionstart",
    "undo", "unload", "urlflip", "volumechange", "waiting", "webkitanimationend",
    "webkitanimationiteration", "webkitanimationstart", "webkittransitionend", "wheel"
})
_BARE_HANDLER = re.compile(r"^\s*on([a-z]{3,30})\s*(?:=\s*)?$", re.IGNORECASE)
_LOOSE_HANDLER = re.compile(r"(?:^|[\s;(,/\"'])on([a-z]{3,30})\s*=\s*\S", re.IGNORECASE)
_ACTIVE_ATTRIBUTE = re.compile(
    r"<[a-z][^<>]{0,300}?[\s\"'/](?:datasrc|dataformatas|datafld|formaction|xlink:href|srcdoc|lowsrc|dynsrc)\s*=|"
    r"<[a-z][^<>]{0,300}?\sstyle\s*=[^>]{0,300}?(?:url\s*\(|expression|\\[0-9a-f]{1,6}|behavior)",
    re.IGNORECASE,
)
_CSS_SCRIPT_URL = re.compile(r"url\s*\(\s*['\"]?\s*(?:javascript|vbscript)\s*:?", re.IGNORECASE)
_JSFUCK = re.compile(r"(?:[\[\]()!+]\s*){24,}")
_HINT = re.compile(r"[<>\u00bc\u00be]|script|on[a-z]{3,30}|expression|alert|prompt|confirm|document|window|"
                   r"eval|setinterval|settimeout|reflect|\[\]|(?:top|self|parent|frames)\s*\[|\$\(", re.IGNORECASE)
# 7-bit stripped brackets and quotes (0xBC -> "<", 0xBE -> ">", 0xA2 -> '"') used against US-ASCII pages
_STRIPPED_BRACKETS = str.maketrans({"\u00bc": "<", "\u00be": ">", "\u00a2": '"'})


def detect_xss(text: str) -> Detection | None:
    if not _HINT.search(text):
        return None
    if "\u00bc" in text or "\u00be" in text:
        text = text.translate(_STRIPPED_BRACKETS)
    for rule_id, pattern, message in (
        ("FG-XSS-001", _DANGEROUS_TAG, "element that runs or loads code"),
        ("FG-XSS-002", _TAG_WITH_HANDLER, "tag with an event handler"),
        ("FG-XSS-011", _ACTIVE_ATTRIBUTE, "attribute that loads code or data"),
        ("FG-XSS-003", _SCRIPT_URL, "script URL"),
        ("FG-XSS-004", _HANDLER_BREAK, "attribute break into an event handler"),
    ):
        m = pattern.search(text)
        if m:
            return Detection("xss", rule_id, "", excerpt_of(text, m.start(), m.end()), "high", message)
    bare = _BARE_HANDLER.match(text)
    if bare and bare.group(1).lower() in EVENT_HANDLERS:
        return Detection("xss", "FG-XSS-008", "", excerpt_of(text, 0, len(text)), "medium",
                         "DOM event-handler name (probe)")
    for m in _LOOSE_HANDLER.finditer(text):
        if m.group(1).lower() in EVENT_HANDLERS:
            return Detection("xss", "FG-XSS-009", "", excerpt_of(text, m.start(), m.end()), "high",
                             "event-handler attribute outside a tag")
    m = _CSS_SCRIPT_URL.search(text)
    if m:
        return Detection("xss", "FG-XSS-005", "", excerpt_of(text, m.start(), m.end()), "high",
                         "style that runs code")
    m = _JSFUCK.search(text)
    if m:
        return Detection("xss", "FG-XSS-010", "", excerpt_of(text, m.start(), m.end()), "high",
                         "JSFuck-style obfuscated JavaScript")
    tag = _ACTIVE_TAG.search(text)
    if tag:
        for rule_id, pattern, message in (
            ("FG-XSS-005", _STYLE_CODE, "style that runs code"),
            ("FG-XSS-006", _JS_SINK, "markup with a script sink"),
        ):
            m = pattern.search(text)
            if m:
                return Detection("xss", rule_id, "", excerpt_of(text, tag.start(), m.end()), "high", message)
    m = _JS_SINK.search(text)
    if m and _looks_like_js(text, m):
        return Detection("xss", "FG-XSS-007", "", excerpt_of(text, m.start(), m.end()), "medium",
                         "JavaScript sink call")
    return None


_JS_CONTEXT = re.compile(r"[\"'`;)}]\s*[-+*/;|&,]?\s*$|^\s*$|^\W{0,3}$")


def _looks_like_js(text: str, m: re.Match[str]) -> bool:
    """A sink call counts when it sits where a script break would put it (start, after a quote or
    semicolon) and has a JS-looking argument, not in the middle of prose."""
    if m.group(0).startswith("("):
        return True  # alert/prompt/eval passed as a callback: ".find(alert)"
    before = text[max(0, m.start() - 20) : m.start()]
    after = text[m.end() : m.end() + 40]
    arg_is_code = bool(re.match(r"\s*(?:[\d'\"`/)(]|document|window|this|string|[a-z_$][\w$]*\s*[.(\[,)])",
                                after, re.IGNORECASE))
    return bool(_JS_CONTEXT.search(before)) and arg_is_code
