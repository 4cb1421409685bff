"""Path traversal and local file inclusion, after path normalisation (encoded, overlong,
``0x2e`` and backslash spellings all become ``../``).

"file.name.txt" or "wait... what" are not traversal: a dot run must sit between path
separators (or at the start) to count.
"""

from __future__ import annotations

import re

from faasguard.guard.decode import path_form
from faasguard.guard.detection import Detection, excerpt_of
from faasguard.guard.detectors.prefilter import Prefiltered

_TRAVERSAL = Prefiltered(
    r"(?:^|[/=:;,\s\"'|?&(])\.{2,}(?:;[^/]{0,20})?/+(?:\.{0,3}/+)*|/\.{2,}(?:;[^/]{0,20})?(?:/|$)|^\.\.$|/\.{3,}"
    r"|(?:^|/)(?:\./+){3,}|(?:\.\.%[0-9a-z]{2}(?:%[0-9a-z]{2})*){2,}|(?:\.(?:%00|\x00)\.[^\w\s]{1,12}){2,}"
    r"|(?:^|/)(?:\./+){2,}\.\w"
)
_SENSITIVE = Prefiltered(
    r"(?:^|[/=\s\"'(:;|&]|\.\.)(?:etc/(?:passwd|shadow|group|hosts|issue|motd|crontab|sudoers|sub[ug]id|"
    r"master\.passwd|security/|ssh/|apache2?/|httpd/|nginx/|mysql/|php\d?/|resolv\.conf|fstab|"
    r"profile|bashrc|environment|init\.d/|inetd\.conf|network|hostname|mtab|version)|"
    r"proc/(?:self|\d+|version|cmdline|mounts|net/|sys/)|var/log/|var/www/|var/run/secrets|root/\.|"
    r"home/[^/\s]+/\.(?:ssh|bash_history|aws)|\.ssh/(?:id_|authorized_keys)|\.aws/credentials|"
    r"\.htaccess|\.htpasswd|\.git/(?:config|head)|\.env\b|web-inf/|meta-inf/|"
    r"(?:boot|win|system)\.ini|windows/(?:system32|win\.ini|repair|panther)|winnt/|system32/|"
    r"inetpub/|autoexec\.bat|pagefile\.sys|/?usr/local/apache|apache/logs|"
    r"sam$|config/sam|dev/(?:random|stdin|stdout|tcp))",
    re.IGNORECASE,
)
_DOT_DIR = re.compile(r"^/\.[a-z][\w-]{1,30}/[\w.-]+|^/\.[a-z][\w.-]{1,30}$", re.IGNORECASE)
_SYSTEM_PATH = re.compile(
    r"^/?(?:etc|proc|sys|boot|root|var/(?:log|lib|run|spool|mail|www)|usr/local/(?:etc|apache\d?|nginx)|"
    r"opt/[\w.-]+/(?:logs?|etc|conf)|(?:apache\d?|httpd|nginx|lampp|xampp)/(?:logs?|conf|php)|logs?)/[\w.-]"
    r"|^/?[a-z]:[\\/](?:windows|winnt|program files|inetpub|boot\.ini|documents and settings|system32)",
    re.IGNORECASE,
)
# sensitive file names with any junk between the parts (broken or exotic encodings of "/")
_SENSITIVE_LOOSE = Prefiltered(
    r"(?:(?<![a-z])|(?<=%\w\w))etc(?:[^\w\s]|%\w\w){1,12}(?:passwd|shadow|hosts|issue|group)\b|"
    r"(?:(?<![a-z])|(?<=%\w\w))(?:windows|winnt)(?:[^\w\s]|%\w\w){1,12}(?:system32|win\.ini|repair)\b|"
    r"(?:(?<![a-z])|(?<=%\w\w))(?:boot|win|system)\.ini\b",
    re.IGNORECASE,
)
_SCHEME_FILE = re.compile(r"\b(?:file|php|zip|phar|expect|glob|data|jar|netdoc)://", re.IGNORECASE)
_NULL_EXT = re.compile(r"\x00|%00", re.IGNORECASE)
_HINT = Prefiltered(r"^/?(?:etc|proc|sys|boot|root|var|usr|opt|apache|httpd|nginx|lampp|xampp|logs?|[a-z]:)[/\\]|^/\.|\./\./|\.\.|etc|proc|win|boot|system32|\.ht|\.git|\.env|web-inf|://|\x00|var/|\.ssh|\.aws"
                   r"|dev/|sam|inetpub|autoexec|pagefile|winnt|apache", re.IGNORECASE)


def detect_path(text: str) -> Detection | None:
    form = path_form(text)
    if not _HINT.matches(form):
        return None
    m = _TRAVERSAL.search(form)
    if m and _not_prose_ellipsis(form, m):
        return Detection("path_traversal", "FG-PATH-001", "", excerpt_of(form, m.start(), m.end()), "high",
                         "directory traversal sequence")
    m = _SENSITIVE.search(form)
    if m and _is_path_context(form, m):
        return Detection("path_traversal", "FG-PATH-002", "", excerpt_of(form, m.start(), m.end()), "high",
                         "reference to a sensitive system file")
    m = _SENSITIVE_LOOSE.search(form)
    if m:
        return Detection("path_traversal", "FG-PATH-002", "", excerpt_of(form, m.start(), m.end()), "high",
                         "reference to a sensitive system file")
    m = _SYSTEM_PATH.match(form)
    if m:
        return Detection("path_traversal", "FG-PATH-005", "", excerpt_of(form, 0, len(form)), "medium",
                         "absolute path into a system location")
    m = _DOT_DIR.match(form)
    if m:
        return Detection("path_traversal", "FG-PATH-004", "", excerpt_of(form, m.start(), m.end()), "medium",
                         "request for a file in a hidden directory")
    m = _SCHEME_FILE.search(form)
    if m and m.group(0).lower() not in ("data://", "jar://"):
        return Detection("path_traversal", "FG-PATH-003", "", excerpt_of(form, m.start(), m.end()), "high",
                         "local file or stream wrapper URL")
    return None


def _not_prose_ellipsis(form: str, m: re.Match[str]) -> bool:
    """An ellipsis followed by a slash in prose ("and/or...") has letters right before the dots
    and a space before that; real traversal has separators around the dots."""
    start = m.start()
    seg = m.group(0)
    if seg.startswith(("/", ".")) or start == 0:
        return True
    return form[start] in "/=:;,\"'|?&(" or not form[max(0, start - 1)].isalpha()


def _is_path_context(form: str, m: re.Match[str]) -> bool:
    """"sam" or ".env" inside words is not a file reference; require a separator around it."""
    found = m.group(0).lower()
    if found.rstrip().endswith(("sam", ".env")):
        return "/" in found or "\\" in form or ".." in form
    return "/" in found or ".." in found or found.lstrip("/ =\"'(:;|&").startswith((".", "web-", "meta-"))
