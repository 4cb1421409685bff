"""OS command injection: a shell control operator followed by a command with shell-like
arguments, command substitution, shell-only syntax, and calls into process-spawning APIs.

Common words that are also commands ("cat", "echo", "type") only count after an operator
and with an argument that looks like a shell argument (a path, a flag, a variable, the
end of the input), so "; cat is fine" in prose is not a command.
"""

from __future__ import annotations

import re

from faasguard.guard.detection import Detection, excerpt_of
from faasguard.guard.detectors.prefilter import Prefiltered, profile

# commands that are almost never ordinary words
_STRONG_COMMANDS = (
    r"whoami|uname|ifconfig|ipconfig|netstat|nslookup|wget|curl|ncat|netcat|nc|bash|zsh|ksh|csh|dash|"
    r"sh|powershell|pwsh|cmd|cmd\.exe|certutil|bitsadmin|mshta|rundll32|regsvr32|wmic|cscript|wscript|"
    r"systeminfo|tasklist|taskkill|telnet|tftp|chmod|chown|passwd|useradd|crontab|xterm|sudo|"
    r"python[23]?|perl|ruby|php|lua|node|gcc|busybox|base64|xxd|hexdump|nmap|scp|rsync|socat|"
    r"id|ls|pwd|dir|ps|env|printenv|hostname|killall|pkill|reboot|shutdown|halt|lastlog|lastlogin|"
    r"rm|mkfifo|mknod|sleep|ping|net|cscli|cat|tac|more|less|head|tail|echo|printf|type|set|find|"
    r"grep|awk|sed|cut|sort|uniq|wc|kill|exec|eval|eval|who|w|last|finger|chef-run|timeout|expr|"
    r"touch|cp|mv|mkdir|rmdir|ln|tar|zip|unzip|gzip|dd|strings|od|file|stat|locate|which|whereis|"
    r"ssh|ftp|mail|sendmail|at|nohup|setsid|script|tee|xargs|vi|vim|nano|ed|sort|rev|tr|openssl|"
    r"reg|sc|schtasks|vssadmin|bcdboot|bcdedit|del|copy|move|start|call|for|if|cd|ver|fc|findstr|"
    r"icacls|attrib|route|arp|tracert|traceroute|dig|host|whois|uptime|df|du|free|top|lsof|lsmod|"
    r"insmod|modprobe|mount|umount|useradd|groupadd|usermod|nmcli|iptables|systemctl|service|"
    r"docker|kubectl|aws|gcloud|az|msiexec|regedit|net1|quser|qwinsta|type|ls"
)
# after an operator: a command word then something that ends the input or is a shell argument
_COMMAND_AFTER = (r"[ \t]*[({]?[ \t]*(?:(?:/usr)?(?:/local)?/s?bin/)?(?P<cmd>[a-z][\w.+-]*)"
                  r"(?=(?P<tail>$|[\s;&|`)'\"<>{},]|\$\{?IFS|\$\d|\t))")
_OPERATOR_COMMAND = re.compile(r"(?P<op>&&|\|\||[;&|`\n\r]|\$\(|%0a)" + _COMMAND_AFTER, re.IGNORECASE)
_LEADING_COMMAND = re.compile(r"(?P<op>)" + _COMMAND_AFTER, re.IGNORECASE)  # the start of the value


def _operator_commands(text: str) -> list[re.Match[str]]:
    """Operator-then-command matches, the start of the value first (one pattern with ``^`` among
    the operators would be tried at every position)."""
    found = list(_OPERATOR_COMMAND.finditer(text))
    lead = _LEADING_COMMAND.match(text)
    return [lead, *found] if lead else found
_WINDOWS_VARS = frozenset({"systemroot", "windir", "comspec", "userprofile", "programfiles", "appdata", "homepath",
                           "allusersprofile"})
_BRACE_BODY = re.compile(r"\{([^{}\s]{1,120})\}")


