"""SQL injection: tokenise, then judge the token fingerprint.

Like libinjection, the input is tokenised three times: as is, and as if it continued a
single- or double-quoted string (the usual injection point). Each token gets one type
letter and the detector looks at the fingerprint, so ``O'Brien`` (a word, a quote, a word)
or prose with "select ... from" (words between keywords, no SQL syntax) do not match while
``' or 'a'='a`` (string, logic, string, operator, string) does.

Type letters: s string, n number/literal, v variable, b bare word, F SQL function call,
f other call, U union, S select, K clause keyword (from, where, order, ...), T statement
keyword (drop, insert, exec, ...), & logic (and/or/xor), o operator, c comment,
( ) , ; punctuation.
"""

from __future__ import annotations

import re

from faasguard.guard.detection import Detection, excerpt_of
from faasguard.guard.detectors.prefilter import Prefiltered

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<c>--(?:[\s\-].*|$)|\#.*|/\*.*?(?:\*/|$))"
    r"|(?P<s>'(?:[^'\\]|\\.|'')*(?:'|$)|\"(?:[^\"\\]|\\.|\"\")*(?:\"|$)|`[^`]*(?:`|$))"
    r"|(?P<n>0x[0-9a-f]+|0b[01]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)"
    r"|(?P<v>@@?[\w.$]+)"
    r"|(?P<w>[a-z_\u00c0-\uffff][\w$.\u00c0-\uffff]*)"
    r"|(?P<o>:=|<=>|<>|!=|<=|>=|\|\||&&|[=<>!|&^~+\-*/%])"
    r"|(?P<p>[(),;])"
    r"|(?P<x>.)",
    re.DOTALL,
)

_LOGIC = frozenset({"and", "or", "xor", "&&", "||"})
_VALUE_WORDS = frozenset({"null", "true", "false", "not", "current_user", "current_date", "current_time",
                          "current_timestamp", "localtime", "localtimestamp", "session_user", "system_user", "sysdate"})
_OP_WORDS = frozenset({"like", "rlike", "regexp", "is", "in", "between", "sounds", "div", "mod", "collate", "glob",
                       "match", "similar", "ilike", "notnull", "isnull"})
