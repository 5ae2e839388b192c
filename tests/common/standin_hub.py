#!/usr/bin/python3
"""A stand-in for the Hugging Face Hub, for tests only (Python 3 standard library, 127.0.0.1 only).

It answers the few endpoints huggingface_hub's snapshot_download uses, the way huggingface.co answers
them, so Pairtune's Hub client (training/hub/) can be tested without the network.

Command line
------------
    /usr/bin/python3 tests/common/standin_hub.py REPOS_DIR [options]

    REPOS_DIR               folder of repos (see below)
    --log FILE              append one JSON line per request: {"method", "path", "range", "auth"}
                            ("auth" is true when an Authorization header came; the token is never written)
    --cut-once FILE         the first GET of FILE's bytes (any repo, path relative to the repo root)
                            sends half of them, then drops the connection; later GETs are normal
    --corrupt FILE          every GET of FILE's bytes serves them with one byte changed
                            (headers and etags still describe the true bytes)
    --slow BYTES_PER_SEC    send every file body at this rate (for cancel tests)
    --extra-sibling NAME    list NAME as one more file of every repo (e.g. "../outside", "/etc/x");
                            HEAD/GET of it serves the bytes b"outside\\n"
    --api-status CODE       the revision API answers every request with this status (e.g. 500, 503)
    --weak-etags            send ETag / X-Linked-Etag as W/"..." (both forms are legal HTTP)
    --lifetime SECONDS      exit after this long whatever happens (default 600)
    --ignore-stdin          do not exit when stdin closes (for running it by hand from a shell)

It binds 127.0.0.1 on a free port and prints that port number alone on the first line of stdout.
It exits when stdin reaches end of file (so a parent that dies takes it along), on SIGTERM/SIGINT, or
after --lifetime seconds.

Repo folder
-----------
    REPOS_DIR/owner/name/...files...      the repo "owner/name" (any depth of sub-folders)
    REPOS_DIR/name/...files...            the repo "name" (no owner)
    REPOS_DIR/owner/name.json             optional options of "owner/name":
        {
          "commit": "<40 hex>",           the commit hash (default: derived from the files)
          "token": "hf_...",              private repo: only "Authorization: Bearer <token>" gets in,
                                          anything else gets 401
          "lfs": ["*.safetensors", "x"]   fnmatch patterns of files stored in LFS (default: none)
        }

Endpoints (as huggingface.co)
-----------------------------
    GET  /api/models/<repo>/revision/<rev>   200 {"id", "sha", "private", "siblings": [{"rfilename"}]};
                                             404 (X-Error-Code: RepoNotFound / RevisionNotFound);
                                             401 for a private repo without its token.
                                             <rev> is "main" or the commit hash.
    HEAD /<repo>/resolve/<rev>/<file>        X-Repo-Commit and ETag (git blob sha1 of the bytes:
                                             sha1(b"blob <len>\\0" + bytes)); 200 with Content-Length
                                             for a regular file; for an LFS file 302 to /lfs/<sha256>
                                             with X-Linked-Etag "<sha256>" and X-Linked-Size.
    GET  /api/models/<repo>/tree/<rev>[/<folder>]?recursive=true
                                             [{"type": "file", "path", "size", "oid", "lfs"?},
                                             {"type": "directory", "path", ...}] (what the real
                                             huggingface_hub's snapshot_download lists files with)
    GET  /<repo>/resolve/<rev>/<file>        the bytes (regular) or the same 302 (LFS); honours Range.
    GET  /lfs/<sha256>                       the bytes of an LFS file; honours Range (206 +
                                             Content-Range); needs no token (like a signed CDN URL).
"""

import argparse
import fnmatch
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
OUTSIDE_BYTES = b"outside\n"


