"""Dropping a process's network access and capping its memory, before it evaluates queries.

Oxigraph evaluates ``SERVICE`` by calling the endpoint over HTTP and has no switch to stop it;
the gate (:mod:`graph.query.sparql`) refuses such queries, and this is the second wall: a
process that has called :func:`drop_network` cannot open a connection to any address, the
loopback included, whatever query it is given.

Two ways, the first that works:

1. a new network namespace (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``, or ``CLONE_NEWNET``
   alone as root): the process sees only a loopback interface that is down, so every
   ``connect`` fails (``ENETUNREACH``), even to 127.0.0.1;
2. a seccomp filter: ``socket()`` for IPv4 and IPv6 fails with ``EACCES`` (Unix sockets, which
   the worker talks to its server over, stay).

Where neither works (another OS, a kernel or container that forbids both),
:func:`drop_network` says why, and ``cvekg serve`` says so on its start line.

This module imports the standard library only, so a worker can call it first, before it
imports anything that might start a thread or open a socket.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import struct

__all__ = ["drop_network", "limit_memory", "NETWORK_DROPPED_BY"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EACCES = 13
#: Each architecture's audit id and its number of the ``socket`` system call.
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}

#: What :func:`drop_network` managed, for the start line: a namespace, a filter, or nothing.
NETWORK_DROPPED_BY: str | None = None


def _libc() -> ctypes.CDLL:
    """The C library: the symbols this process already has (on Linux, libc is among them), or,
    when they lack ``unshare``, the library found by name (``ctypes.util`` runs ``ldconfig``
    for that, some 10 ms before every query)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "unshare"):
        return libc
    from ctypes.util import find_library

    return ctypes.CDLL(find_library("c") or "libc.so.6", use_errno=True)


def _unshare(libc: ctypes.CDLL, flags: int) -> str | None:
    if libc.unshare(flags) == 0:
        return None
    return os.strerror(ctypes.get_errno())


def _seccomp(libc: ctypes.CDLL) -> str | None:
    """Install a filter that makes ``socket(AF_INET|AF_INET6, …)`` fail with EACCES."""
    machine = platform.machine()
    if machine not in _ARCHES:
        return f"no seccomp filter for {machine}"
    audit, socket_nr = _ARCHES[machine]

    def op(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET
    program = b"".join(
        [
            op(ld, 0, 0, 4),  # arch
            op(jeq, 1, 0, audit),
            op(ret, 0, 0, _SECCOMP_RET_ERRNO | _EACCES),  # another arch: refuse everything
            op(ld, 0, 0, 0),  # syscall number
            op(jeq, 0, 4, socket_nr),
            op(ld, 0, 0, 16),  # args[0], the address family (low half)
            op(jeq, 1, 0, 2),  # AF_INET
            op(jeq, 0, 1, 10),  # AF_INET6
            op(ret, 0, 0, _SECCOMP_RET_ERRNO | _EACCES),
            op(ret, 0, 0, _SECCOMP_RET_ALLOW),
        ]
    )
    buffer = ctypes.create_string_buffer(program)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}"
    syscall_nr = {"x86_64": 317, "aarch64": 277}[machine]  # seccomp(2)
    if libc.syscall(syscall_nr, _SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog)) != 0:
        return f"seccomp: {os.strerror(ctypes.get_errno())}"
    return None


def drop_network() -> str | None:
    """Take network access away from this process for good; ``None`` when done, else why not.

    Call it while the process has one thread (a user namespace cannot be entered by a process
    with several). :data:`NETWORK_DROPPED_BY` then names the way that worked.
    """
    global NETWORK_DROPPED_BY
    if not hasattr(os, "fork") or platform.system() != "Linux":
        return f"no way to drop network access on {platform.system()}"
    try:
        libc = _libc()
    except OSError as exc:
        return f"no C library: {exc}"
    reasons = []
    for flags, name in (
        (_CLONE_NEWUSER | _CLONE_NEWNET, "a network namespace (unshare user+net)"),
        (_CLONE_NEWNET, "a network namespace (unshare net)"),
    ):
        why = _unshare(libc, flags)
        if why is None:
            NETWORK_DROPPED_BY = name
            return None
        reasons.append(f"unshare: {why}")
    why = _seccomp(libc)
    if why is None:
        NETWORK_DROPPED_BY = "a seccomp filter (no IPv4/IPv6 sockets)"
        return None
    reasons.append(why)
    return "; ".join(dict.fromkeys(reasons))


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (``RLIMIT_AS``): an allocation past
    it fails, and Oxigraph aborts the process rather than take the machine's memory."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