_CLAUSE = frozenset({
    "from", "where", "having", "limit", "order", "group", "by", "into", "values", "table", "case",
    "when", "then", "else", "end", "as", "distinct", "all", "top", "offset", "procedure", "asc",
    "desc", "exists", "outfile", "dumpfile", "set", "join", "on", "database", "user", "delay", "escape",
})
_STATEMENT = frozenset({
    "drop", "insert", "update", "delete", "exec", "execute", "declare", "shutdown", "create", "alter",
    "truncate", "waitfor", "grant", "revoke", "replace", "handler", "load", "call",
})
_SQL_FUNCTIONS = frozenset({
    "concat", "concat_ws", "group_concat", "char", "chr", "nchar", "ascii", "substring", "substr",
    "mid", "cast", "convert", "version", "database", "user", "current_user", "system_user",
    "session_user", "schema", "hex", "unhex", "md5", "sha1", "sleep", "benchmark", "pg_sleep",
    "load_file", "extractvalue", "updatexml", "count", "if", "ifnull", "isnull", "coalesce",
    "nullif", "elt", "exp", "floor", "rand", "length", "len", "lower", "upper", "ord", "bin", "conv",
    "json_keys", "json_extract", "name_const", "row", "pi", "db_name", "host_name", "user_name",
    "aes_encrypt", "aes_decrypt", "make_set", "export_set", "field", "find_in_set", "instr",
    "locate", "position", "reverse", "left", "right", "ltrim", "rtrim", "trim", "space", "repeat",
    "lpad", "rpad", "char_length", "octet_length", "bit_length", "greatest", "least", "abs",
    "iif", "choose", "randomblob", "sqlite_version", "pg_read_file", "current_database",
    "to_char", "to_number", "nvl", "decode", "instrb", "xmltype", "dbms_pipe.receive_message",
    "utl_inaddr.get_host_address", "utl_http.request", "openrowset", "opendatasource", "xp_cmdshell",
    "sp_executesql", "sys_context", "geometrycollection", "multipoint", "polygon", "linestring",
    "gtid_subset", "json_object", "st_latfromgeohash", "procedure_analyse", "sysdate", "now",
    "lo_import", "lo_export", "lo_get", "compress", "uncompress", "strcmp", "sin", "cos", "tan", "atan",
    "sqrt", "power", "round", "ceil", "ceiling", "soundex", "encode", "quote", "crc32", "sha2", "inet_aton",
    "last_insert_id", "found_rows", "row_count", "connection_id", "charset", "collation", "coercibility",
    "pg_ls_dir", "current_setting", "dblink", "query_to_xml", "xmlagg", "dbms_xmlgen.getxml", "ctxsys.drithsx.sn",
})
_ATTACK_FUNCTIONS = frozenset({
    "sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "name_const",
    "dbms_pipe.receive_message", "utl_inaddr.get_host_address", "utl_http.request", "xp_cmdshell",
    "sp_executesql", "openrowset", "opendatasource", "pg_read_file", "gtid_subset", "randomblob",
    "geometrycollection", "multipoint", "polygon", "linestring", "procedure_analyse",
    "lo_import", "lo_export", "lo_get", "pg_ls_dir", "dblink", "query_to_xml", "dbms_xmlgen.getxml",
    "ctxsys.drithsx.sn",
})
# identifiers that only exist in database servers: naming one is enough
_SQL_ONLY_WORDS = Prefiltered(
    r"\b(?:xp_cmdshell|sp_oacreate|sp_oamethod|sp_executesql|sp_makewebtask|sp_addextendedproc|pg_sleep|"
    r"pg_read_file|dbms_pipe|utl_inaddr|utl_http|sys\.dba_users|information_schema\.\w+|"
    r"execute\s+immediate|into\s+(?:out|dump)file|load\s+(?:data|xml)\s+(?:local\s+|concurrent\s+)*infile)\b|"
    r"[)'\"]\s*::\s*(?:int|integer|text|varchar|jsonb?|bigint|numeric|bool|boolean|regclass|oid|bytea)\b|"
    r"'\s*(?:<@|@>|\?\||\?&)\s*'",
)
_RAW_SQL_GATE = Prefiltered(r"[=#<>]|(?:^|[^\w.])@|(?:['\"\d)]|\b(?:null|select|union|from|by|limit))\s*--|/\*|"
                           r";\s*\(*\s*(?:select|drop|insert|update|delete|exec|"
                           r"execute|declare|shutdown|create|alter|truncate|waitfor|grant|call|set)\b|\b(?:union|select|sleep|benchmark|"
                           r"waitfor|declare|exec|execute|drop|insert|delete|update|information_schema|outfile|dumpfile)\b")
_CALL = re.compile(r"([a-z_][\w.]*)\s*\(")
_NUMERIC_START = frozenset("0123456789)-+.'\"`")
_LEADING_WORDS = frozenset({"and", "or", "xor", "order", "group", "having", "where", "limit", "procedure", "not",
                            "union", "select", "alter", "drop", "create", "truncate", "insert", "from"})
_QUOTE_WINDOW = 160
_JUNK_BETWEEN_LETTERS = re.compile(r"[a-z][^\x00-\x7f][a-z]")  # (cheap to scan: starts with a class)
_INNER_JUNK = re.compile(r"(?<=[a-z])[^\x00-\x7f](?=[a-z])")
_KEY_PREFIX = re.compile(r"^[\w.\[\]-]{1,40}=(?=.)")
_CATALOG = Prefiltered(
    r"information_schema|mysql\.user|pg_catalog|pg_shadow|sysobjects|syscolumns|sys\.all_|"
    r"all_tables|user_tables|sqlite_master|msysobjects|xp_cmdshell|@@version|sys\.databases|"
    r"master\.\.|dual\b|table_name|column_name|table_schema"
)
_MAX_TOKENS = 160
_MAX_CHARS = 4096


def tokenize(text: str) -> tuple[str, list[str]]:
    """(fingerprint, token values) of lower-cased ``text``."""
    types: list[str] = []
    values: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        val = m.group(0)
        if kind == "w":
            t = _word_type(val)
        elif kind == "o":
            t = "&" if val in ("||", "&&") else "o"
        elif kind == "p":
            t = val
        elif kind == "x":
            t = "x"
        else:
            t = kind or "x"
        types.append(t)
        values.append(val)
        if len(types) >= _MAX_TOKENS:
            break
    # "not like", "not regexp", "not in": one negated operator
    for i in range(len(types) - 1):
        if values[i] == "not" and types[i + 1] == "o":
            types[i] = "o"
    # a word directly followed by "(" is a call
    for i in range(len(types) - 1):
        if types[i + 1] == "(" and types[i] in "bKTn" and values[i][0].isalpha():
            name = values[i]
            if name in _SQL_FUNCTIONS or name.rsplit(".", 1)[-1] in _SQL_FUNCTIONS:
                types[i] = "F"
            elif types[i] == "b":
                types[i] = "f"
    return "".join(types), values


