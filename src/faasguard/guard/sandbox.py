"""Behaviour limits through PEP 578 audit hooks.

Controls (each reported in ``monitor`` mode, refused in ``block`` mode):

- child processes: ``subprocess.Popen``, ``os.system``, ``os.exec*``, ``os.spawn*``,
  ``os.posix_spawn``, ``os.fork``/``forkpty`` (``pty.spawn``), and in strict mode
  ``_posixsubprocess.fork_exec`` (which has no audit event of its own);
- outbound network: name resolution (``socket.getaddrinfo``/``gethostbyname``) and
  ``connect``/``sendto`` to hosts not on the allow-list. The AWS endpoints of the function's
  region, the Lambda runtime API and the X-Ray daemon are allowed by default. A connect on the
  same thread shortly after an allowed resolution is allowed unless it goes to a metadata
  address (DNS rebinding); a connect to an IP that was never resolved is checked against
  the allow-list itself;
- file writes outside ``/tmp`` (and writes into the function's code directory), reads of
  ``/proc/*/environ``;
- ``ctypes`` symbol lookups of process/network functions (``system``, ``execve``, ...);
- strict mode: refuses imports of ``ctypes``/``_ctypes``/``cffi``/``_posixsubprocess`` after
  initialisation, wraps ``_posixsubprocess.fork_exec``, forbids replacing the hook's code
  and freezes the policy (later ``install`` calls cannot loosen it).

Refusals raise ``PermissionError`` (an ``OSError``: HTTP clients and ``subprocess`` callers
treat it as a hard failure, not a retryable timeout) or ``ImportError`` for imports.

What an audit hook cannot stop (documented in docs/guard.md): native code calling libc
directly (ctypes function pointers obtained before the hook, C extensions), file and socket
handles opened before initialisation, and a determined in-process attacker rewriting the
interpreter's state (closure cells, ``gc`` referents).
"""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
from collections.abc import Callable

TYPE_CHECKING = False  # typing costs milliseconds at import; annotations are not evaluated at runtime
if TYPE_CHECKING:
    from typing import Any