class _BracePattern:
    """``{,ifconfig}``, ``{cat,/etc/passwd}``: a brace list whose items include a command."""

    def search(self, text: str) -> re.Match[str] | None:
        for m in _BRACE_BODY.finditer(text):
            body = m.group(1)
            if "," not in body:
                continue
            items = [i.strip("'\"$") for i in body.split(",")]
            if any(_is_binary(i) or i.startswith("/") for i in items if i):
                return m
        return None


_BRACE = _BracePattern()
# the word lists are regular expressions; a few entries are patterns, spelled out here
_SPELLED = {"python[23]?": ("python", "python2", "python3"), "python[23]?(?:.d+)?": ("python", "python2", "python3"),
            "ping6?": ("ping", "ping6"), "pipx?": ("pip", "pipx")}


def _word_set(alternation: str) -> frozenset[str]:
    words: set[str] = set()
    for word in alternation.replace("\\", "").split("|"):
        words.update(_SPELLED.get(word, (word,)))
    return frozenset(words)


_STRONG_SET = _word_set(_STRONG_COMMANDS)
_WORD_COMMANDS = frozenset({
    "cat", "tac", "more", "less", "head", "tail", "echo", "printf", "type", "set", "find", "sort", "file",
    "who", "w", "last", "at", "host", "top", "start", "call", "for", "if", "cd", "ver", "fc", "free", "net",
    "ping", "sleep", "kill", "id", "ls", "dir", "ps", "env", "rm", "cp", "mv", "ln", "tar", "zip", "dd",
    "stat", "which", "tee", "vi", "ed", "rev", "tr", "reg", "sc", "del", "copy", "move", "mail", "script",
    "touch", "strings", "od", "wc", "cut", "uniq", "grep", "awk", "sed", "route", "arp", "dig", "df",
    "du", "mount", "service", "time", "timeout", "expr", "exec", "eval", "locate", "whereis",
    "node", "ruby", "php", "perl", "lua", "aws", "az", "docker", "uptime", "hostname", "halt", "reboot",
})
_SHELL_ARG = re.compile(
    r"^[ \t]*(?:$|[;&|`)<>'\"]|-{1,2}[a-z]|/|\\|~|\$|\.{1,2}/|[a-z]:\\|\d+(?:\.\d+){3}|\d+\s*$|%[a-z0-9_]+%|"
    r"[a-z0-9_.-]+\.(?:txt|sh|log|ini|conf|php|py|pl|exe|bat|gz|rb)\b|[a-z]+\s*[|;&]|%%|\{|"
    r"(?:localhost|127\.|google|http)|/[a-z]\b|(?:view|user|localgroup|share|start|stop)\b)",
    re.IGNORECASE,
)
_SUBSTITUTION = Prefiltered(
    r"\$\((?!\s*\))[^)]{0,200}\)|`[^`\n]{1,200}`|\$\{IFS\}|\$IFS\b|\$\{?PATH(?::|\})|<<<|"
    r"\{[a-z0-9_./-]+,[^{}\s]{1,100}\}|\(\)\s*\{\s*:;\s*\}|\$'\\x[0-9a-f]|/dev/(?:tcp|udp)/",
    re.IGNORECASE,
)
_BINARY_PATH = Prefiltered(
    r"(?:^|[\s;&|`'\"=(])(?:/usr)?(?:/local)?/s?bin/(?:ba|z|k|c|da)?sh\b|\b(?:cmd|powershell)(?:\.exe)?\s+/?[ck-]|"
    r"(?:^|[\s;&|`'\"=(])/?(?:usr/)?s?bin/[a-z0-9_.\[\]?*-]+|\bcmd\.exe\b|\bpowershell\b.{0,200}?\s-(?:enc|command|c)\b",
    re.IGNORECASE,
)
_CODE_EXEC = Prefiltered(
    r"\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|execsync|spawnsync|execfile|"
    r"os\.system|os\.popen|subprocess\.\w+|runtime\.getruntime\(\)\.exec)\s*\(\s*['\"`$]|"
    r"child_process|getruntime\s*\(\s*\)\s*\.\s*exec|processbuilder\s*\(|require\s*\(\s*['\"]child_process|"
    r"__import__\s*\(\s*['\"]os['\"]\s*\)|\bsocket\s*\(\s*s\s*,\s*pf_inet|\bfsockopen\s*\(|"
    r"\bIEX\s*\(|\binvoke-(?:expression|webrequest)\b|\bnew-object\s+net\.webclient|"
    r"\b(?:phpinfo|phpversion|php_uname|getmypid|get_current_user)\s*\(\s*\)",
    re.IGNORECASE,
)
_WINDOWS = Prefiltered(
    r"\bfor\s+/[fdlr]\b|\bfor\s+%%?[a-z@]\s+in\s*\(|\bif\s+(?:not\s+)?exist\b|%[a-z_]{2,20}%\s*(?:&|\||$)|"
    r"\bnet\s+(?:user|localgroup|view|share|use|start|stop)\b|\bcopy\s+con\b|\bset\s+/[ap]\b",
    re.IGNORECASE,
)
_GLOB_PATH = Prefiltered(
    r"(?:^|[\s;|&+'\"=])/(?:[\w.]*[?*\[\]][\w.?*\[\]!]*/)+[\w.?*\[\]!-]*|"
    r"(?:^|[\s;|&+'\"=])/(?:e\W{0,3}t\W{0,3}c|b\W{0,3}i\W{0,3}n|u\W{0,3}s\W{0,3}r|p\W{0,3}r\W{0,3}o\W{0,3}c)/[\w.]*[?*\[]",
    re.IGNORECASE,
)
_SHELL_MISC = Prefiltered(
    r"\$\[\s*\d|\$\(\(|<\(\s*\w|\$\{(?:SHELL|IFS|PATH|HOME)\}|\$SHELL\b|\balias\s+(?:-p\s+)?[\w\"'-]+=|"
    r"\bif\b[^\n]{0,60}\s(?:equ|neq|lss|leq|gtr|geq)\s|\bif\s*/i\b|"
    r"\bif\s+(?:/i\s+)?(?:not\s+)?(?:exist|defined|errorlevel)\s|\bfor\s+/?[a-z]?\s*%{1,2}[\w~@\]\-]+\s+in\s*\(|"
    r"\bif\b[^\n]{0,40}%~?\d|[;&|]\s*\$\{?[a-z_]\w*\}?\s+-\w|(?:^|[;\n]|\\n)\s*\.(?:shell|system|import|output|load)\b|"
    r"[;&|]\s*\$\{?[a-z_]\w*\}?\s*(?:$|[;&|])|=\$['\"]|\w*\(\)\s*\{[^}]{0,40}\|[^}]{0,40}&\s*\}\s*;|"
    r"%(?:systemroot|windir|comspec|userprofile|programfiles|appdata|homepath|allusersprofile)%|"
    r"\breg(?:\.exe)?\s+(?:add|delete|query|save|export|import)\s|\bnetsh\s+\w|^!-?\d+(?:!-?\d+)*$|"
    r"%[a-z_][\w~:-]{1,30}%|(?:^|[&|(]\s*)goto\s+:?\w+|\b(?:ba|z|k|c|tc|da)?sh\s+-c\b|\bnc\s+(?:-\w+\s+)*\S+\s+\d+\s+-e\s",
    re.IGNORECASE,
)
# shell quoting and empty expansions that split a word ("w'h'o'am'i", "c$@at", "who\\ami")
_SHELL_SPLITTERS = re.compile(
    r"''|\"\"|``|\$\(\)|<\(\)|\\+|\$[@*$#\-!?0-9](?=[a-z/])|\$\{[a-z_]*\}(?=[a-z/])|"
    r"\$(?<=[a-z]\$)[a-z_]\w{0,3}\b",  # (the "$" first lets the scan skip to candidate characters)
    re.IGNORECASE,
)
_QUOTED_WORD = re.compile(r"((?:^|[;&|`(])\s*)[\"']([a-z][\w.-]*)[\"']", re.IGNORECASE)
_UNSET_VAR = re.compile(r"(?<=[;&|`(\s])\$[a-z_]\w{0,3}\s+(?=[a-z/])", re.IGNORECASE)
# a whole value shaped like a command line: known binary, then flags, paths, addresses
_BINARIES = (
    r"ansible(?:-[a-z]+)?|chef(?:-[a-z]+)?|knife|puppet|salt(?:-[a-z]+)?|terraform|kubectl|helm|docker|"
    r"podman|perf|strace|ltrace|gdb|nohup|flock|cpulimit|nice|ionice|taskset|timeout|time|watch|"
    r"pipx?|npm|npx|yarn|gem|cargo|go|make|cmake|gcc|g\+\+|cc|c89|c99|clang|ld|as|java|javac|"
    r"zstdcat|zcat|bzcat|xzcat|zgrep|zless|ll|ls|cat|tac|nl|od|xxd|head|tail|less|more|grep|egrep|"
    r"fgrep|rg|ag|find|locate|awk|gawk|sed|cut|sort|uniq|wc|tr|tee|xargs|env|printenv|export|unset|"
    r"set|alias|source|exec|eval|su|sudo|doas|chroot|chmod|chown|chgrp|chattr|setfacl|getfacl|"
    r"mount|umount|ip|ifconfig|iwconfig|ss|netstat|route|arp|ping6?|traceroute|tracepath|mtr|dig|"
    r"nslookup|host|whois|curl|wget|aria2c|lynx|w3m|nc|ncat|netcat|socat|telnet|ssh|scp|sftp|ftp|"
    r"rsync|tftp|smbclient|rpcclient|ldapsearch|mysql|psql|sqlite3|mongo|mongosh|redis-cli|"
    r"openssl|gpg|base64|base32|uuencode|tar|zip|unzip|gzip|gunzip|7z|bzip2|xz|zstd|dd|shred|"
    r"crontab|at|systemctl|service|journalctl|dmesg|lsof|ps|pstree|top|htop|kill|killall|pkill|"
    r"uname|hostname|hostnamectl|id|whoami|who|w|last|lastlog|lastlogin|groups|useradd|userdel|"
    r"usermod|passwd|chpasswd|visudo|getent|python[23]?(?:\.\d+)?|perl|ruby|php|node|lua|tclsh|wish|"
    r"bash|sh|zsh|ksh|csh|tcsh|dash|fish|busybox|powershell|pwsh|cmd|wmic|reg|sc|schtasks|net|"
    r"certutil|bitsadmin|cscli|vssadmin|bcdedit|icacls|takeown|shutdown|reboot|halt|poweroff|"
    r"init|telinit|insmod|rmmod|modprobe|lsmod|iptables|nft|ufw|firewall-cmd|nmap|masscan|hydra|"
    r"sqlmap|msfconsole|msfvenom|john|hashcat|tcpdump|tshark|wireshark|mkfifo|mknod|ln|cp|mv|rm|"
    r"mkdir|rmdir|touch|stat|file|strings|readelf|objdump|nm|ldd|xdg-open|open|vi|vim|nano|emacs|ed"
)
_BINARY_SET = _word_set(_BINARIES.replace("(?:-[a-z]+)?", ""))
_COMMAND_LINE = re.compile(
    r"^\s*(?:(?:sudo|nohup|time|strace|nice|exec|env)\s+)*(?P<cmd>[a-z][\w.+-]*)"
    # each argument's alternatives start with different characters, so a failing match cannot
    # backtrack exponentially (no atomic groups: they need Python 3.11 and Lambda still runs 3.10)
    r"(?:\s+(?:-[\w-]+(?:=\S*)?|[\w.:@%~*?/\\][\w.:@%~*?/\\-]*|'[^']{0,200}'|\"[^\"]{0,200}\"))*\s*$",
    re.IGNORECASE,
)
_ARG_SHAPE = re.compile(r"\s-{1,2}[a-z]|\s[~/.]|\s[a-z]:\\|\s[a-z]:(?:/|$|\s)|\s\d+\.\d+\.\d+\.\d+|"
                        r"\s\S+\.(?:ya?ml|rb|py|sh|conf|json|zst|gz|log|txt|pl|php)\b", re.IGNORECASE)