def _word_type(word: str) -> str:
    if word == "union":
        return "U"
    if word == "select":
        return "S"
    if word in _LOGIC:
        return "&"
    if word in _VALUE_WORDS:
        return "n"
    if word in _OP_WORDS:
        return "o"
    if word in _STATEMENT:
        return "T"
    if word in _CLAUSE:
        return "K"
    return "b"


# Fingerprint patterns. Each says what SQL structure it stands for; none names a payload.
_ANYWHERE = (
    ("FG-SQLI-001", re.compile(r"U[K(c]*\(*S"), "UNION SELECT"),
    ("FG-SQLI-002", re.compile(r"S[^&;]{0,12}K"), None),  # checked with _select_is_sql
    ("FG-SQLI-003", re.compile(r"[sn)v]&\(*[snvF]\)*o\(*[snvFb]"), "boolean comparison after a value"),
    ("FG-SQLI-004", re.compile(r";\(*[TS]"), "stacked statement"),
    ("FG-SQLI-005", re.compile(r"[sn)]&\(*F"), "boolean with a SQL function"),
    ("FG-SQLI-008", re.compile(r"(?:,n){3,}"), None),  # checked: NULL column padding
    ("FG-SQLI-009", re.compile(r"&\(*o?n\)*o\(*o?n"), None),  # checked: literal comparison
    ("FG-SQLI-016", re.compile(r"F\(+o?[nsv]\)*o\(*o?[nsv]"), "SQL condition function on literals"),
    ("FG-SQLI-017", re.compile(r"Tv|Kvo|vo"), None),  # checked: declare @x / set @x = / @x :=
    ("FG-SQLI-018", re.compile(r"TKs"), None),  # checked: waitfor delay '0:0:5'
    ("FG-SQLI-031", re.compile(r"\(S\(*[nsvF(]|\(S[^)]{0,10}K"), None),  # checked: parenthesised subquery
    ("FG-SQLI-032", re.compile(r"S\(*F\("), "SELECT of a SQL function"),
    ("FG-SQLI-033", re.compile(r"F\(\)\)*o\(*[nsvF]"), "comparison of SQL function results"),
)
# Patterns anchored at the start of a quote-context fingerprint (the quote closed a string).
_QUOTE_BREAK = (
    ("FG-SQLI-010", re.compile(r"^s\)*&\(*[snvFfb(]"), "quote break then logic"),
    ("FG-SQLI-011", re.compile(r"^s\)*c"), "quote break then comment"),
    ("FG-SQLI-012", re.compile(r"^s\)*;"), "quote break then statement end"),
    ("FG-SQLI-013", re.compile(r"^s\)*o+\(*[snvFb]"), "quote break then operator"),
    ("FG-SQLI-014", re.compile(r"^s\)*[KTUS]"), "quote break then SQL keyword"),
)
# Patterns anchored at the start of the raw fingerprint (numeric injection point).
_NUMERIC_BREAK = (
    ("FG-SQLI-020", re.compile(r"^o?n\)*&\(*[nsvF(]"), "number then logic"),
    ("FG-SQLI-021", re.compile(r"^o?n\)*;\(*[TSK]"), "number then statement"),
    ("FG-SQLI-022", re.compile(r"^o?n\)*K+[nb]"), "number then clause"),
    ("FG-SQLI-023", re.compile(r"^o?n\)+[&cK]"), "number and parenthesis break"),
    ("FG-SQLI-024", re.compile(r"^\)+[&;cKU]"), "parenthesis break"),
    ("FG-SQLI-025", re.compile(r"^&\(*[nsvFb]\)*o\(*[nsvF]"), "leading logic comparison"),
    ("FG-SQLI-028", re.compile(r"^KKo?n"), "leading ORDER/GROUP BY column number"),
    ("FG-SQLI-029", re.compile(r"^K\(*[Fbn]\(*[^&;]{0,6}o(?:\(*[nsvF]|$)"), "leading WHERE/HAVING condition"),
    ("FG-SQLI-035", re.compile(r"^o?[ns)]\)*K[bs]K"), "alias then FROM (column list break)"),
    ("FG-SQLI-036", re.compile(r"^K[bs]K"), "leading FROM ... WHERE"),
    ("FG-SQLI-037", re.compile(r"^T"), "statement at the start of the value"),
    ("FG-SQLI-038", re.compile(r"^so+s"), "comparison of string literals"),
    ("FG-SQLI-030", re.compile(r"^F\(\)?$"), "bare SQL function call"),
    ("FG-SQLI-034", re.compile(r"^\(+[^c]{0,30}[&oS][^c]{0,30}c"), "parenthesised expression then comment"),
    ("FG-SQLI-026", re.compile(r"^&\(*F"), "leading logic with SQL function"),
    ("FG-SQLI-027", re.compile(r"^o?nK+n\)*c"), "clause then comment"),
    ("FG-SQLI-039", re.compile(r"^&\(*[nsv]\)*c?$"), "logic and a lone literal"),
    ("FG-SQLI-040", re.compile(r"^&\(*[nsb]o[nsb]\)*(?:c|;|$)"), "leading logic with a tautology"),  # x=x
    ("FG-SQLI-041", re.compile(r"^o?n(?:o\(*n\)*)+c"), "arithmetic then comment"),
)
_SIGNALS = frozenset("F(,;vc*=")
_COMPARISONS = frozenset({"=", "<", ">", "<=", ">=", "<>", "!=", "<=>", "like", "rlike", "regexp", "glob",
                          "in", "between", "sounds", "ilike", "similar", "match"})


