"""The sink table, as data: which call arguments must not carry event data, per sink kind.

``FUNCTION_SINKS`` is keyed by the qualified name of a function (as imported: ``subprocess.run``,
``yaml.load``; builtins by their bare name). ``METHOD_SINKS`` is keyed by method name, with the
receiver types (see ``taint.type tags``) it applies to, or ``None`` for any receiver when the name
is distinctive enough. The kinds map to rules in rules.TAINT_RULES.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY = -1  # every positional argument


@dataclass(frozen=True, slots=True)
class SinkSpec:
    kind: str
    args: tuple[int, ...] = (0,)
    kwargs: tuple[str, ...] = ()
    check: str = ""  # extra condition evaluated by the engine (see taint._sink_condition)
    confidence: str = "high"


def _s(kind: str, *args: int, kwargs: tuple[str, ...] = (), check: str = "", confidence: str = "high") -> SinkSpec:
    return SinkSpec(kind, args or (0,), kwargs, check, confidence)


_CMD_SUBPROCESS = _s("command", 0, kwargs=("args",), check="subprocess")
_HTTP_URL = _s("ssrf", 0, kwargs=("url",))

FUNCTION_SINKS: dict[str, SinkSpec] = {
    # OS command (CWE-78)
    "os.system": _s("command", 0, kwargs=("command",)),
    "os.popen": _s("command", 0, kwargs=("cmd",)),
    "subprocess.run": _CMD_SUBPROCESS,
    "subprocess.call": _CMD_SUBPROCESS,
    "subprocess.check_call": _CMD_SUBPROCESS,
    "subprocess.check_output": _CMD_SUBPROCESS,
    "subprocess.Popen": _CMD_SUBPROCESS,
    "subprocess.getoutput": _s("command", 0, kwargs=("cmd",)),
    "subprocess.getstatusoutput": _s("command", 0, kwargs=("cmd",)),
    "commands.getoutput": _s("command", 0),
    "pty.spawn": _s("command", 0, kwargs=("argv",), check="argv"),
    **{f"os.{name}": _s("command", 0, 1, check="argv") for name in (
        "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe",
        "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "posix_spawn",
        "posix_spawnp")},
    "asyncio.create_subprocess_shell": _s("command", 0, kwargs=("cmd",)),
    "asyncio.create_subprocess_exec": _s("command", 0, kwargs=("program",)),
    # code evaluation (CWE-94/95)
    "eval": _s("code", 0, kwargs=("source",)),
    "exec": _s("code", 0, kwargs=("source",)),
    "compile": _s("code", 0, kwargs=("source",)),
    "__import__": _s("code", 0, kwargs=("name",)),
    "importlib.import_module": _s("code", 0, kwargs=("name",)),
    "importlib.__import__": _s("code", 0),
    "runpy.run_module": _s("code", 0),
    "runpy.run_path": _s("code", 0),
    # SQL (CWE-89)
    "sqlalchemy.text": _s("sql", 0, kwargs=("text",)),
    "sqlalchemy.sql.text": _s("sql", 0, kwargs=("text",)),
    "sqlalchemy.sql.expression.text": _s("sql", 0, kwargs=("text",)),
    "psycopg2.sql.SQL": _s("sql", 0),
    "psycopg.sql.SQL": _s("sql", 0),
    "pandas.read_sql": _s("sql", 0, kwargs=("sql",)),
    "pandas.read_sql_query": _s("sql", 0, kwargs=("sql",)),
    # deserialization (CWE-502)
    **{f"{mod}.{fn}": _s("deserialization", 0) for mod in ("pickle", "cPickle", "_pickle", "dill", "marshal")
       for fn in ("loads", "load")},
    "jsonpickle.decode": _s("deserialization", 0, kwargs=("string",)),
    "jsonpickle.loads": _s("deserialization", 0),
    "shelve.open": _s("deserialization", 0, kwargs=("filename",)),
    "pandas.read_pickle": _s("deserialization", 0),
    "joblib.load": _s("deserialization", 0),
    "yaml.load": _s("deserialization", 0, kwargs=("stream",), check="yaml_load"),
    "yaml.load_all": _s("deserialization", 0, kwargs=("stream",), check="yaml_load"),
    "yaml.unsafe_load": _s("deserialization", 0, kwargs=("stream",)),
    "yaml.unsafe_load_all": _s("deserialization", 0, kwargs=("stream",)),
    "yaml.full_load": _s("deserialization", 0, kwargs=("stream",)),
    "yaml.full_load_all": _s("deserialization", 0, kwargs=("stream",)),
    # SSRF (CWE-918)
    **{f"requests.{m}": _HTTP_URL for m in ("get", "post", "put", "patch", "delete", "head", "options")},
    "requests.request": _s("ssrf", 1, kwargs=("url",)),
    **{f"httpx.{m}": _HTTP_URL for m in ("get", "post", "put", "patch", "delete", "head", "options", "stream")},
    "httpx.request": _s("ssrf", 1, kwargs=("url",)),
    "urllib.request.urlopen": _s("ssrf", 0, kwargs=("url",)),
    "urllib.request.Request": _s("ssrf", 0, kwargs=("url",)),
    "urllib.request.urlretrieve": _s("ssrf", 0, kwargs=("url",)),
    "urllib2.urlopen": _s("ssrf", 0),
    "urllib3.request": _s("ssrf", 1, kwargs=("url",)),
    "boto3.client": _s("ssrf", kwargs=("endpoint_url",), check="kwargs_only"),
    "boto3.resource": _s("ssrf", kwargs=("endpoint_url",), check="kwargs_only"),
    # path traversal (CWE-22)
    "open": _s("path", 0, kwargs=("file",)),
    "io.open": _s("path", 0, kwargs=("file",)),
    "codecs.open": _s("path", 0, kwargs=("filename",)),
    **{f"os.{fn}": _s("path", 0, kwargs=("path",)) for fn in (
        "remove", "unlink", "rmdir", "removedirs", "mkdir", "makedirs", "listdir", "open", "chmod",
        "chown", "truncate", "scandir")},
    "os.rename": _s("path", 0, 1), "os.replace": _s("path", 0, 1), "os.symlink": _s("path", 0, 1),
    **{f"shutil.{fn}": _s("path", 0, 1) for fn in ("copy", "copy2", "copyfile", "copytree", "move")},
    "shutil.rmtree": _s("path", 0),
    "shutil.unpack_archive": _s("path", 0, 1),
    "flask.send_file": _s("path", 0, kwargs=("path_or_file", "filename_or_fp")),
    "starlette.responses.FileResponse": _s("path", 0, kwargs=("path",)),
    "fastapi.responses.FileResponse": _s("path", 0, kwargs=("path",)),
    "tempfile.NamedTemporaryFile": _s("path", kwargs=("dir", "prefix", "suffix"), check="kwargs_only"),
    # XXE (CWE-611)
    **{f"lxml.etree.{fn}": _s("xxe", 0, check="lxml") for fn in ("fromstring", "XML", "parse", "XMLID",
                                                                  "fromstringlist")},
    **{f"xml.dom.minidom.{fn}": _s("xxe", 0, confidence="medium") for fn in ("parse", "parseString")},
    **{f"xml.dom.pulldom.{fn}": _s("xxe", 0, confidence="medium") for fn in ("parse", "parseString")},
    **{f"xml.sax.{fn}": _s("xxe", 0, confidence="medium") for fn in ("parse", "parseString")},
    # template injection (CWE-1336)
    "jinja2.Template": _s("template", 0, kwargs=("source",)),
    "flask.render_template_string": _s("template", 0, kwargs=("source",)),
    "mako.template.Template": _s("template", 0, kwargs=("text",)),
    "django.template.Template": _s("template", 0),
    # open redirect (CWE-601)
    "flask.redirect": _s("redirect", 0, kwargs=("location",)),
    "werkzeug.utils.redirect": _s("redirect", 0, kwargs=("location",)),
    "starlette.responses.RedirectResponse": _s("redirect", 0, kwargs=("url",)),
    "fastapi.responses.RedirectResponse": _s("redirect", 0, kwargs=("url",)),
    # ReDoS (CWE-1333)
    **{f"{mod}.{fn}": _s("regex", 0, kwargs=("pattern",)) for mod in ("re", "regex") for fn in (
        "compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split")},
    # logs (CWE-117 / CWE-532)
    "print": _s("log", ANY),
    **{f"logging.{lvl}": _s("log", ANY) for lvl in (
        "debug", "info", "warning", "warn", "error", "exception", "critical", "log")},
}

# method name -> (receiver type tags it applies to, or None for any receiver, spec)
METHOD_SINKS: dict[str, tuple[tuple[frozenset[str] | None, SinkSpec], ...]] = {
    # SQL through DB-API cursors / connections / SQLAlchemy engines and sessions; RDS Data API
    "execute": ((None, _s("sql", 0, kwargs=("sql", "statement", "operation", "query"), check="sql_receiver")),),
    "executemany": ((None, _s("sql", 0, kwargs=("sql", "operation", "query"), check="sql_receiver")),),
    "executescript": ((None, _s("sql", 0, kwargs=("sql_script",), check="sql_receiver")),),
    "execute_statement": ((None, _s("nosql", kwargs=("Statement",), check="kwargs_only")),
                          (None, _s("sql", kwargs=("sql",), check="kwargs_only"))),
    "batch_execute_statement": ((None, _s("sql", kwargs=("sql",), check="kwargs_only")),),
    "execute_transaction": ((None, _s("nosql", kwargs=("TransactStatements",), check="kwargs_only")),),
    "raw": ((frozenset({"django.manager"}), _s("sql", 0)),),
    # NoSQL: pymongo collections
    **{m: ((frozenset({"mongo.collection"}), _s("nosql", 0, kwargs=("filter", "pipeline"), check="mongo")),)
       for m in ("find", "find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace",
                 "delete_one", "delete_many", "update_one", "update_many", "replace_one", "count_documents",
                 "aggregate", "distinct")},
    # NoSQL: DynamoDB expression strings / table names chosen by the client
    **{m: ((None, _s("nosql", kwargs=("KeyConditionExpression", "FilterExpression", "ProjectionExpression",
                                      "ConditionExpression", "UpdateExpression", "TableName",
                                      "ScanFilter", "QueryFilter", "KeyConditions", "Expected"),
                     check="dynamodb")),)
       for m in ("query", "scan", "update_item", "delete_item", "put_item", "get_item")},
    # SSRF through client objects
    **{m: ((frozenset({"requests.session", "httpx.client", "aiohttp.session"}), _HTTP_URL),)
       for m in ("get", "post", "put", "patch", "delete", "head", "options", "stream")},
    "request": ((frozenset({"requests.session", "httpx.client", "aiohttp.session", "urllib3.pool"}),
                 _s("ssrf", 1, kwargs=("url",))),),
    "urlopen": ((frozenset({"urllib3.pool"}), _s("ssrf", 1, kwargs=("url",))),),
    # path traversal through S3 transfers, pathlib and archives
    "download_file": ((None, _s("path", 2, kwargs=("Filename",))),),
    "upload_file": ((None, _s("path", 0, kwargs=("Filename",))),),
    **{m: ((frozenset({"path"}), _s("path", check="receiver")),)
       for m in ("read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "touch",
                 "mkdir", "open", "rename", "replace", "iterdir")},
    **{m: ((frozenset({"tar"}), _s("path", check="tar_extract")),) for m in ("extractall", "extract")},
    # XXE through parser objects
    "feed": ((frozenset({"lxml.parser"}), _s("xxe", 0)),),
    # template injection through environments
    "from_string": ((frozenset({"jinja.env"}), _s("template", 0, kwargs=("source",))),),
    # logs through logger objects
    **{lvl: ((frozenset({"logger"}), _s("log", ANY)),) for lvl in (
        "debug", "info", "warning", "warn", "error", "exception", "critical", "log")},
}

# Receivers named like loggers count as loggers even when we cannot see where they come from.
LOGGER_NAMES = frozenset({"logger", "log", "LOGGER", "LOG", "_logger", "_log", "LOGGING"})