_NOT_A_COMMAND_WORD = frozenset({"time", "set", "at", "file", "open", "host", "id", "make", "go", "init", "watch",
                                 "find", "sort", "cut", "more", "less", "head", "tail", "w", "who", "ip", "ed",
                                 "ln", "cp", "mv", "rm", "as", "ld", "cc", "nice", "env", "top", "stat",
                                 "touch", "strings", "groups", "last", "kill", "mount", "source", "export",
                                 "ps", "su", "ss", "dd", "nl", "tr", "ls", "cat", "sh", "echo", "printf",
                                 "python", "python2", "python3", "node", "java", "ruby", "php", "perl", "lua",
                                 "docker", "helm", "npm", "yarn", "gem", "cargo", "pip", "ping", "dig", "curl",
                                 "wget", "ssh", "git", "xdg-open", "reboot", "shutdown", "halt"})
_HINT = Prefiltered(r"[;&|`$\n\r?*\[%=]|/bin/|\bcmd|\bpowershell|\bsystem|exec|child_process|<<<|\bfor\b|"
                   r"\bif\b|popen|/dev/|\{[^}]{0,100},|processbuilder|fsockopen|socket|invoke|alias|iex|<\(|"
                   r"\bsh\b|\bnc\b", re.IGNORECASE)