def _select_is_sql(fp: str, values: list[str], start: int) -> bool:
    """``select ... from|where|...`` counts when the part between has SQL syntax."""
    end = min(len(fp), start + 14)
    seg = fp[start:end]
    if "K" not in seg[1:]:
        return False
    k = seg.index("K", 1)
    between = seg[1:k]
    if not between:
        return values[start + k] not in ("from", "where") or start + k + 1 < len(fp)
    signals = sum(1 for t in between if t in _SIGNALS) + sum(
        1 for v in values[start + 1 : start + k] if v in ("*", "=")
    )
    barewords = between.count("b")
    return signals >= 1 and barewords <= 2 * signals + 1


def _check(fp: str, values: list[str], quote_context: bool) -> tuple[str, str] | None:
    for rule_id, pattern, message in _ANYWHERE:
        m = pattern.search(fp)
        if not m:
            continue
        if rule_id == "FG-SQLI-002":
            if any(_select_is_sql(fp, values, i) for i, t in enumerate(fp) if t == "S"):
                return rule_id, "SELECT statement"
            continue
        if rule_id == "FG-SQLI-004":
            idx = m.end() - 1
            if not _stacked_is_sql(fp, values, idx):
                continue
        if rule_id == "FG-SQLI-008":
            nulls = [v for v, t in zip(values, fp, strict=False) if t == "n"]
            if sum(1 for v in nulls if v == "null") < 3:
                continue
            message = "NULL column padding"
        if rule_id == "FG-SQLI-009":
            ops = [values[i] for i in range(m.start(), m.end()) if fp[i] == "o"]
            if not any(o in ("=", "<", ">", "<>", "!=", "<=", ">=", "like", "<=>") for o in ops):
                continue
            message = "boolean comparison of literals"
        if rule_id == "FG-SQLI-017":
            seg = values[m.start() : m.end()]
            if not (seg[0] in ("declare", "set") or (len(seg) == 2 and seg[1] == ":=")):
                continue
            message = "SQL variable assignment"
        if rule_id == "FG-SQLI-031":
            seg = values[m.start() : m.start() + 14]
            if m.group(0).endswith("K") and not any(v in ("from", "where", "limit") for v in seg):
                continue
            message = "parenthesised SELECT"
        if rule_id == "FG-SQLI-018":
            if values[m.start()] != "waitfor":
                continue
            message = "WAITFOR DELAY"
        return rule_id, message or ""
    for i, t in enumerate(fp):
        if t == "F" and (values[i] in _ATTACK_FUNCTIONS or values[i].rsplit(".", 1)[-1] in _ATTACK_FUNCTIONS):
            return "FG-SQLI-006", f"SQL attack function {values[i]}()"
    if quote_context:
        for rule_id, pattern, message in _QUOTE_BREAK:
            if pattern.search(fp) and _quote_break_confirmed(rule_id, fp, values):
                return rule_id, message
    else:
        for rule_id, pattern, message in _NUMERIC_BREAK:
            if pattern.search(fp) and _numeric_confirmed(rule_id, fp, values):
                return rule_id, message
    return None


