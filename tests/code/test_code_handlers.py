"""Handler resolution: src/ layouts, dotted and slash module paths, re-exports, shared code
directories parsed once, and one CODE_NOT_FOUND error per function whose code is missing."""

from __future__ import annotations

from code_helpers import FIXTURES, application, expected, function, run, trigger, triples

from faasguard.model import ErrorKind

RESOLVE = FIXTURES / "resolve"


def test_src_layout_relative_import_and_shared_code_dir() -> None:
    fns = [function("main", "pkg.handler.main", "resolve/srclayout", [trigger("http_api")]),
           function("other", "pkg/handler.other", "resolve/srclayout", [trigger("http_api")])]
    shared: dict = {}
    findings, errors = run(application(fns), shared=shared)
    assert errors == []
    assert triples(findings) == expected((RESOLVE / "srclayout" / "src" / "pkg").glob("*.py"))
    assert {(f.function, f.location.file, f.location.line) for f in findings} == {
        ("main", "resolve/srclayout/src/pkg/util.py", 5), ("other", "resolve/srclayout/src/pkg/handler.py", 9)}
    state = shared["code"]
    assert len(state.projects) == 1  # both functions share one code directory, one project
    assert len(state.cache._modules) == 2  # handler.py and util.py parsed once each


def test_reexported_handler_and_alias() -> None:
    fns = [function("a", "handler.handler", "resolve/reexport", [trigger("function_url")]),
           function("b", "handler.lambda_handler", "resolve/reexport", [trigger("function_url")])]
    findings, errors = run(application(fns))
    assert errors == []
    assert {(f.function, f.rule_id, f.location.file, f.location.line) for f in findings} == {
        ("a", "FG-CODE-001", "resolve/reexport/service/api.py", 5),
        ("b", "FG-CODE-001", "resolve/reexport/service/api.py", 5)}


def test_code_not_found_reported_once_per_function_with_reason() -> None:
    fns = [function("nomod", "nowhere.handler", "resolve/reexport", [trigger("http_api")], line=20),
           function("nofn", "handler.missing", "resolve/reexport", [trigger("http_api")], line=30),
           function("nodir", "app.handler", "resolve/does-not-exist", line=40),
           function("zip", "app.handler", "resolve/reexport/bundle.zip", line=50),
           function("nodot", "handler", "resolve/reexport", line=60),
           function("node", "index.handler", "resolve/reexport", runtime="nodejs20.x", line=70)]
    findings, errors = run(application(fns))
    assert findings == []
    assert [(e.function, e.kind, e.file, e.line) for e in errors] == [
        ("nodir", ErrorKind.CODE_NOT_FOUND, "template.yaml", 41),
        ("nodot", ErrorKind.CODE_NOT_FOUND, "template.yaml", 61),
        ("nofn", ErrorKind.CODE_NOT_FOUND, "template.yaml", 31),
        ("nomod", ErrorKind.CODE_NOT_FOUND, "template.yaml", 21),
        ("zip", ErrorKind.CODE_NOT_FOUND, "template.yaml", 51),
    ]
    reasons = {e.function: e.message for e in errors}
    assert "handler module 'nowhere' not found" in reasons["nomod"]
    assert "'missing' not defined in resolve/reexport/handler.py" in reasons["nofn"]
    assert "packaged archive" in reasons["zip"]
    assert "does not exist" in reasons["nodir"]


def test_bad_files_give_one_error_each_and_the_rest_goes_on() -> None:
    fns = [function(name, f"{name}.handler", "broken", [trigger("http_api")])
           for name in ("syntax_error", "binary", "latin1", "imports_broken")]
    fns.append(function("ok", "propagation.tuple_unpacking", "cases", [trigger("http_api")]))
    shared: dict = {}
    findings, errors = run(application(fns), shared=shared)
    assert [(f.function, f.rule_id) for f in findings] == [("ok", "FG-CODE-001")]
    by_file = {(e.file, e.kind, e.line): e for e in errors}
    assert set(by_file) == {
        ("broken/syntax_error.py", ErrorKind.PARSE, 1),
        ("broken/binary.py", ErrorKind.PARSE, 0),
        ("broken/latin1.py", ErrorKind.PARSE, 0),
        ("broken/bad_import.py", ErrorKind.PARSE, 2),
        # the three handlers whose own file is unreadable are also not found
        ("template.yaml", ErrorKind.CODE_NOT_FOUND, 6),
    }
    assert sum(e.kind is ErrorKind.CODE_NOT_FOUND for e in errors) == 3
    assert "binary" in by_file[("broken/binary.py", ErrorKind.PARSE, 0)].message
    # a second scan of the same tree with the same caches does not repeat parse errors
    _, again = run(application(fns), shared=shared)
    assert all(e.kind is ErrorKind.CODE_NOT_FOUND for e in again)