def detect_cmdi(text: str) -> Detection | None:
    if not _HINT.matches(text) and not _starts_with_command(text) and "'" not in text and '"' not in text \
            and "\\" not in text and not _first_word_is_binary(text):
        return None
    hit = _detect_form(text)
    if hit is None and ("'" in text or '"' in text or "\\" in text or "$" in text or "`" in text
                        or "<(" in text or "+" in text):
        unquoted = _QUOTED_WORD.sub(_unquote_rare_command, text)
        unquoted = _SPLIT_WORD.sub(_join_split_command, unquoted)
        unquoted = _SHELL_SPLITTERS.sub("", unquoted).replace("+", " ")
        unquoted = _UNSET_VAR.sub("", unquoted)
        if unquoted == text:
            return None
        if unquoted != text:
            hit = _detect_form(unquoted)
    return hit


# (rule, pattern, message, substrings of which at least one must occur for the pattern to match)
_RULES = (
    ("FG-CMDI-002", _SUBSTITUTION, "shell substitution or shell-only syntax",
     ("$", "`", "<<<", "{", "()", "/dev/")),
    ("FG-CMDI-003", _BINARY_PATH, "path to a shell or system binary", ("bin/", "cmd", "powershell")),
    ("FG-CMDI-010", re.compile(r"^\s*[\r\n]+\s*(?:[a-z]\d{1,4}\s+)?(?:rcpt\s+to|mail\s+from|data|quit|auth|helo|ehlo|"
                               r"examine|select|list|uid|store|fetch|login|authenticate|retr|dele|user|pass|stat)\b",
                               re.IGNORECASE),
     "mail-protocol command after a line break (SMTP/IMAP/POP3 injection)", ("\n", "\r")),
    ("FG-CMDI-011", _BRACE, "brace expansion running a command", ("{",)),
    ("FG-CMDI-004", _CODE_EXEC, "call into a process-spawning API",
     ("(", "child_process", "iex", "invoke-", "new-object")),
    ("FG-CMDI-005", _WINDOWS, "Windows command syntax", ("for", "if", "%", "net", "copy", "set")),
    ("FG-CMDI-006", _GLOB_PATH, "wildcard-obfuscated system path", ("/",)),
    ("FG-CMDI-007", _SHELL_MISC, "shell or batch syntax",
     ("$", "<(", "alias", "if", "for", "%", "goto", "sh", "nc", "(){", "() {", "reg", "netsh", "!")),
)


