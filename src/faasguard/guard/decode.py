"""Decoding layers applied before detection.

Attackers spell the same payload many ways: URL encoding (once, twice, ``%u``), overlong
UTF-8 (``%c0%af``), HTML entities, JS/JSON escapes, SQL comments between keywords,
full-width characters and base64. ``variants(text)`` returns the distinct normal forms a
detector should look at; the work is bounded (fixed number of passes, input capped).
Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata

MAX_DECODE_CHARS = 65536  # longer inputs are decoded only in their first part
_MAX_URL_PASSES = 3

_PCT = re.compile(r"%(?:[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")
_PCT_BYTES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_PCT_U = re.compile(r"%u([0-9a-fA-F]{4})")
_JS_ESCAPE = re.compile(r"\\(?:u\{?([0-9a-fA-F]{4})\}?|x([0-9a-fA-F]{2})|([nrt])(?![a-z]))")
_HEX_LITERAL_SEP = re.compile(r"0x(2[eEfF]|5[cC])")  # "0x2e0x2e0x2f" spellings of ../
_ENTITY_START = re.compile(r"&[#a-zA-Z]")  # html.unescape changes nothing without one
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});?")
_SQL_INLINE_COMMENT = re.compile(r"/\*!?\d{0,6}|\*/")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
# characters NFKC folds into ASCII look-alikes (full-width forms, small forms, spacing and
# punctuation variants); other scripts are left alone and skip the normalisation cost
_COMPAT_CHARS = re.compile("[\u00a0\u2000-\u206f\u2100-\u214f\u2460-\u24ff\ufe30-\ufe6f\uff00-\uffef"
                           "\U0001d400-\U0001d7ff\u02b0-\u02ff\u2070-\u209f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode_pct_bytes(match: re.Match[str]) -> str:
    raw = bytes.fromhex(match.group(0).replace("%", ""))
    return _decode_lenient_utf8(raw)


def _decode_lenient_utf8(raw: bytes) -> str:
    """UTF-8 that also folds overlong forms the way old IIS/Tomcat did (``c0 af`` -> ``/``,
    ``f8 80 80 80 af`` -> ``/``); other invalid bytes are replaced."""
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        b0 = raw[i]
        if b0 < 0x80:
            out.append(chr(b0))
            i += 1
            continue
        if b0 < 0xC0:
            out.append("\ufffd")
            i += 1
            continue
        length = 2 if b0 < 0xE0 else 3 if b0 < 0xF0 else 4 if b0 < 0xF8 else 5 if b0 < 0xFC else 6
        chunk = raw[i : i + length]
        if len(chunk) == 2 and b0 == 0xC0 and chunk[1] < 0x80:
            out.append(chr(chunk[1]))  # a stray lead byte before ASCII
            i += 2
            continue
        value = b0 & (0x7F >> length)
        for b in chunk[1:]:
            value = (value << 6) | (b & 0x3F)
        if len(chunk) == length and value < 0x80:
            out.append(chr(value))  # overlong spelling of an ASCII character
        else:
            out.append(chunk.decode("utf-8", "replace"))
        i += max(1, len(chunk))
    return "".join(out)


def url_decode(text: str, plus_as_space: bool = False) -> str:
    if plus_as_space:
        text = text.replace("+", " ")
    text = _PCT_U.sub(lambda m: chr(int(m.group(1), 16)), text)
    return _PCT_BYTES.sub(_decode_pct_bytes, text)


def url_decode_repeated(text: str, plus_as_space: bool = False) -> str:
    for _ in range(_MAX_URL_PASSES):
        if "%" not in text or not _PCT.search(text):
            break
        decoded = url_decode(text, plus_as_space)
        if decoded == text:
            break
        text = decoded
    return text


_C_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def _js_unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(3):
            return _C_ESCAPES[m.group(3)]
        code = m.group(1) or m.group(2)
        return chr(int(code, 16))

    return _JS_ESCAPE.sub(repl, text)


def normalize(text: str) -> str:
    """One canonical form: URL, JS and HTML decoding, NFKC, control characters dropped."""
    out = text
    for _ in range(2):
        before = out
        if "%" in out:
            out = url_decode_repeated(out)
        if "\\" in out:
            out = _js_unescape(out)
        if "&" in out and _ENTITY_START.search(out):
            out = html.unescape(out)
        if out == before:
            break
    if not out.isascii() and _COMPAT_CHARS.search(out):
        out = unicodedata.normalize("NFKC", out)
    if _CONTROL.search(out):
        # vertical tab and form feed separate HTML attributes; other control characters are noise
        out = _CONTROL.sub(lambda m: " " if m.group(0) in "\x0b\x0c" else "", out)
    return out


# Characters that some servers map to a slash or dot (Unicode look-alikes, IIS best-fit mappings).
_PATH_LOOKALIKES = str.maketrans({
    "\u2215": "/", "\u2044": "/", "\u29f8": "/", "\uff0f": "/", "\u2216": "/", "\ufe68": "/",
    "\uff3c": "/", "\u29f5": "/", "\uefc8": "/", "\uf025": "/", "\u3002": ".", "\uff0e": ".",
    "\u2024": ".", "\ufe52": ".", "\\": "/",
})


_PATH_LOOKALIKE_CHARS = re.compile("[\u2215\u2044\u29f8\uff0f\u2216\ufe68\uff3c\u29f5\uefc8\uf025\u3002\uff0e"
                                   "\u2024\ufe52]")


def path_form(text: str) -> str:
    """Normal form for path checks: ``0x2e``/``0x2f`` spellings, look-alike slashes, backslashes."""
    out = _HEX_LITERAL_SEP.sub(lambda m: chr(int(m.group(1), 16)), text) if "0x" in text else text
    if "\\" not in out and (out.isascii() or not _PATH_LOOKALIKE_CHARS.search(out)):
        return out  # (translate with a table costs microseconds even when nothing changes)
    return out.translate(_PATH_LOOKALIKES)


def sql_form(text: str) -> str:
    """Normal form for SQL: inline comments ``/**/`` become spaces, ``+`` becomes a space."""
    out = _SQL_INLINE_COMMENT.sub(" ", text) if "/*" in text else text
    return out


def base64_payloads(text: str, limit: int = 3) -> list[str]:
    """Text hidden in base64 tokens (printable results only), at most ``limit`` of them."""
    found: list[str] = []
    for m in _BASE64_TOKEN.finditer(text):
        token = m.group(0)
        if not _looks_like_base64(token):
            continue
        decoded = _b64(token)
        if decoded is not None:
            found.append(decoded)
            if len(found) >= limit:
                break
    return found


def _looks_like_base64(token: str) -> bool:
    """Base64 of text mixes upper and lower case (hex digests, UUIDs and plain words do not)."""
    has_upper = token.lower() != token
    has_lower = token.upper() != token
    return has_upper and has_lower or token.endswith("=")


def base64_bytes(token: str) -> bytes | None:
    padded = token + "=" * (-len(token) % 4)
    try:
        if "-" in token or "_" in token:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


_SERIALIZED_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05", b"\xac\xed")  # pickle, Java


def _b64(token: str) -> str | None:
    raw = base64_bytes(token.rstrip("="))
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # not text: only serialized objects are worth a look (random words that happen to be
        # valid base64, like "Pisacane-Calarco", decode to bytes that are neither)
        return raw.decode("latin-1") if raw[:2] in _SERIALIZED_MAGIC else None
    if text.isprintable() or sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t") >= 0.9 * len(text):
        return text
    return None


_MARKUP_PIECE = re.compile(r"=\s*\"([^\"]{1,2000})\"|=\s*'([^']{1,2000})'|>([^<]{1,2000})<")


def markup_pieces(text: str, limit: int = 20) -> list[str]:
    """Attribute values and text nodes of an XML/HTML-looking value (entity-decoded): a payload
    wrapped in ``<root><a probe="...">`` is judged on its own."""
    pieces: list[str] = []
    for m in _MARKUP_PIECE.finditer(text[:MAX_DECODE_CHARS]):
        piece = (m.group(1) or m.group(2) or m.group(3) or "").strip()
        if piece:
            pieces.append(html.unescape(piece) if "&" in piece else piece)
            if len(pieces) >= limit:
                break
    return pieces


def variants(text: str) -> list[str]:
    """Distinct forms of ``text`` worth scanning: decoded first (more telling rule and excerpt),
    then raw, then form-decoded."""
    if len(text) > MAX_DECODE_CHARS:
        text = text[:MAX_DECODE_CHARS]
    norm = normalize(text)
    forms = [norm, text] if norm != text else [text]
    if "+" in text and "%" in text:
        plus = normalize(url_decode_repeated(text, plus_as_space=True))
        if plus not in forms:
            forms.append(plus)
    return forms