def _stacked_is_sql(fp: str, values: list[str], idx: int) -> bool:
    word = values[idx]
    nxt = fp[idx + 1 : idx + 4]
    nxt_vals = values[idx + 1 : idx + 3]
    if word == "select":
        return bool(nxt) and (nxt[0] in "nFvsf(*" or values[idx + 1] == "*" or "K" in nxt)
    if word in ("drop", "create", "alter", "truncate"):
        return bool(nxt_vals) and nxt_vals[0] in ("table", "database", "user", "procedure", "function")
    if word == "insert":
        return bool(nxt_vals) and nxt_vals[0] == "into"
    if word in ("exec", "execute", "call"):
        target = nxt_vals[0] if nxt_vals else ""
        return target.startswith(("xp_", "sp_", "master.", "dbo.", "sys.", "(", "@")) or nxt[:2] in ("f(", "F(")
    if word == "declare":
        return bool(nxt) and nxt[0] == "v"
    if word == "waitfor":
        return bool(nxt_vals) and nxt_vals[0] in ("delay", "time")
    if word == "shutdown":
        return True
    if word in ("update", "delete"):
        return "K" in nxt
    return False


def _quote_break_confirmed(rule_id: str, fp: str, values: list[str]) -> bool:
    # The value before the break is what the application expected: one short token, not a sentence
    # that happens to contain a quote.
    first = values[0]
    content = first[1:-1] if len(first) >= 2 and first[-1] == first[0] else first[1:]
    max_spaces = 3 if rule_id == "FG-SQLI-010" else 1
    if len(content) > 60 or content.count(" ") > max_spaces or "\n" in content:
        return False
    rest = fp.lstrip("s)")
    if rule_id == "FG-SQLI-010":
        # "' or 'x'='x", "' and 1=1", "' or sleep(5)": logic followed by an operand AND an operator,
        # a comment, a call or a second quote break; prose words after "or" are not enough.
        after = rest[1:]
        return bool(re.match(r"\(*[snvF]\)*(?:o|c|$|&|;|\))", after) or re.match(r"\(*b\)*o\(*[snvF]", after)
                    or re.match(r"\(*[fF]\(", after) or re.match(r"\(*b\)*o\(*b\)*c", after)
                    or re.match(r"\(*b\)*o\)*c", after)
                    # an expression of two or more operators that ends the value or is commented out:
                    # "' or column*column!='0"
                    or re.match(r"\(*[bnsvF]\)*(?:o+\(*[bnsvF]\)*){2,}(?:$|c|;)", after))
    if rule_id == "FG-SQLI-011":
        comment = values[fp.index("c")]
        return not comment.startswith("#") or not comment[1:].strip()
    if rule_id == "FG-SQLI-012":
        return len(rest) >= 2 and rest[1] in "TSKc&(" or rest == ";"
    if rule_id == "FG-SQLI-013":
        op_idx = len(fp) - len(rest)
        operator = values[op_idx]
        chain = values[op_idx + 1 : op_idx + 7]
        if "&" in chain:
            chain = chain[: chain.index("&")]  # a query-string separator ends the expression
        later_comparison = any(v in _COMPARISONS for v in chain)
        if operator not in _COMPARISONS and operator not in ("||", "|", "^", "&", "div", "collate") and \
                fp[op_idx + 1 : op_idx + 2] not in ("F", "(") and not later_comparison:
            return False  # "+", "-", "*", "is" after a quote are ordinary text ('4"+X', '"IS" STAMP')
        return bool(re.match(r"o+\(*[snvF]\)*(?:$|c|&|o|;|s)", rest)) or bool(re.match(r"o+\(*b\)*(?:c|o|&)", rest)) \
            or bool(re.match(r"o+\)*c", rest))
    if rule_id == "FG-SQLI-014":
        idx = len(fp) - len(rest)
        word = values[idx]
        if word in ("order", "group"):
            return len(values) > idx + 2 and values[idx + 1] == "by" and fp[idx + 2] in "nbF("
        if word in ("having", "where"):
            return any(values[j] in _COMPARISONS for j in range(idx + 1, min(len(fp), idx + 5)))
        if word in ("limit", "procedure", "into"):
            return len(fp) > idx + 1 and fp[idx + 1] in "nbsvF("
        if fp[idx] == "U":
            return "S" in fp[idx + 1 : idx + 4]
        return fp[idx] == "S" or (fp[idx] == "T" and _stacked_is_sql(fp, values, idx))
    return True


