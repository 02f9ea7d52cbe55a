"""A scripted LLM behind real HTTP on 127.0.0.1, speaking the OpenAI chat-completions protocol
(JSON and SSE streaming) and Ollama's /api/chat (JSON and NDJSON streaming).

It replays the replies a test sets, so the real llama-index adapters, their HTTP clients, our
streaming, marker parsing and verification run for exact, known answers. It can also fail the
ways servers fail: an HTTP status with an error body, or a delay longer than the client's timeout.

    with ScriptedLLM() as server:
        server.replies.append("Putin said ... [1].")
        idx.query("...", llm=f"openai:scripted@{server.url}/v1")
        server.requests[-1]["messages"]   # what the prompt was
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any


class ScriptedLLM:
    def __init__(self) -> None:
        self.replies: list[str | Callable[[str], str]] = []  # next replies, first first (a callable gets
        # the prompt's text); when empty, `default`
        self.requests: list[dict[str, Any]] = []
        self.status: int | None = None  # answer every request with this HTTP status
        self.delay = 0.0  # seconds to wait before answering
        self.piece_delay = 0.0  # seconds between streamed pieces
        self.models = {"scripted"}  # an unknown model gets a 404, as real servers do
        self.default = "The sources don't say."
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                owner.requests.append(body)
                if owner.delay:
                    time.sleep(owner.delay)
                if owner.status:
                    return self._json(owner.status, {"error": {"message": f"scripted failure {owner.status}"}})
                if body.get("model") not in owner.models:
                    message = f"model '{body.get('model')}' not found"
                    return self._json(404, {"error": message} if self.path.startswith("/api/") else
                                      {"error": {"message": message, "type": "invalid_request_error"}})
                if self.path.startswith("/api/show"):
                    return self._json(200, {"model_info": {"general.architecture": "llama",
                                                           "llama.context_length": 8192},
                                            "capabilities": ["completion"]})
                reply = owner.replies.pop(0) if owner.replies else owner.default
                if callable(reply):
                    reply = reply("\n".join(str(m.get("content", "")) for m in body.get("messages", [])))
                if self.path.startswith("/api/chat"):
                    return self._ollama(body, reply)
                return self._openai(body, reply)

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, content_type: str, lines: list[bytes]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for line in lines:
                    self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    self.wfile.flush()
                    time.sleep(owner.piece_delay)
                self.wfile.write(b"0\r\n\r\n")

            def _openai(self, body: dict[str, Any], reply: str) -> None:
                base = {"id": "scripted", "created": 0, "model": body["model"]}
                if not body.get("stream"):
                    return self._json(200, {**base, "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
                events = [{**base, "object": "chat.completion.chunk",
                           "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                                        "finish_reason": None}]} for piece in pieces(reply)]
                events.append({**base, "object": "chat.completion.chunk",
                               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                lines = [f"data: {json.dumps(e)}\n\n".encode() for e in events] + [b"data: [DONE]\n\n"]
                self._stream("text/event-stream", lines)

            def _ollama(self, body: dict[str, Any], reply: str) -> None:
                base = {"model": body["model"], "created_at": "2026-01-01T00:00:00Z"}
                done = {**base, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                        "total_duration": 1, "prompt_eval_count": 1, "eval_count": 1}
                if not body.get("stream", True):
                    return self._json(200, {**done, "message": {"role": "assistant", "content": reply}})
                lines = [json.dumps({**base, "message": {"role": "assistant", "content": piece}, "done": False})
                         .encode() + b"\n" for piece in pieces(reply)]
                self._stream("application/x-ndjson", lines + [json.dumps(done).encode() + b"\n"])

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (the timeout test) is expected, not an error

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "ScriptedLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def prompt(self, i: int = -1) -> str:
        """The text of every message of request `i`, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[i].get("messages", []))


def source_number(prompt: str, needle: str) -> int:
    """The n of the prompt's first <source n="..."> block whose text contains `needle`."""
    for m in re.finditer(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', prompt, re.S):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no source in the prompt contains {needle!r}")


def pieces(text: str) -> list[str]:
    """The reply as a stream would carry it: a word (with its following space) at a time."""
    return re.findall(r"\S+\s*|\s+", text) or [""]
