#!/usr/bin/python3
"""Runs a command and writes its memory over time: every 0.25 s its resident set size (VmRSS), and each
line it prints with the time it came, so bench/scale_report.py can say which phase of a run peaked.
The command's output still goes to stdout. Usage: rss_timeline.py TIMELINE.tsv -- COMMAND [ARGS...]
Timeline lines: "<seconds>\trss\t<MiB>" or "<seconds>\tout\t<line>"."""
import subprocess
import sys
import threading
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    timeline = open(sys.argv[1], "w", encoding="utf-8")
    lock = threading.Lock()
    start = time.monotonic()
    child = subprocess.Popen(sys.argv[3:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def write(kind, value):
        with lock:
            timeline.write(f"{time.monotonic() - start:.2f}\t{kind}\t{value}\n")
            timeline.flush()

    def sample():
        while child.poll() is None:
            try:
                with open(f"/proc/{child.pid}/status", encoding="utf-8") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            write("rss", f"{int(line.split()[1]) / 1024:.0f}")
            except OSError:
                pass  # the child just exited
            time.sleep(0.25)

    sampler = threading.Thread(target=sample)
    sampler.start()
    for line in child.stdout:
        sys.stdout.write(line)
        write("out", line.rstrip("\n"))
    child.wait()
    sampler.join()
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
