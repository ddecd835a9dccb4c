#!/usr/bin/env python3
"""Captures Redis's command metadata (COMMAND INFO and COMMAND DOCS) from a running redis-server over RESP3
and writes it as typed JSON: src/RedisPanel.Engine/Resources/commands.json.

Why: COMMAND INFO/DOCS must answer byte for byte as Redis 7.0.15 (redis-cli builds its hints from COMMAND DOCS),
and the metadata (flags, ACL categories, tips, key specs, arguments, history) is data, not code. We capture the
RESP3 reply tree and keep its types, so the engine can render it in RESP3 or downgrade it to RESP2 exactly as
Redis does (map -> flat array, set -> array).

JSON encoding of a RESP3 value:
  integer -> number        bulk string -> string      null -> null
  array   -> [ ... ]       simple string -> {"+": "text"}
  map     -> {"%": [k1, v1, k2, v2, ...]}             set -> {"~": [ ... ]}

Usage: redis-server --port 17999 --save "" --appendonly no &   then
       tools/gen-command-docs.py --port 17999 [--out path]
"""
import argparse, json, socket, sys


class Resp3:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = chr(line[0]), line[1:]
        if t == "+":
            return {"+": rest.decode()}
        if t == "-":
            raise RuntimeError(rest.decode())
        if t == ":":
            return int(rest)
        if t == "$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode()
        if t == "_":
            return None
        if t in "*~>":
            items = [self.read() for _ in range(int(rest))]
            return {"~": items} if t == "~" else items
        if t == "%":
            flat = []
            for _ in range(int(rest)):
                flat.append(self.read())
                flat.append(self.read())
            return {"%": flat}
        raise RuntimeError("unexpected RESP3 type " + t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", default="src/RedisPanel.Engine/Resources/commands.json")
    a = ap.parse_args()
    r = Resp3(a.host, a.port)
    hello = r.send("HELLO", "3")
    version = dict(zip(hello["%"][0::2], hello["%"][1::2]))["version"]
    info = r.send("COMMAND", "INFO")
    docs = r.send("COMMAND", "DOCS")
    by_name_info = {entry[0]: entry for entry in info}
    flat = docs["%"]
    by_name_docs = {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}
    result = {
        "version": version,
        "info": by_name_info,
        "docs": by_name_docs,
    }
    with open(a.out, "w") as f:
        json.dump(result, f, separators=(",", ":"), sort_keys=False)
        f.write("\n")
    print(f"{a.out}: redis {version}, {len(by_name_info)} commands", file=sys.stderr)


if __name__ == "__main__":
    main()