def _numeric_confirmed(rule_id: str, fp: str, values: list[str]) -> bool:
    if rule_id == "FG-SQLI-040":
        start = fp.index("o")
        return values[start] in ("=", "like", "<=>", "==") and values[start - 1] == values[start + 1]
    if rule_id == "FG-SQLI-041":
        # "1*1--": dates, phone numbers and ranges ("2020-10-05 -- notes") use "-" and "+" only
        ops = [values[i] for i in range(len(fp)) if fp[i] == "o" and i > 0]
        return any(o not in ("-", "+", "/", ".") for o in ops)
    if rule_id == "FG-SQLI-021":
        idx = fp.index(";") + 1
        while idx < len(fp) and fp[idx] == "(":
            idx += 1
        # "1;drop table x", or any statement keyword when the rest is commented out ("10;DROP members --")
        return idx < len(fp) and (fp[idx] != "T" or _stacked_is_sql(fp, values, idx) or fp.endswith("c"))
    if rule_id == "FG-SQLI-034":
        return "\n" not in "".join(values) and len(values) <= 40
    if rule_id == "FG-SQLI-035":
        k = fp.index("K")
        return values[k] == "as" and values[k + 2] == "from"
    if rule_id == "FG-SQLI-036":
        return values[0] == "from" and values[2] in ("where", "limit", "order", "group", "join")
    if rule_id == "FG-SQLI-037":
        return values[0] in ("alter", "drop", "create", "truncate", "insert") and len(values) >= 3 and \
            values[1] in ("table", "database", "procedure", "function", "into", "view", "index", "trigger")
    if rule_id == "FG-SQLI-038":
        ops = [values[i] for i in range(1, len(fp)) if fp[i] == "o"]
        return bool(ops) and all(o in _COMPARISONS or o == "not" for o in ops[:2]) and len(fp) <= 6
    if rule_id == "FG-SQLI-028":
        return values[0] in ("order", "group") and values[1] == "by"
    if rule_id == "FG-SQLI-029":
        return values[0] in ("where", "having")
    if rule_id in ("FG-SQLI-022", "FG-SQLI-027"):
        idx = fp.index("K")
        word = values[idx]
        if word in ("order", "group"):
            return values[idx + 1 : idx + 2] == ["by"] and fp[idx + 2 : idx + 3] in ("n", "b", "F")
        return word in ("limit", "having", "procedure", "into", "union") and (
            "c" in fp or "U" in fp or "," in fp or "F" in fp
        )
    if rule_id == "FG-SQLI-020":
        return bool(re.search(r"&\(*[nsvF(]\)*[o(]|&\(*F|&\(*[nsv]\)*c", fp)) and fp[0] != "o" or (
            fp.startswith("on") and values[0] == "-"
        )
    if rule_id == "FG-SQLI-023":
        return fp.count(")") > fp.count("(") and ("c" in fp or "&" in fp and "o" in fp)
    if rule_id == "FG-SQLI-024":
        return len(fp) > 2 and ("c" in fp or "o" in fp or "U" in fp or ";" in fp)
    return True


_CHEAP_SQL_HINT = Prefiltered(
    r"['\"`;#()=@]|--|/\*|\b(?:union|select|and|or|xor|sleep|benchmark|waitfor|exec|order|group|having|where|"
    r"drop|insert|delete|update|like|rlike|regexp|information_schema|outfile|dumpfile|xp_cmdshell|pg_sleep)\b",
    re.IGNORECASE,
)


