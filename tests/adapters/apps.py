"""The Python adapters of the bad-request table, each on 127.0.0.1 behind a real HTTP server:

    python apps.py asgi   # sigwire.asgi.SigwireMiddleware under uvicorn
    python apps.py wsgi   # sigwire.wsgi.SigwireMiddleware under werkzeug's threaded server

Prints the bound port alone on the first line, then serves until stdin closes. Key, secret and
body limit come from the environment run.py sets (ADAPTERS_KEY_ID, ADAPTERS_SECRET, ADAPTERS_LIMIT).
"""

import os
import socket
import sys
import threading

import sigwire

KEY_ID = os.environ["ADAPTERS_KEY_ID"]
SECRET = os.environ["ADAPTERS_SECRET"].encode()
LIMIT = int(os.environ["ADAPTERS_LIMIT"])


def verifier() -> sigwire.Verifier:
    return sigwire.Verifier({KEY_ID: SECRET})


async def asgi_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"app"})


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"app"]


def exit_on_stdin_eof(stop):
    threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()


def main() -> None:
    kind = sys.argv[1]
    if kind == "asgi":
        import uvicorn
        from sigwire.asgi import SigwireMiddleware

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1], flush=True)
        app = SigwireMiddleware(asgi_app, verifier(), body_limit=LIMIT)
        server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))

        def stop():
            server.should_exit = True

        exit_on_stdin_eof(stop)
        server.run(sockets=[sock])
    elif kind == "wsgi":
        from werkzeug.serving import WSGIRequestHandler, make_server
        from sigwire.wsgi import SigwireMiddleware

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        app = SigwireMiddleware(wsgi_app, verifier(), body_limit=LIMIT)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        print(server.server_port, flush=True)
        exit_on_stdin_eof(server.shutdown)
        server.serve_forever()
    else:
        raise SystemExit("usage: apps.py asgi|wsgi")


if __name__ == "__main__":
    main()
