#!/usr/bin/env python3
"""A schema registry for tests, following the documented Confluent Schema Registry REST API
for what producers and readers of the wire format use:
  POST /subjects/{subject}/versions   register a schema (the same schema keeps its id)
  GET  /schemas/ids/{id}              {"schema": …} (+ "schemaType" unless AVRO)
  GET  /subjects/{subject}/versions/latest, GET /subjects
Errors are {"error_code", "message"} as the registry answers them (40403 schema not found,
40101 unauthorized). With --user and --password-file every request needs basic auth.
Prints its URL on the first line, then one JSON line per request (method, path, status), so a
test can see what a client asked for and how often."""
import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    args = ap.parse_args()
    password = open(args.password_file).read().strip() if args.password_file else None
    lock = threading.Lock()
    schemas = {}  # id -> {"schema", "schemaType"}
    subjects = {}  # subject -> [id, …]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            print(json.dumps({"method": self.command, "path": self.path, "status": code}), flush=True)

        def authorized(self):
            if args.user is None:
                return True
            auth = self.headers.get("Authorization", "")
            expected = "Basic " + base64.b64encode(f"{args.user}:{password}".encode()).decode()
            if auth == expected:
                return True
            self.reply(401, {"error_code": 40101, "message": "Unauthorized"})
            return False

        def do_GET(self):
            if not self.authorized():
                return
            parts = self.path.split("?")[0].strip("/").split("/")
            with lock:
                if len(parts) == 3 and parts[:2] == ["schemas", "ids"] and parts[2].isdigit():
                    s = schemas.get(int(parts[2]))
                    if s is None:
                        return self.reply(404, {"error_code": 40403, "message": "Schema not found"})
                    body = {"schema": s["schema"]}
                    if s["schemaType"] != "AVRO":
                        body["schemaType"] = s["schemaType"]
                    return self.reply(200, body)
                if parts == ["subjects"]:
                    return self.reply(200, sorted(subjects))
                if len(parts) == 4 and parts[0] == "subjects" and parts[2] == "versions":
                    ids = subjects.get(parts[1])
                    if not ids:
                        return self.reply(404, {"error_code": 40401, "message": "Subject not found"})
                    version = len(ids) if parts[3] == "latest" else int(parts[3])
                    sid = ids[version - 1]
                    return self.reply(200, {"subject": parts[1], "version": version, "id": sid,
                                            "schema": schemas[sid]["schema"],
                                            "schemaType": schemas[sid]["schemaType"]})
            self.reply(404, {"error_code": 404, "message": "Not found"})

        def do_POST(self):
            if not self.authorized():
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
                kind = body.get("schemaType", "AVRO")
                with lock:
                    sid = next((i for i, s in schemas.items()
                                if s["schema"] == body["schema"] and s["schemaType"] == kind), None)
                    if sid is None:
                        sid = len(schemas) + 1
                        schemas[sid] = {"schema": body["schema"], "schemaType": kind}
                    ids = subjects.setdefault(parts[1], [])
                    if sid not in ids:
                        ids.append(sid)
                return self.reply(200, {"id": sid})
            self.reply(404, {"error_code": 404, "message": "Not found"})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