_PARAM_COMMAND = re.compile(r"[?&]?[\w.-]{1,30}=([a-z][\w.+-]{1,30})(\s+-{1,2}[a-z][\w-]*)?(?=$|[\s&])",
                            re.IGNORECASE)


_PROSE_WORDS = 12


def _detect_form(text: str) -> Detection | None:
    for m in _operator_commands(text):
        word = m.group("cmd").lower().rstrip(".")  # "& more." ends a sentence
        tail = text[m.start("cmd") + len(word) :]
        if word not in _STRONG_SET and not _is_binary(word):
            continue
        if word not in _STRONG_SET and word not in _WORD_COMMANDS and not _is_rare(word) and \
                not _SHELL_ARG.match(tail):
            continue
        operator = m.group("op")
        # "1;id", "foo|ps aux", "x'&&whoami": one token (the value the application expected) and then
        # an operator and a command is the shape of an injection, not of prose
        before = text[: m.start("op")]
        injected = operator != "" and len(before) <= 100 and len(before.split()) <= 1
        if injected and before[-1:].isalnum() and operator in ("&", "|", ";") and not _is_rare(word) and \
                not m.group("cmd").islower():
            injected = False  # "qJ&oD": a random token (password, id), not "1&id"
        if not injected and not _is_rare(word) and len(before.split()) >= _PROSE_WORDS:
            continue  # deep inside a paragraph, a common command word ("... | grep ...") is text about shells
        if operator == "":  # start of input: only a whole-command shape counts
            if not _looks_like_bare_command(text):
                continue
        elif operator in ("\n", "\r", "%0a", "%0A") or operator.isspace():
            # line breaks separate sentences in prose: demand a rare command with shell arguments,
            # unless the value itself starts with the line break (an injected command line)
            leading = not before.strip()
            if injected and (_SHELL_ARG.match(tail) or _is_rare(word)):
                pass  # "1\nid", "foo\nls -la": a command line after a one-token value
            elif not leading and (not _is_rare(word) or not _SHELL_ARG.match(tail) or not tail.strip()):
                continue
        elif injected and len(word) >= 2:
            pass  # after a shell operator any command counts ("1;echo hello", "x&id")
        elif operator == "&" and _joins_words(text, m.start("op")) and not _is_rare(word):
            continue  # "a=1&b=2", "R&D", passwords
        if word in _WORD_COMMANDS and not _SHELL_ARG.match(tail) and not (
                injected and len(word) >= 2 and len(tail.split("\n", 1)[0].split()) <= 1):
            continue  # a common word with prose after it ("hello; time he came")
        return Detection("cmdi", "FG-CMDI-001", "", excerpt_of(text, m.start(), m.end()), "critical",
                         f"shell operator followed by command '{word}'")
    prof = profile(text)
    for rule_id, pattern, message, needles in _RULES:
        if isinstance(pattern, Prefiltered):
            found = pattern.search(text, prof)  # guarded by needles derived from the pattern
        elif any(n in prof[0] for n in needles):  # the rule cannot match without one of these
            found = pattern.search(text)
        else:
            continue
        if found and rule_id == "FG-CMDI-007" and found.group(0).startswith("%") and \
                found.group(0).strip("%").lower() not in _WINDOWS_VARS and not re.search(
            r"\b(?:if|for|set|echo|call|goto|cmd|do)\b|[&|]", text, re.IGNORECASE
        ):
            found = None  # "%name%" alone is a template placeholder or a password, not batch syntax
        if found and not (rule_id == "FG-CMDI-002" and _benign_substitution(found.group(0))):
            return Detection("cmdi", rule_id, "", excerpt_of(text, found.start(), found.end()), "critical", message)
    for m in _PARAM_COMMAND.finditer(text) if "=" in text else ():
        if _is_binary(m.group(1)) and (m.group(2) or m.group(1).lower() in _DISTINCTIVE or "-" in m.group(1)):
            return Detection("cmdi", "FG-CMDI-009", "", excerpt_of(text, m.start(), m.end()), "high",
                             "command in a parameter value")
    if len(text) <= 300 and "\n" not in text.strip():
        line = _COMMAND_LINE.match(text)
        if line and _is_binary(line.group("cmd")) and _command_line_confirmed(text):
            return Detection("cmdi", "FG-CMDI-008", "", excerpt_of(text, 0, len(text)), "high",
                             "value is a shell command line")
    return None


