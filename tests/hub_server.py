"""A Hugging Face Hub on loopback, for the tests of the online path: it serves repositories from local folders
(real model files) over the endpoints ``huggingface_hub`` calls, and can stall every answer, as a broken proxy
or a captive portal does. Nothing of hfcourse is mocked; the Hub client is pointed at it with ``HF_ENDPOINT``."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

COMMIT = "0" * 40


class HubServer:
    """``with HubServer({"owner/name": folder}) as hub:`` serves at ``hub.url``; ``hub.requests`` lists them."""

    def __init__(self, repos: dict[str, Path], stall_seconds: float = 0.0) -> None:
        self.repos = repos
        self.stall_seconds = stall_seconds
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                server._answer(self, body=False)

            def do_GET(self) -> None:
                server._answer(self, body=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def downloads(self, filename: str) -> int:
        """How many times ``filename`` was downloaded (GET), from any repository."""
        return sum(request.startswith("GET ") and request.endswith(f"/{filename}") for request in self.requests)

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlparse(handler.path).path)
        self.requests.append(f"{handler.command} {path}")
        if self.stall_seconds:
            time.sleep(self.stall_seconds)
        if "/resolve/" in path:
            repo_id, _, rest = path.lstrip("/").partition("/resolve/")
            filename = rest.partition("/")[2]
            folder = self.repos.get(repo_id)
            if folder is None:
                return self._send(handler, 401, b"{}", body, {"X-Error-Code": "RepoNotFound"})
            file = folder / filename
            if not file.is_file():
                return self._send(handler, 404, b"", body, {"X-Error-Code": "EntryNotFound"})
            data = file.read_bytes()
            return self._send(handler, 200, data, body, {"ETag": f'"{hashlib.sha256(data).hexdigest()}"'})
        if path.startswith("/api/models/"):
            repo_id = path.removeprefix("/api/models/").split("/revision/")[0].split("/tree/")[0]
            folder = self.repos.get(repo_id)
            if folder is None:
                return self._send(handler, 401, b"{}", body, {"X-Error-Code": "RepoNotFound"})
            if "/tree/" in path:
                info: object = [
                    {
                        "type": "file",
                        "path": p.name,
                        "size": p.stat().st_size,
                        "oid": hashlib.sha1(p.read_bytes()).hexdigest(),
                    }
                    for p in folder.iterdir()
                    if p.is_file()
                ]
            else:
                info = {"id": repo_id, "sha": COMMIT, "siblings": [{"rfilename": p.name} for p in folder.iterdir()]}
            return self._send(handler, 200, json.dumps(info).encode(), body, {"Content-Type": "application/json"})
        return self._send(handler, 404, b"{}", body, {})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, body: bool, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in {"X-Repo-Commit": COMMIT, "Content-Length": str(len(data)), **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        if body:
            handler.wfile.write(data)