WATCHED = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.startfile", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "open", "os.remove", "os.rename", "os.rmdir",
    "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.link", "os.symlink", "shutil.rmtree",
    "shutil.copyfile", "shutil.move", "ctypes.dlsym", "ctypes.dlopen", "import", "object.__setattr__",
})
_STRICT_IMPORTS = frozenset({"ctypes", "_ctypes", "cffi", "_cffi_backend", "_posixsubprocess"})
_DANGEROUS_SYMBOLS = frozenset({
    "system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "fork", "vfork",
    "posix_spawn", "posix_spawnp", "clone", "socket", "connect", "dlopen", "ptrace", "setuid", "kill",
})
_METADATA_IPS = frozenset({"169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_RESOLVE_GRACE_SECONDS = 10.0
_PATH_CACHE_MAX = 4096


class Policy:
    """What the function may do. Immutable."""

    __slots__ = ("mode", "allow_subprocess", "allow_hosts", "allow_aws", "region", "writable", "code_dir",
                 "strict", "allow_net")
    mode: str
    allow_subprocess: bool
    allow_hosts: tuple[str, ...]
    allow_aws: bool
    region: str
    writable: tuple[str, ...]
    code_dir: str
    strict: bool
    allow_net: bool

    def __init__(self, mode: str = "monitor", allow_subprocess: bool = False, allow_hosts: tuple[str, ...] = (),
                 allow_aws: bool = True, region: str | None = None, writable: tuple[str, ...] = (),
                 code_dir: str | None = None, strict: bool = False, allow_net: bool = False) -> None:
        env = os.environ
        region = region if region is not None else env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", ""))
        code_dir = code_dir if code_dir is not None else env.get("LAMBDA_TASK_ROOT", "/var/task")
        hosts = tuple(h.strip().lower() for h in allow_hosts if h.strip())
        runtime = env.get("AWS_LAMBDA_RUNTIME_API", "")
        xray = env.get("AWS_XRAY_DAEMON_ADDRESS", "")
        extra = tuple(addr.rsplit(":", 1)[0].lower() for addr in (runtime, *xray.split()) if addr)
        values = (mode, allow_subprocess, hosts + extra, allow_aws, region.lower(),
                  ("/tmp/", "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/shm/", "/dev/urandom",
                   *(w.rstrip("/") + "/" for w in writable)),
                  code_dir.rstrip("/") + "/" if code_dir else "", strict, allow_net)
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Policy is immutable")


class Violation:
    __slots__ = ("kind", "rule_id", "target", "message", "severity")

    def __init__(self, kind: str, rule_id: str, target: str, message: str, severity: str = "high") -> None:
        self.kind = kind
        self.rule_id = rule_id
        self.target = target
        self.message = message
        self.severity = severity


Reporter = Callable[[Violation, str], None]  # (violation, action)


class _State:
    def __init__(self) -> None:
        self.policy: Policy | None = None
        self.installed = False
        self.frozen = False
        self.reporter: Reporter | None = None
        self.path_cache: dict[tuple[str, bool], Violation | None] = {}
        self.reported: set[tuple[str, str]] = set()
        self.local = threading.local()
        self.hook: Callable[[str, tuple[Any, ...]], None] | None = None
        self.original_fork_exec: Any = None


_state = _State()


# --- host decisions ------------------------------------------------------------------------

def _is_ip(host: str) -> bool:
    if ":" in host:
        return all(c in "0123456789abcdef:." for c in host) and host.count(":") >= 2
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def host_allowed(policy: Policy, host: str) -> bool:
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host:
        return True
    if policy.allow_net:
        return True
    for pattern in policy.allow_hosts:
        if pattern == host:
            return True
        if pattern.startswith("*.") and (host.endswith(pattern[1:]) or host == pattern[2:]):
            return True
        if "/" in pattern and _is_ip(host) and _in_network(host, pattern):
            return True
    return policy.allow_aws and _is_aws_endpoint(host, policy.region)


def _in_network(ip: str, cidr: str) -> bool:
    import ipaddress  # only when a CIDR is configured

    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


_AWS_GLOBAL = frozenset({"sts.amazonaws.com", "iam.amazonaws.com", "s3.amazonaws.com", "route53.amazonaws.com",
                         "cloudfront.amazonaws.com", "organizations.us-east-1.amazonaws.com"})


def _is_aws_endpoint(host: str, region: str) -> bool:
    if host in _AWS_GLOBAL:
        return True
    if not region:
        return False
    return host.endswith((f".{region}.amazonaws.com", f".{region}.api.aws", f".{region}.vpce.amazonaws.com")) \
        or (host.endswith(".amazonaws.com") and f".{region}." in host)


# --- checks --------------------------------------------------------------------------------

def _check_process(policy: Policy, event: str, args: tuple[Any, ...]) -> Violation | None:
    if policy.allow_subprocess:
        return None
    target = _describe_process(event, args)
    return Violation("process", "FG-SBX-PROC-001", target, f"child process via {event}: {target}", "critical")


def _describe_process(event: str, args: tuple[Any, ...]) -> str:
    try:  # noqa: SIM105 - contextlib.suppress is slower on this hot path
        if event == "subprocess.Popen":
            cmd = args[1] if len(args) > 1 else args[0]
            if isinstance(cmd, (list, tuple)):
                return " ".join(os.fsdecode(c) if isinstance(c, (bytes, str)) else str(c) for c in cmd)[:200]
            return str(cmd)[:200]
        if event == "os.system":
            cmd = args[0]
            return (os.fsdecode(cmd) if isinstance(cmd, bytes) else str(cmd))[:200]
        if event in ("os.exec", "os.posix_spawn", "os.spawn"):
            path = args[1] if event == "os.spawn" else args[0]
            return os.fsdecode(path) if isinstance(path, (bytes, str)) else str(path)
    except Exception:  # noqa: BLE001
        pass
    return event


def _check_resolve(policy: Policy, host: Any) -> Violation | None:
    if host is None:
        return None
    name = os.fsdecode(host) if isinstance(host, bytes) else str(host)
    if host_allowed(policy, name):
        _state.local.resolved_at = time.monotonic()
        return None
    return Violation("network", "FG-SBX-NET-001", name, f"name resolution of {name} (not on the allow-list)")


def _check_connect(policy: Policy, address: Any) -> Violation | None:
    if not isinstance(address, tuple) or not address:
        return None  # AF_UNIX paths and the like are local
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    host = host.lower()
    port = address[1] if len(address) > 1 else ""
    if host in _METADATA_IPS and not host_allowed(policy, host):
        return Violation("network", "FG-SBX-NET-003", f"{host}:{port}", f"connection to metadata endpoint {host}",
                         "critical")
    if host_allowed(policy, host):
        return None
    if not _is_ip(host):
        return Violation("network", "FG-SBX-NET-002", f"{host}:{port}", f"connection to {host}:{port}")
    resolved_at = getattr(_state.local, "resolved_at", None)
    if resolved_at is not None and time.monotonic() - resolved_at < _RESOLVE_GRACE_SECONDS:
        return None  # the address of a host whose name was allowed a moment ago
    return Violation("network", "FG-SBX-NET-002", f"{host}:{port}",
                     f"connection to {host}:{port} (address not on the allow-list)")


def _check_path(policy: Policy, path: Any, write: bool) -> Violation | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        p = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    except Exception:  # noqa: BLE001
        return None
    key = (p, write)
    cache = _state.path_cache
    if key in cache:
        return cache[key]
    result = _decide_path(policy, p, write)
    if len(cache) >= _PATH_CACHE_MAX:
        cache.clear()
    cache[key] = result
    return result


def _decide_path(policy: Policy, p: str, write: bool) -> Violation | None:
    # normpath is pure string work: "/tmp/../etc" is caught without a realpath syscall per open
    full = os.path.normpath(p if os.path.isabs(p) else os.path.join(os.getcwd(), p))
    if not write:
        if full.startswith("/proc/") and full.endswith("/environ"):
            return Violation("file", "FG-SBX-FILE-003", full, "read of the process environment (secrets)", "critical")
        return None
    check = full + "/" if os.path.isdir(full) and not full.endswith("/") else full
    if any(check.startswith(w) or full == w.rstrip("/") for w in policy.writable):
        return None
    if policy.code_dir and (full + "/").startswith(policy.code_dir):
        return Violation("file", "FG-SBX-FILE-002", full, "write into the function's code directory", "critical")
    return Violation("file", "FG-SBX-FILE-001", full, "file write outside /tmp")


def _open_is_write(args: tuple[Any, ...]) -> bool:
    mode = args[1] if len(args) > 1 else None
    flags = args[2] if len(args) > 2 else 0
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _evaluate(policy: Policy, event: str, args: tuple[Any, ...]) -> Violation | None:
    if event == "open":
        return _check_path(policy, args[0] if args else None, _open_is_write(args))
    if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                 "os.forkpty", "os.startfile"):
        return _check_process(policy, event, args)
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        return _check_connect(policy, address)
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        return _check_resolve(policy, args[0] if args else None)
    if event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "shutil.rmtree"):
        return _check_path(policy, args[0] if args else None, True)
    if event in ("os.rename", "os.link", "os.symlink", "shutil.copyfile", "shutil.move"):
        return _check_path(policy, args[1] if len(args) > 1 else None, True) or (
            _check_path(policy, args[0], True) if event in ("os.rename", "shutil.move") else None
        )
    if event == "ctypes.dlsym":
        name = args[1] if len(args) > 1 else ""
        name = name.decode() if isinstance(name, bytes) else str(name)
        if name in _DANGEROUS_SYMBOLS:
            return Violation("native", "FG-SBX-NATIVE-001", name, f"ctypes lookup of libc {name}()", "critical")
        return None
    if event == "import" and policy.strict:
        name = args[0] if args else ""
        if name in _STRICT_IMPORTS and name not in sys.modules:
            return Violation("native", "FG-SBX-NATIVE-002", str(name), f"import of {name} after initialisation",
                             "critical")
        return None
    if event == "object.__setattr__" and policy.strict and args and args[0] is _state.hook:
        return Violation("tamper", "FG-SBX-TAMPER-001", "audit hook", "attempt to replace the guard's audit hook",
                         "critical")
    return None