def _command_line_confirmed(text: str) -> bool:
    parts = text.split()
    first = parts[0].lower()
    while first in ("sudo", "nohup", "time", "strace", "nice", "exec", "env") and len(parts) > 1:
        parts = parts[1:]
        first = parts[0].lower()
        if first not in _NOT_A_COMMAND_WORD:
            return True
    if len(parts) == 1:
        return first in _LONE_COMMANDS
    args = " " + " ".join(parts[1:])
    if first in _DISTINCTIVE or first.split("-", 1)[0] in ("ansible", "salt"):
        return True  # tool names that are not words: "cscli alerts list", "ansible-vault decrypt x"
    if first in _NETWORK_COMMANDS and _HOST_ARG.search(args):
        return True  # "curl example.com", "ping 127.0.0.1"
    return (bool(_ARG_SHAPE.search(args)) or any(_is_binary(p) for p in parts[1:])) and (
        first not in _NOT_A_COMMAND_WORD or bool(re.search(r"\s-{1,2}[a-z0-9]|\s/", args, re.IGNORECASE))
    )


_DISTINCTIVE = frozenset({"kubectl", "terraform", "cscli", "msfconsole", "msfvenom", "sqlmap", "hydra", "nmap",
                          "masscan", "tcpdump", "tshark", "powershell", "pwsh", "certutil", "bitsadmin", "wmic",
                          "schtasks", "vssadmin", "bcdedit", "icacls", "ncat", "netcat", "socat", "busybox", "pipx",
                          "npx", "xxd", "openssl", "knife", "puppet", "helm", "podman", "systemctl", "journalctl",
                          "iptables", "nft", "ifconfig", "ipconfig", "netstat", "nslookup", "whoami", "uname",
                          "crontab", "chmod", "chown", "chgrp", "setfacl", "getfacl", "mkfifo", "mknod", "strace",
                          "ltrace", "gdb", "cpulimit", "flock", "taskset", "ionice", "nohup", "zstdcat", "zcat",
                          "bzcat", "xzcat", "zgrep", "base64", "base32", "uuencode", "shred", "perf", "netsh",
                          "aptitude", "apt-get", "yum", "dnf", "apk", "sysinfo", "bcdboot"})
