#!/usr/bin/env python3
"""A minimal OAuth2 issuer for tests: OpenID discovery, an empty JWKS and a client-credentials
token endpoint, as an identity provider in front of Pulsar serves them. It prints its URL on the
first line, then one JSON line per token request (client id, grant type, audience, scope, and
whether it was granted) so a test can check what the client asked for. Never the secret."""
import argparse
import base64
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--access-token-file",
                    help="the access token to grant (a JWT the Pulsar broker accepts); default: an opaque string")
    args = ap.parse_args()
    secret = open(args.client_secret_file).read().strip()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/.well-known/openid-configuration":
                self.reply(200, {
                    "issuer": issuer,
                    "authorization_endpoint": issuer + "authorize",
                    "token_endpoint": issuer + "oauth/token",
                    "jwks_uri": issuer + "jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                })
            elif self.path == "/jwks":
                self.reply(200, {"keys": []})
            else:
                self.reply(404, {"error": "not_found"})

        def do_POST(self):
            if self.path != "/oauth/token":
                return self.reply(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            field = lambda k: form.get(k, [None])[0]
            cid, csecret = field("client_id"), field("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                cid, _, csecret = base64.b64decode(basic[6:]).decode().partition(":")
                cid, csecret = urllib.parse.unquote(cid), urllib.parse.unquote(csecret)
            granted = (field("grant_type") == "client_credentials"
                       and cid == args.client_id and csecret == secret)
            print(json.dumps({"client_id": cid, "grant_type": field("grant_type"),
                              "audience": field("audience"), "scope": field("scope"),
                              "granted": granted}), flush=True)
            if granted:
                token = (open(args.access_token_file).read().strip() if args.access_token_file
                         else "test-access-token-for-" + cid)
                self.reply(200, {"access_token": token,
                                 "token_type": "Bearer", "expires_in": 3600})
            else:
                self.reply(401, {"error": "invalid_client",
                                 "error_description": "client authentication failed"})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    # With the trailing slash, as Auth0 and Okta write theirs: pulsar-rs normalises the URL it
    # was given that way and then compares it with the issuer this document names.
    issuer = f"http://127.0.0.1:{server.server_address[1]}/"
    print(issuer, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