def _raise_for(violation: Violation) -> None:
    if violation.kind == "native" and violation.rule_id == "FG-SBX-NATIVE-002":
        raise ImportError(f"faasguard: {violation.message}")
    raise PermissionError(errno.EPERM, f"faasguard: {violation.message}")


def _handle(violation: Violation, policy: Policy) -> None:
    action = "blocked" if policy.mode == "block" else "reported"
    key = (violation.rule_id, violation.target)
    if key not in _state.reported and _state.reporter is not None:
        if len(_state.reported) < 10_000:
            _state.reported.add(key)
        try:  # noqa: SIM105 - contextlib.suppress is slower on this hot path
            _state.reporter(violation, action)
        except Exception:  # noqa: BLE001
            pass
    if action == "blocked":
        _raise_for(violation)


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in WATCHED:
        return
    policy = _state.policy
    if policy is None:
        return
    local = _state.local
    if getattr(local, "busy", False):
        return  # the guard's own reporting
    local.busy = True
    try:
        try:
            violation = _evaluate(policy, event, args)
        except Exception:  # noqa: BLE001 - a bug in a check must not break the function
            violation = None
        if violation is not None:
            _handle(violation, policy)
    finally:
        local.busy = False


def _guarded_fork_exec(*args: Any, **kwargs: Any) -> Any:
    policy = _state.policy
    if policy is not None and not policy.allow_subprocess and not getattr(_state.local, "busy", False):
        popen_at = getattr(_state.local, "popen_at", None)
        if popen_at is None or time.monotonic() - popen_at > 5.0:
            target = ""
            try:  # noqa: SIM105 - contextlib.suppress is slower on this hot path
                target = " ".join(os.fsdecode(a) for a in (args[0] or ()) if isinstance(a, (bytes, str)))[:200]
            except Exception:  # noqa: BLE001
                pass
            _handle(Violation("process", "FG-SBX-PROC-002", target or "fork_exec",
                              "child process via _posixsubprocess.fork_exec (no audit event)", "critical"), policy)
    return _state.original_fork_exec(*args, **kwargs)