_NETWORK_COMMANDS = frozenset({"curl", "wget", "ping", "ping6", "nc", "ncat", "ssh", "scp", "ftp", "sftp", "telnet",
                               "dig", "nslookup", "host", "traceroute", "tracepath", "mtr", "whois", "aria2c"})
_HOST_ARG = re.compile(r"\s(?:https?://)?(?:\d{1,3}(?:\.\d{1,3}){3}|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})\b", re.IGNORECASE)


_LONE_COMMANDS = frozenset({"ifconfig", "ipconfig", "whoami", "netstat", "systeminfo", "shutdown", "lastlogin",
                            "lastlog", "chef-shell", "msfconsole", "uname", "printenv", "tasklist"})


_SPLIT_WORD = re.compile(r"['\"]?[a-z]+(?:['\"]+[a-z]*)+", re.IGNORECASE)


def _join_split_command(m: re.Match[str]) -> str:
    """``w'h'o'am'i`` is ``whoami`` to a shell; ``I'd`` or ``Gordon's`` stay as they are."""
    core = m.group(0).strip("'\"")
    if "'" not in core and '"' not in core:
        return m.group(0)  # a quoted word ("id"), not a word split by quotes
    joined = core.replace("'", "").replace('"', "")
    if _CONTRACTION.fullmatch(core) and not _is_rare(joined):
        return m.group(0)  # "I'd" is English before it is "id"
    return joined if _is_binary(joined) else m.group(0)