def test_huge_file_is_refused_not_parsed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "big.py").write_text("x = 1\n" * 400_000)
    findings, errors = run(application([function("big", "big.handler", ".", [trigger("http_api")])]), root=tmp_path)
    assert findings == []
    assert [(e.file, e.kind) for e in errors] == [("big.py", ErrorKind.TOO_LARGE),
                                                  ("template.yaml", ErrorKind.CODE_NOT_FOUND)]


def test_deeply_nested_code_is_an_error_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    deep = "+".join(["event['body']"] * 3000)  # beyond the parser's own limit
    nested = "+".join(["event['body']"] * 2000)  # parses, but deeper than the analysis recursion allows
    (tmp_path / "deep.py").write_text(f"import os\n\ndef handler(event, context):\n    os.system({deep})\n")
    (tmp_path / "nested.py").write_text(f"import os\n\ndef handler(event, context):\n    os.system({nested})\n"
                                        "\n\ndef fine(event, context):\n    os.system(event['body'])\n")
    fns = [function("deep", "deep.handler", ".", [trigger("http_api")]),
           function("nested", "nested.handler", ".", [trigger("http_api")]),
           function("fine", "nested.fine", ".", [trigger("http_api")])]
    findings, errors = run(application(fns), root=tmp_path)
    assert [(f.function, f.rule_id, f.location.line) for f in findings] == [("fine", "FG-CODE-001", 8)]
    assert sorted((e.file, e.kind, e.line) for e in errors) == [
        ("deep.py", ErrorKind.PARSE, 0), ("nested.py", ErrorKind.UNSUPPORTED, 3),
        ("template.yaml", ErrorKind.CODE_NOT_FOUND, 6)]


def test_code_outside_the_scan_root_is_never_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "helper.py").write_text("import os\n\ndef run(x):\n    os.system(x)\n")
    (outside / "handler.py").write_text("def handler(event, context):\n    eval(event['body'])\n")
    (root / "helper.py").symlink_to(outside / "helper.py")
    (root / "handler.py").write_text("from helper import run\n\n\ndef handler(event, context):\n"
                                     "    run(event['body'])\n")
    fns = [function("inside", "handler.handler", ".", [trigger("http_api")]),
           function("escape", "handler.handler", "../outside", [trigger("http_api")], line=20)]
    findings, errors = run(application(fns), root=root)
    assert findings == []
    assert sorted((e.function or "", e.kind, e.file) for e in errors) == [
        ("", ErrorKind.UNSAFE, "helper.py"), ("escape", ErrorKind.CODE_NOT_FOUND, "template.yaml")]
    assert "outside the scanned directory" in next(e.message for e in errors if e.function == "escape")


def test_chalice_functions_as_a_loader_models_them() -> None:
    """One function for the app (its routes) and one per event handler: each flow is reported once,
    on the function that runs it, and the bucket name of an S3 event is not a source."""
    fns = [function("api", "chalice_app.app", "matrix", [trigger("rest_api")]),
           function("upload", "chalice_app.on_upload", "matrix", [trigger("s3")]),
           function("job", "chalice_app.on_job", "matrix", [trigger("sqs")])]
    findings, errors = run(application(fns))
    assert errors == []
    got = sorted((f.function, f.rule_id, f.location.line) for f in findings)
    # on_note (SNS) has no function of its own here, so the app's function keeps it
    assert got == [("api", "FG-CODE-001", 16), ("api", "FG-CODE-002", 22), ("api", "FG-CODE-002", 39),
                   ("api", "FG-CODE-010", 28), ("job", "FG-CODE-001", 45), ("upload", "FG-CODE-007", 33)]
    upload = next(f for f in findings if f.function == "upload")
    assert upload.evidence["trigger"] == "s3" and upload.evidence["trust"] == "authenticated"
