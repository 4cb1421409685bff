"""Server-side request forgery: URLs whose host is a cloud metadata endpoint, loopback, a
private or link-local range, or a numeric spelling meant to hide one; and URL schemes that
reach internal services (gopher, dict, ...).

Hosts are parsed the way lenient URL parsers do (userinfo ``a@b``, backslashes, brackets,
decimal/hex/octal/short IPv4 forms), so ``http://0xA9FEA9FE`` and ``http://2852039166``
are the metadata address. Bare private IPs outside URLs are left alone (they are ordinary
field values); the metadata address is flagged anywhere.
"""

from __future__ import annotations

import ipaddress
import re

from faasguard.guard.detection import Detection, excerpt_of
from faasguard.guard.detectors.prefilter import Prefiltered

_URL = re.compile(r"\b([a-z][a-z0-9+._-]{1,15}):(?:/|\\){1,2}([^/?#\s\"'<>]{0,255})", re.IGNORECASE)
_AT_HOST = re.compile(r"@\s*([\w.\[\]:-]{1,255})")
_BARE_INTERNAL = re.compile(
    r"^\s*(?:localhost\d?|ip6-localhost|ipv6-localhost|ip6-loopback|localtest\.me|lvh\.me|"
    r"[\w-]+(?:\.[\w-]+)*\.svc(?:\.cluster\.local)?|[\w-]+(?:\.[\w-]+)*\.(?:internal|local|localhost))"
    r"(?::\d+)?/",
    re.IGNORECASE,
)
_LAMBDA_RUNTIME = Prefiltered(r"aws_lambda_runtime_api|/20\d\d-\d\d-\d\d/runtime/(?:invocation|init)/", re.IGNORECASE)
_INTERNAL_SCHEMES = frozenset({"gopher", "dict", "tftp", "ldap", "ldaps", "jar", "netdoc", "sftp",
                               "smb", "expect", "redis", "memcached", "local_file"})
_METADATA_NAMES = Prefiltered(
    r"(?:^|[^\w.])(?:metadata\.google\.internal|metadata\.goog|instance-data(?:\.ec2\.internal)?|"
    r"kubernetes\.docker\.internal|host\.docker\.internal|metadata\.azure\.com|169\.254\.169\.254|"
    r"169\.254\.170\.2|fd00:ec2::254|100\.100\.100\.200|192\.0\.0\.192|metadata)(?=$|[^\w.-]|\.?/)",
    re.IGNORECASE,
)
_REBINDING_SUFFIX = re.compile(
    r"(?:\.|-)(?:nip\.io|xip\.io|sslip\.io|nip\.direct|localtest\.me|lvh\.me|vcap\.me|1u\.ms|"
    r"rbndr\.us|burpcollaborator\.net|localhost)$",
    re.IGNORECASE,
)
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
                          "metadata", "instance-data", "metadata.google.internal", "0", "[::]", "[::1]",
                          # public DNS names that resolve to 127.0.0.1
                          "localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "fbi.com", "127.0.0.1.xip.io",
                          "spoofed.burpcollaborator.net", "kubernetes.default", "kubernetes"})
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".svc", ".localdomain", ".intranet", ".corp", ".lan",
                      ".home.arpa")
# schemes whose authority is a network host (a single-label name there is an intranet host)
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "ws", "wss", "gopher", "dict", "ldap", "ldaps",
                              "tftp", "smb", "redis", "memcached", "sftp", "ssh", "telnet", "mysql", "postgres",
                              "postgresql", "mongodb", "amqp", "jdbc:mysql", "netdoc"})
# dots that URL parsers (IDNA) read as "." in host names
_HOST_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": ".", "\u2024": ".", "\ufe52": "."})
_SINGLE_LABEL = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_METADATA_IPS = frozenset({"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200",
                           "192.0.0.192"})
_HINT = re.compile(r":/|^\s*(?://|\\\\)|:\\\\|metadata|instance-data|169\.254|docker\.internal|fd00:ec2|localhost|localtest|"
                   r"\.svc|\.internal|\.local\b|runtime", re.IGNORECASE)


