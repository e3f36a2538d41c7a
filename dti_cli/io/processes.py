"""Processes and threads: how many a run may use, work spread over two threads, and the process-wide memory
setting for large runs (which only the command line's entry point applies)."""

from __future__ import annotations

import os


def auto_workers() -> int:
    """Processes the command line uses for large reads and writes: 2 where the machine has several CPUs and can
    fork; DTI_WORKERS=1 keeps it to one process."""
    env = os.environ.get("DTI_WORKERS")
    if env:
        return max(1, int(env)) if env.isdigit() else 1
    return 2 if hasattr(os, "fork") and (os.cpu_count() or 1) > 1 else 1


def keep_freed_memory() -> None:
    """For a run over a large file: glibc keeps freed memory for reuse instead of handing it back to the kernel.

    By default each large temporary array is fresh memory, returned on free and faulted in again by the next one;
    page faults then cost as much as the arithmetic (a third fewer faults and about 1 s less system time on the
    20-million-row benchmark). Blocks up to 32 MB come from the heap, freed space at its top is not trimmed, and
    threads use the same heap; the peak memory is unchanged. Elsewhere (not glibc) this does nothing.
    """
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: glibc's largest dynamic value, fixed from the start
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GB of freed heap
        libc.mallopt(-8, 1)  # M_ARENA_MAX: threads share that heap (a thread's own arena would be fresh memory)
    except (ValueError, OSError, AttributeError):
        pass


_TUNED = False


def thread_map(fn, items: list, size: int) -> list:
    """fn over items, in two threads when there are several and `size` (cells) is large: for numpy work, which
    releases the GIL. Results in the order of items."""
    if len(items) > 1 and size >= 1_000_000 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(fn, items))
    return [fn(x) for x in items]


def write_all(fd: int, data) -> None:
    """Every byte of `data` to a file descriptor (os.write may take fewer at a time)."""
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view):]


def two_writers(fd: int, starts: list[int], chunk_bytes) -> None:
    """Format chunks in two processes (this one: even chunks, a forked child: odd ones) and write them in
    order, passing a token through two pipes so that chunk i is written only after chunk i - 1."""
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: odd chunks; never returns
        code = 1
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            for i in range(1, len(starts), 2):
                data = chunk_bytes(starts[i])
                if os.read(to_child_r, 1) != b"x":
                    break
                write_all(fd, data)
                os.write(to_parent_w, b"x")
            else:
                code = 0
        except BaseException:  # noqa: BLE001 - the parent reports it
            code = 1
        finally:
            os._exit(code)
    os.close(to_child_r)
    os.close(to_parent_w)
    try:
        for i in range(0, len(starts), 2):
            data = chunk_bytes(starts[i])
            if i > 0 and os.read(to_parent_r, 1) != b"x":
                raise RuntimeError("the second writer process stopped")
            write_all(fd, data)
            if i + 1 < len(starts):
                _token(to_child_w)
        if len(starts) % 2 == 0 and os.read(to_parent_r, 1) != b"x":
            raise RuntimeError("the second writer process stopped")
    except BaseException:
        import signal

        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(to_child_w)
        os.close(to_parent_r)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the second writer process failed")


def _token(fd: int) -> None:
    """Pass the turn to the second writer; a writer that has gone is its failure (not the reader's: BrokenPipe)."""
    try:
        os.write(fd, b"x")
    except BrokenPipeError:
        raise RuntimeError("the second writer process stopped") from None