def detect_sqli(text: str) -> Detection | None:
    if not _CHEAP_SQL_HINT.matches(text):
        return None
    lowered = text[:_MAX_CHARS].lower()
    only = _SQL_ONLY_WORDS.search(lowered)
    if only:
        return Detection("sqli", "FG-SQLI-019", "", excerpt_of(text, only.start(), only.end()), "high",
                         "database-only identifier or statement")
    cat = _CATALOG.search(lowered)
    if not lowered.isascii():
        # junk bytes inside keywords ("S\xa0E\xb1L\xc2E\xd3C\xe4T") are dropped by some parsers
        squeezed = _INNER_JUNK.sub("", lowered) if _JUNK_BETWEEN_LETTERS.search(lowered) else lowered
        if squeezed != lowered:
            return detect_sqli(squeezed)
    contexts: list[tuple[str, bool]] = []
    if (_RAW_SQL_GATE.matches(lowered) or lowered.lstrip()[:1] in _NUMERIC_START or
            lowered.lstrip().split(" ", 1)[0] in _LEADING_WORDS or _calls_sql_function(lowered)) and \
            _raw_can_match(lowered):
        contexts.append((lowered, False))
    key = _KEY_PREFIX.match(lowered)
    if key and _raw_can_match(lowered[key.end() :]):  # "pay=AND 1=1": the part after a key is the injection point
        contexts.append((lowered[key.end() :], False))
    # quote contexts: the break rules only accept a short value before the quote, so only a
    # quote near the start matters, and only the tokens around it
    for quote in ("'", '"'):
        at = lowered.find(quote)
        if 0 <= at <= 64 and _break_can_follow(lowered, at):
            contexts.append((quote + lowered[: at + _QUOTE_WINDOW], True))
    for ctx, quoted in contexts:
        fp, values = tokenize(ctx)
        hit = _check(fp, values, quoted)
        if hit:
            rule_id, message = hit
            return Detection("sqli", rule_id, "", excerpt_of(text, 0, min(len(text), 80)), "high", message)
        if cat and any(t in fp for t in "FUS;c") and _catalog_in_sql(fp):
            return Detection("sqli", "FG-SQLI-007", "", excerpt_of(text, cat.start(), cat.end()), "high",
                             "SQL catalog access")
    return None


# Every raw-context rule needs a SQL word (keyword, logic, operator word, value word, function), a
# variable, a statement separator or logic symbol, or else a fingerprint that starts with a
# number, operator, string or parenthesis. Text that starts with an ordinary word and has none of
# these (most prose, URLs, addresses) cannot match, so it is not tokenised at all.
_SQL_VOCABULARY = frozenset(
    {"union", "select"} | _LOGIC | _VALUE_WORDS | _OP_WORDS | _CLAUSE | _STATEMENT
    | {part for name in _SQL_FUNCTIONS for part in name.split(".")}
)
_PLAIN_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _raw_can_match(lowered: str) -> bool:
    first = lowered.lstrip()[:1]
    if not first or not (first.isalpha() or first == "_"):
        return True
    if "@" in lowered or "&&" in lowered or "||" in lowered:
        return True
    return not _SQL_VOCABULARY.isdisjoint(_PLAIN_WORD.findall(lowered))


_AFTER_QUOTE_WORD = re.compile(r"[a-z_]+")
_BREAK_WORDS = frozenset({"or", "and", "xor", "union", "select", "like", "rlike", "regexp", "having", "order",
                          "group", "where", "limit", "procedure", "into", "is", "in", "between", "not", "div",
                          "collate", "glob", "waitfor", "exec", "execute", "declare", "sounds", "ilike", "drop",
                          "insert", "update", "delete", "create", "alter", "truncate", "shutdown", "set", "if",
                          "case", "when", "then", "else", "end", "null", "true", "false", "sleep", "benchmark",
                          "begin", "goto", "call", "load", "grant", "revoke", "replace", "handler", "with"})


def _break_can_follow(lowered: str, at: int) -> bool:
    """After a quote directly followed by a letter (``I'd``, ``Gordon's``), only a SQL keyword can
    continue an injection (``admin'or'1'='1``); anything else after the quote can."""
    m = _AFTER_QUOTE_WORD.match(lowered, at + 1)
    return m is None or m.group(0) in _BREAK_WORDS or m.group(0) in _SQL_FUNCTIONS


def _calls_sql_function(lowered: str) -> bool:
    if "(" not in lowered:
        return False
    for m in _CALL.finditer(lowered):
        name = m.group(1)
        if name in _SQL_FUNCTIONS or name.rsplit(".", 1)[-1] in _SQL_FUNCTIONS:
            return True
    return False


def _catalog_in_sql(fp: str) -> bool:
    return ("S" in fp and "K" in fp) or "F" in fp or "U" in fp or fp.startswith("K")