def _mark_popen(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen":
        _state.local.popen_at = time.monotonic()


def install(policy: Policy, reporter: Reporter | None = None) -> bool:
    """Install the process-wide hook (once) and set the policy. Returns False when the current
    policy is frozen (strict mode) and cannot be replaced."""
    if _state.frozen:
        return False
    if reporter is not None:
        _state.reporter = reporter
    if policy.strict:
        import subprocess  # noqa: F401 - load _posixsubprocess now, so the strict import rule can refuse it later

        fork_mod = sys.modules.get("_posixsubprocess")
        if fork_mod is not None and _state.original_fork_exec is None:
            _state.original_fork_exec = getattr(fork_mod, "fork_exec")  # noqa: B009 - not in the stubs
            setattr(fork_mod, "fork_exec", _guarded_fork_exec)  # noqa: B010
    _state.policy = policy
    _state.path_cache.clear()
    if not _state.installed:
        def hook(event: str, args: tuple[Any, ...]) -> None:
            if event == "subprocess.Popen":
                _mark_popen(event, args)
            _audit_hook(event, args)

        _state.hook = hook
        sys.addaudithook(hook)
        _state.installed = True
    if policy.strict:
        _state.frozen = True
    return True


def disable() -> bool:
    """Make the hook inert (hooks cannot be removed); refused when the policy is frozen."""
    if _state.frozen:
        return False
    _state.policy = None
    return True


def current_policy() -> Policy | None:
    return _state.policy