def detect_ssrf(text: str) -> Detection | None:
    if not _HINT.search(text):
        return None
    for m in _URL.finditer(text):
        scheme = m.group(1).lower()
        authority = m.group(2)
        reason = _host_reason(authority)
        if reason is None and scheme in _NETWORK_SCHEMES and text[m.end(1) + 1 : m.end(1) + 3] in ("//", "\\\\"):
            host = _strip_port(authority.replace("\\", "/").split("/", 1)[0].rsplit("@", 1)[-1]).lower()
            if _SINGLE_LABEL.fullmatch(host) and not parse_ip(host):
                reason = "a single-label (intranet) host name"
        if reason:
            return Detection("ssrf", "FG-SSRF-001", "", excerpt_of(text, m.start(), m.end()), "high",
                             f"URL to {reason}")
        if scheme in _INTERNAL_SCHEMES:
            return Detection("ssrf", "FG-SSRF-002", "", excerpt_of(text, m.start(), m.end()), "high",
                             f"{scheme}:// URL reaches internal services")
    for at in _AT_HOST.finditer(text) if "@" in text and ":/" in text else ():
        reason = _host_reason(at.group(1))
        if reason:
            return Detection("ssrf", "FG-SSRF-001", "", excerpt_of(text, at.start(), at.end()), "high",
                             f"URL to {reason} (userinfo confusion)")
    relative = _SCHEME_RELATIVE.match(text)
    if relative:  # "//127.0.0.1/x" (scheme-relative) and "\\\\10.0.0.5\\share" (UNC) name a host too
        reason = _host_reason(relative.group(1))
        if reason:
            return Detection("ssrf", "FG-SSRF-001", "", excerpt_of(text, 0, relative.end()), "high",
                             f"scheme-relative or UNC path to {reason}")
    runtime = _LAMBDA_RUNTIME.search(text)
    if runtime:
        return Detection("ssrf", "FG-SSRF-005", "", excerpt_of(text, runtime.start(), runtime.end()), "critical",
                         "Lambda runtime API")
    bare = _BARE_INTERNAL.match(text)
    if bare:
        return Detection("ssrf", "FG-SSRF-004", "", excerpt_of(text, bare.start(), bare.end()), "medium",
                         "internal host name")
    meta = _METADATA_NAMES.search(text)
    if meta and (meta.group(0).strip(" \t/:\"'(").lower() != "metadata" or "://" in text):
        return Detection("ssrf", "FG-SSRF-003", "", excerpt_of(text, meta.start(), meta.end()), "critical",
                         "cloud metadata endpoint")
    return None


_SCHEME_RELATIVE = re.compile(r"\s*(?://|\\\\)([^/\\?#\s\"'<>]{1,255})")


def _host_reason(authority: str) -> str | None:
    # every part separated by '@' may be the host for some parser
    if not authority.isascii():
        authority = authority.translate(_HOST_DOTS)
    authority = authority.replace("\\", "/").split("/", 1)[0]
    for part in authority.split("@"):
        host = _strip_port(part).strip().rstrip(".!?#$&'()*+,;=").lower()
        if not host:
            continue
        reason = classify_host(host)
        if reason:
            return reason
    return None


def _strip_port(part: str) -> str:
    if part.startswith("["):
        end = part.find("]")
        return part[: end + 1] if end > 0 else part
    if part.count(":") == 1 or (part.count(":") > 1 and re.fullmatch(r"[\d.]+(?::\d*)+", part)):
        return part.split(":", 1)[0]
    return part


def classify_host(host: str) -> str | None:
    """Why ``host`` is internal, or None. Accepts names, IPv4 in any spelling, IPv6."""
    if host in _LOCAL_NAMES or host.endswith(_INTERNAL_SUFFIXES):
        return "an internal host name"
    if _REBINDING_SUFFIX.search(host):
        return "a DNS-rebinding host name"
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if bare.startswith("$"):
        return "a host taken from a variable"
    ip = parse_ip(bare)
    if ip is None:
        if not _NUMERIC_HOST_CHARS.fullmatch(bare):
            return None  # a name: none of the numeric spellings below applies
        if bare.isdigit() and int(bare) > 0xFFFFFFFF or re.fullmatch(r"0x[0-9a-f]{9,}", bare):
            return "an obfuscated numeric address"  # wider than 32 bits: wraps around in some parsers
        if re.fullmatch(r"[0-9a-fx.]+", bare) and re.search(r"\d", bare) and not re.fullmatch(
            r"\d{1,3}(?:\.\d{1,3}){3}", bare
        ) and "." in bare or re.fullmatch(r"\d{1,3}(?:\.\d+){3}", bare):
            return "an obfuscated numeric address"
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip)
    if str(ip) in _METADATA_IPS:
        return "a cloud metadata endpoint"
    if ip.is_loopback or ip.is_unspecified:
        return "loopback"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or (
        isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT
    ):
        return "a private address"
    return None


_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NUMERIC_HOST_CHARS = re.compile(r"[0-9a-fx.]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 spelling carries (mapped, compatible, NAT64, 6to4), else ``ip``."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    value = int(ip)
    if 0xFFFF < value <= 0xFFFFFFFF or ip in _NAT64:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)  # ::127.0.0.1, 64:ff9b::7f00:1
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        return ip.sixtofour
    return ip


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """IPv4 the way inet_aton reads it (``0x7f.1``, ``2130706433``, ``0177.0.0.1``) or IPv6."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    nums: list[int] = []
    for p in parts:
        try:
            if p.startswith(("0x", "0X")):
                nums.append(int(p, 16))
            elif len(p) > 1 and p.startswith("0"):
                nums.append(int(p, 8))
            else:
                nums.append(int(p, 10))
        except ValueError:
            return None
    *head, last = nums
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(nums)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(nums)) + last if head else last
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        return None