class Repo:
    def __init__(self, repo_id, folder, options):
        self.repo_id = repo_id
        self.token = options.get("token")
        lfs_patterns = options.get("lfs", [])
        self.files = {}  # name -> bytes
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, folder).replace(os.sep, "/")
                with open(path, "rb") as f:
                    self.files[rel] = f.read()
        self.lfs = {n for n in self.files if any(fnmatch.fnmatch(n, p) for p in lfs_patterns)}
        self.sha1 = {n: git_blob_sha1(b) for n, b in self.files.items()}
        self.sha256 = {n: hashlib.sha256(b).hexdigest() for n, b in self.files.items()}
        derived = hashlib.sha1()
        for name in sorted(self.files):
            derived.update(name.encode() + b"\0" + self.sha1[name].encode() + b"\n")
        self.commit = options.get("commit", derived.hexdigest())


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Hub:
    def __init__(self, args):
        self.args = args
        self.root = os.path.abspath(args.repos_dir)
        self.lock = threading.Lock()
        self.cut_done = False
        self.lfs_blobs = {}  # sha256 -> (file name, bytes)
        self.repos = {}  # folder -> (stamp of its files, Repo)

    @staticmethod
    def stat_tree(folder):
        for root, _dirs, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(root, name)
                yield path, os.stat(path)

    def load(self, repo_id):
        parts = repo_id.split("/")
        if not 1 <= len(parts) <= 2 or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            return None
        folder = os.path.join(self.root, *parts)
        if not os.path.isdir(folder):
            return None
        # Reading and hashing every file costs seconds for big files: keep the result while no file of the
        # repo (or its options) changed.
        stamp = [(p, st.st_size, st.st_mtime_ns) for p, st in self.stat_tree(folder)]
        if os.path.isfile(folder + ".json"):
            stamp.append((folder + ".json", os.stat(folder + ".json").st_mtime_ns, 0))
        with self.lock:
            cached = self.repos.get(folder)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        options = {}
        if os.path.isfile(folder + ".json"):
            with open(folder + ".json") as f:
                options = json.load(f)
        repo = Repo(repo_id, folder, options)
        with self.lock:
            self.repos[folder] = (stamp, repo)
            for name in repo.lfs:
                self.lfs_blobs[repo.sha256[name]] = (name, repo.files[name])
        return repo

    def body_for(self, name, data):
        """The bytes to send for file `name`, after the --corrupt fault."""
        if self.args.corrupt == name and data:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        return data

    def take_cut(self, name):
        with self.lock:
            if self.args.cut_once == name and not self.cut_done:
                self.cut_done = True
                return True
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-hub/1"

    def log_message(self, format, *args):  # quiet: the request log is --log
        pass

    @property
    def hub(self):
        return self.server.hub

    def record(self):
        if not self.hub.args.log:
            return
        line = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "range": self.headers.get("Range"),
                "auth": self.headers.get("Authorization") is not None,
            }
        )
        with self.hub.lock, open(self.hub.args.log, "a") as f:
            f.write(line + "\n")

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def handle_request(self, head):
        self.record()
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        try:
            if path.startswith("/api/models/") and "/tree/" in path:
                repo_id, _, rest = path[len("/api/models/") :].partition("/tree/")
                rev, _, folder = rest.partition("/")
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                recursive = query.get("recursive", ["false"])[0].lower() == "true"
                self.tree(repo_id, rev, folder, recursive)
            elif path.startswith("/api/models/") and "/revision/" in path:
                repo_id, _, rev = path[len("/api/models/") :].rpartition("/revision/")
                self.revision_info(repo_id, rev)
            elif path.startswith("/lfs/"):
                self.lfs_blob(path[len("/lfs/") :], head)
            elif "/resolve/" in path:
                repo_id, _, rest = path[1:].partition("/resolve/")
                rev, _, name = rest.partition("/")
                self.resolve(repo_id, rev, name, head)
            else:
                self.error(404, "EntryNotFound", "unknown endpoint")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def error(self, status, code, message, extra=None):
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def authorized(self, repo):
        return repo.token is None or self.headers.get("Authorization") == "Bearer " + repo.token

    def find(self, repo_id, rev):
        """The repo at rev, or None after sending the error the Hub would send."""
        repo = self.hub.load(repo_id)
        if repo is None:
            self.error(404, "RepoNotFound", "Repository not found")
            return None
        if not self.authorized(repo):
            self.error(401, "RepoNotFound", "Invalid username or password.")
            return None
        if rev not in ("main", repo.commit):
            self.error(404, "RevisionNotFound", "Invalid rev id: " + rev)
            return None
        return repo

    def revision_info(self, repo_id, rev):
        if self.hub.args.api_status:
            self.error(self.hub.args.api_status, "Fault", "stand-in fault")
            return
        repo = self.find(repo_id, rev)
        if repo is None:
            return
        names = sorted(repo.files) + list(self.hub.args.extra_sibling)
        body = json.dumps(
            {
                "id": repo.repo_id,
                "modelId": repo.repo_id,
                "sha": repo.commit,
                "private": repo.token is not None,
                "siblings": [{"rfilename": n} for n in names],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def tree(self, repo_id, rev, folder, recursive):
        repo = self.find(repo_id, rev)
        if repo is None:
            return
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        entries, folders = [], set()
        for name in sorted(repo.files):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix) :]
            parts = rest.split("/")
            for depth in range(1, len(parts)):
                if recursive or depth == 1:
                    folders.add(prefix + "/".join(parts[:depth]))
            if not recursive and len(parts) > 1:
                continue
            entry = {"type": "file", "path": name, "size": len(repo.files[name]), "oid": repo.sha1[name]}
            if name in repo.lfs:
                entry["lfs"] = {"oid": repo.sha256[name], "size": len(repo.files[name]), "pointerSize": 134}
            entries.append(entry)
        entries += [{"type": "directory", "path": f, "size": 0, "oid": "0" * 40} for f in sorted(folders)]
        body = json.dumps(entries).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def etag(self, value):
        return ('W/"%s"' if self.hub.args.weak_etags else '"%s"') % value

    def resolve(self, repo_id, rev, name, head):
        repo = self.find(repo_id, rev)
        if repo is None:
            return
        common = {"X-Repo-Commit": repo.commit}
        if name in self.hub.args.extra_sibling:
            data = OUTSIDE_BYTES
            self.send_bytes(name, data, head, dict(common, ETag=self.etag(git_blob_sha1(data))))
            return
        if name not in repo.files:
            self.error(404, "EntryNotFound", "Entry not found", common)
            return
        data = repo.files[name]
        if name in repo.lfs:
            sha = repo.sha256[name]
            host = self.headers.get("Host", "127.0.0.1:%d" % self.server.server_address[1])
            body = b"Found. Redirecting to /lfs/" + sha.encode()
            self.send_response(302)
            self.send_header("Location", "http://%s/lfs/%s" % (host, sha))
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("ETag", self.etag(sha))
            self.send_header("X-Linked-Etag", self.etag(sha))
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        self.send_bytes(name, data, head, dict(common, ETag=self.etag(repo.sha1[name])))

    def lfs_blob(self, sha, head):
        with self.hub.lock:
            entry = self.hub.lfs_blobs.get(sha)
        if entry is None:
            self.error(404, "EntryNotFound", "unknown LFS object")
            return
        name, data = entry
        self.send_bytes(name, data, head, {"ETag": '"%s"' % sha})

    def send_bytes(self, name, data, head, headers):
        """200 or 206 (Range: bytes=N- or bytes=N-M) with the faults that apply to `name`."""
        start, end = 0, len(data)
        status = 200
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if match:
            start = int(match.group(1))
            end = min(len(data), int(match.group(2)) + 1) if match.group(2) else len(data)
            if start >= len(data) and len(data) > 0:
                self.error(416, "RangeNotSatisfiable", "Range not satisfiable")
                return
            status = 206
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end - 1, len(data)))
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if head:
            return
        body = self.hub.body_for(name, data)[start:end]
        if len(body) > 1 and self.hub.take_cut(name):
            self.write_body(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # the client sees the connection drop mid-body
            return
        self.write_body(body)

    def write_body(self, body):
        rate = self.hub.args.slow
        if not rate:
            self.wfile.write(body)
            return
        chunk = max(1, min(16384, rate // 20))
        for offset in range(0, len(body), chunk):
            self.wfile.write(body[offset : offset + chunk])
            self.wfile.flush()
            time.sleep(chunk / rate)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up (a cancelled download) is expected; anything else is printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description="Stand-in Hugging Face Hub for tests (see the file's top).")
    parser.add_argument("repos_dir")
    parser.add_argument("--log")
    parser.add_argument("--cut-once")
    parser.add_argument("--corrupt")
    parser.add_argument("--slow", type=int, default=0)
    parser.add_argument("--extra-sibling", action="append", default=[])
    parser.add_argument("--api-status", type=int, default=0)
    parser.add_argument("--weak-etags", action="store_true")
    parser.add_argument("--lifetime", type=float, default=600)
    parser.add_argument("--ignore-stdin", action="store_true")
    args = parser.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.hub = Hub(args)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not args.ignore_stdin:

        def watch_stdin():
            while os.read(sys.stdin.fileno(), 4096):  # unbuffered: no lock held at interpreter exit
                pass
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    print(server.server_address[1], flush=True)
    stop.wait(args.lifetime)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