_CONTRACTION = re.compile(r"[a-z]+'(?:d|s|t|ll|re|ve|m)", re.IGNORECASE)


def _unquote_rare_command(m: re.Match[str]) -> str:
    """``;"curl" x`` runs curl, but ``; "id" & more.`` in a review is a quoted word: only rare
    command names lose their quotes."""
    word = m.group(2).lower()
    rare = (word in _STRONG_SET and word not in _WORD_COMMANDS) or word in _DISTINCTIVE
    return m.group(1) + m.group(2) if rare else m.group(0)


def _first_word_is_binary(text: str) -> bool:
    head = text.lstrip()[:40].split(None, 1)
    return bool(head) and _is_binary(head[0])


_VERSIONED = re.compile(r"[a-z+-]+\d+(?:\.\d+)*")


_BINARY_CACHE: dict[str, bool] = {}


def _is_binary(word: str) -> bool:
    known = _BINARY_CACHE.get(word)
    if known is None:
        known = _is_binary_uncached(word)
        if len(_BINARY_CACHE) >= 4096:
            _BINARY_CACHE.clear()
        _BINARY_CACHE[word] = known
    return known


def _is_binary_uncached(word: str) -> bool:
    w = word.lower()
    if w in _BINARY_SET or w in _STRONG_SET or w in _DISTINCTIVE or w.split("-", 1)[0] in ("ansible", "salt") \
            or w.startswith("chef-"):
        return True
    if not _VERSIONED.fullmatch(w):
        return False
    stripped = w.rstrip("0123456789.")  # versioned binaries: gcc7.4, python3.11
    return stripped in _BINARY_SET or stripped in _STRONG_SET


def _is_rare(word: str) -> bool:
    """Command names that are not ordinary words (whoami, ansible-playbook, certutil, ...)."""
    return (word in _STRONG_SET and word not in _WORD_COMMANDS) or word in _DISTINCTIVE or \
        word.split("-", 1)[0] in ("ansible", "salt", "apt")


def _joins_words(text: str, at: int) -> bool:
    before = text[at - 1 : at]
    after = text[at + 1 : at + 2]
    return before.isalnum() and after.isalnum()


def _command_word(matched: str) -> str:
    word = re.sub(r"^(?:[\s;&|`\n\r$({]|%0a)+", "", matched.lower())
    word = re.sub(r"^(?:/usr)?(?:/local)?/s?bin/", "", word)
    return re.split(r"[\s;&|`)'\"<>{},$\t]", word, maxsplit=1)[0]


_BARE = re.compile(
    r"^\s*(?:whoami|uname(?:\s+-a)?|ifconfig|ipconfig(?:\s+/all)?|netstat\s+-\w+|ls\s+-\w+|"
    r"(?:cat|tac|more|head|tail|type|nl|less)\s+(?:[a-z]:)?[/\\~]\S*|(?:wget|curl)\s+\S+|nc\s+-\S+|"
    r"(?:ba)?sh\s+-[ci]\b|ping\s+-[cn]\s+\d|sleep\s+\d+\s*$)",
    re.IGNORECASE,
)


def _starts_with_command(text: str) -> bool:
    return bool(_BARE.match(text))


def _looks_like_bare_command(text: str) -> bool:
    return bool(_BARE.match(text))


def _benign_substitution(found: str) -> bool:
    """Backtick pairs around one ordinary word (Markdown ``code``) are not substitution."""
    if found.startswith(("`", "$(")):
        inner = found[2:-1] if found.startswith("$(") else found[1:-1]
        first = inner.strip().split(" ", 1)[0]
        # substitution runs a program: the first word is a known binary, a path or a variable
        return not (_is_binary(first) or first.startswith(("/", "$", "\\")))
    if found.startswith("{"):
        return not re.match(r"\{(?:[a-z]+,[-/$]|,|[a-z]+,/)", found, re.IGNORECASE)
    return False
