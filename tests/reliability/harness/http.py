"""Plain HTTP/1.1 requests with a deadline, one connection each (so a killed server never
leaves a half-used connection behind for the next request)."""

import http.client
import json as jsonlib
import urllib.parse


class Response:
    def __init__(self, status, headers, body, elapsed=None):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return jsonlib.loads(self.body or b"null")

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return f"<{self.status} {self.text()[:200]!r}>"


def request(method, url, body=None, headers=None, timeout=10, json=None):
    """Send one request; raises OSError (refused, reset, timed out) when no answer came."""
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers or {})
    if json is not None:
        body = jsonlib.dumps(json).encode()
        headers.setdefault("Content-Type", "application/json;charset=utf-8")
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    except http.client.HTTPException as e:
        # A connection closed mid-answer is a transport failure like any other.
        raise ConnectionError(f"{type(e).__name__}: {e}") from e
    finally:
        conn.close()
