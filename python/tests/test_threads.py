# SPDX-License-Identifier: BSD-3-Clause
"""(d) The GIL is released during an estimate; fork safety of mi's thread pool."""
import os
import signal
import threading
import time

import numpy as np

import mi


def test_gil_released_during_an_estimate():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(6000, 20))
    count = [0]
    running = threading.Event()
    stop = threading.Event()

    def spin():
        running.set()
        while not stop.is_set():
            count[0] += 1

    th = threading.Thread(target=spin)
    th.start()
    running.wait()
    try:
        e = mi.kde(0.5)
        for _ in range(20):
            start = time.monotonic()
            before = count[0]
            e.entropy(t)
            during = count[0] - before
            if time.monotonic() - start > 0.2:
                break
            t = np.concatenate([t, t + 1e-3])  # too fast to tell: a larger problem
    finally:
        stop.set()
        th.join()
    # with the GIL held the spinning thread could not count while the estimate ran
    assert during > 1000


def test_fork_after_threads():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    rec = mi.Recording(y)
    for e in range(4):
        rec.observe(e, 0, rng.normal(size=(400, 3)).astype(np.float32))
    est = mi.kde(0.1)
    parent = mi.information_plane(rec, est, threads=2)
    pid = os.fork()
    if pid == 0:  # child: the pool must re-create its threads
        code = 1
        try:
            signal.alarm(60)
            child = mi.information_plane(rec, est, threads=2)
            code = 0 if child.equals(parent) else 2
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("the forked child hung in information_plane(threads=2)")
        time.sleep(0.05)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
